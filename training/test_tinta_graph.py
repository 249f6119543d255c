"""Self-test of training/tinta_graph.py: every op of the twin against the
plain PyTorch layer it stands for, size inference against PyTorch, the
edge rules the C runtime must copy (nearest index, bilinear source
position, pooling sizes and the avgpool divisor) written out as explicit
loops, safetensors round trips and rejections, validation errors, bf16
autocast / channels_last / gradients, and the fixtures in tests/data/nn.

    /usr/bin/python3 training/test_tinta_graph.py      # plain asserts, ~10 s
"""
import glob
import json
import math
import os
import struct
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg  # noqa: E402
import make_nn_fixtures as fx  # noqa: E402
import convert_squeezenet as sqz  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(HERE), 'tests', 'data', 'nn')
GEN = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(shape, generator=GEN, dtype=torch.float64)


def one_node(build, in_shapes, weights=None):
    """Runs a one-or-few-node graph in float64; returns (outputs, weights)."""
    g = tg.Graph()
    ins = {n: g.input(n, c[0]) for n, c in in_shapes.items()}
    build(g, *ins.values())
    w = weights if weights is not None else g.init_weights(GEN, bias_std=0.5)
    net = tg.GraphModule(g.to_dict(), w).double()
    xs = {n: randn(1, *c) for n, c in in_shapes.items()}
    with torch.no_grad():
        return net(**xs), xs, {k: v.double() for k, v in w.items()}


def close(a, b, tol=1e-10):
    assert a.shape == b.shape, (a.shape, b.shape)
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= tol, err
    return err


# ---------------------------------------------------------------------------
# ops against nn layers

def test_conv2d_vs_nn_conv2d():
    cases = [  # in_c, out_c, kernel, stride, padding, dilation, groups, bias, act, size
        (3, 8, (3, 3), (1, 1), (1, 1), (1, 1), 1, True, 'relu', (17, 23)),
        (4, 6, (3, 3), (2, 2), (0, 0), (1, 1), 1, True, 'leaky_relu', (17, 23)),
        (4, 4, (5, 5), (1, 1), (4, 4), (2, 2), 1, False, 'sigmoid', (13, 13)),
        (8, 12, (3, 3), (1, 1), (1, 1), (1, 1), 2, True, 'tanh', (9, 11)),
        (6, 6, (3, 3), (2, 2), (1, 1), (1, 1), 6, True, None, (9, 11)),
        (6, 12, (3, 3), (1, 1), (1, 1), (1, 1), 6, True, None, (9, 11)),
        (5, 3, (1, 1), (1, 1), (0, 0), (1, 1), 1, True, None, (7, 5)),
        (2, 3, (3, 17), (1, 1), (1, 8), (1, 1), 1, True, None, (13, 13)),
        (2, 3, (3, 5), (2, 1), (1, 2), (1, 2), 1, True, 'leaky_relu', (8, 11)),
    ]
    for ci, co, k, st, p, d, grp, bias, act, (h, w) in cases:
        alpha = 0.2 if act == 'leaky_relu' else None
        out, xs, W = one_node(lambda g, x: g.output(g.conv2d(
            'c', x, co, k, stride=st, padding=p, dilation=d, groups=grp, bias=bias,
            activation=act, alpha=alpha)), {'x': (ci, h, w)})
        ref = torch.nn.Conv2d(ci, co, k, st, p, d, grp, bias).double()
        with torch.no_grad():
            ref.weight.copy_(W['c.weight'])
            if bias:
                ref.bias.copy_(W['c.bias'])
            y = tg._activate(ref(xs['x']), act, alpha or 0.01)
        close(out['c'], y)


def test_deconv2d_vs_nn_convtranspose2d():
    cases = [  # in_c, out_c, kernel, stride, padding, output_padding, groups, bias, size
        (8, 6, (4, 4), (2, 2), (1, 1), (0, 0), 1, True, (9, 11)),
        (6, 4, (3, 3), (2, 2), (1, 1), (1, 1), 2, False, (9, 11)),
        (4, 4, (2, 3), (2, 1), (0, 1), (1, 0), 1, True, (5, 7)),
        (4, 4, (3, 3), (1, 1), (1, 1), (0, 0), 4, True, (5, 7)),
    ]
    for ci, co, k, st, p, op, grp, bias, (h, w) in cases:
        out, xs, W = one_node(lambda g, x: g.output(g.deconv2d(
            'd', x, co, k, stride=st, padding=p, output_padding=op, groups=grp, bias=bias)),
            {'x': (ci, h, w)})
        ref = torch.nn.ConvTranspose2d(ci, co, k, st, p, op, grp, bias).double()
        with torch.no_grad():
            ref.weight.copy_(W['d.weight'])
            if bias:
                ref.bias.copy_(W['d.bias'])
            close(out['d'], ref(xs['x']))


def test_pools_vs_nn_pools():
    for h, w in ((13, 13), (14, 14), (14, 13), (5, 8)):
        for k, st, p, ceil in (((3, 3), (2, 2), (0, 0), True), ((3, 3), (2, 2), (1, 1), True),
                               ((2, 2), (3, 3), (1, 1), True), ((2, 3), (2, 3), (0, 0), False),
                               ((3, 2), (1, 2), (1, 1), False)):
            for cip in (True, False):
                out, xs, _ = one_node(lambda g, x: g.output(
                    g.maxpool('m', x, k, stride=st, padding=p, ceil_mode=ceil),
                    g.avgpool('a', x, k, stride=st, padding=p, ceil_mode=ceil,
                              count_include_pad=cip)), {'x': (3, h, w)})
                close(out['m'], torch.nn.MaxPool2d(k, st, p, ceil_mode=ceil)(xs['x']))
                close(out['a'], torch.nn.AvgPool2d(k, st, p, ceil_mode=ceil,
                                                   count_include_pad=cip)(xs['x']))
    out, xs, _ = one_node(lambda g, x: g.output(g.global_avgpool('gap', x)), {'x': (5, 7, 9)})
    close(out['gap'], torch.nn.AdaptiveAvgPool2d(1)(xs['x']))
    # default stride is the kernel
    out, xs, _ = one_node(lambda g, x: g.output(g.maxpool('m', x, (2, 3))), {'x': (2, 8, 9)})
    close(out['m'], F.max_pool2d(xs['x'], (2, 3)))


def test_elementwise_and_matmul():
    def build(g, a, b):
        g.output(g.concat('cat', a, a, b), g.add('add', a, a), g.add('addb', a, b),
                 g.mul('mul', a, a), g.mul('mulb', a, b), g.softmax('sm', a),
                 g.activation('r', a, 'relu'), g.activation('l', a, 'leaky_relu'),
                 g.activation('l2', a, 'leaky_relu', alpha=0.2),
                 g.activation('s', a, 'sigmoid'), g.activation('t', a, 'tanh'),
                 g.matmul('mm', a, 5), g.matmul('mm0', a, 3, bias=False),
                 g.mul('sq', g.activation('t1', a, 'tanh'), 't1'))   # one node used twice
    out, xs, W = one_node(build, {'a': (4, 5, 7), 'b': (1, 5, 7)})
    a, b = xs['a'], xs['b']
    close(out['cat'], torch.cat([a, a, b], 1))
    close(out['add'], a + a)
    close(out['addb'], a + b.expand_as(a))
    close(out['mul'], a * a)
    close(out['mulb'], a * b.expand_as(a))
    close(out['sm'], torch.nn.Softmax(dim=1)(a))
    close(out['r'], torch.nn.ReLU()(a))
    close(out['l'], torch.nn.LeakyReLU(0.01)(a))
    close(out['l2'], torch.nn.LeakyReLU(0.2)(a))
    close(out['s'], torch.sigmoid(a))
    close(out['t'], torch.tanh(a))
    close(out['mm'], torch.einsum('nchw,ck->nkhw', a, W['mm.weight'])
          + W['mm.bias'].view(1, -1, 1, 1))
    close(out['mm0'], torch.einsum('nchw,ck->nkhw', a, W['mm0.weight']))
    close(out['sq'], torch.tanh(a) ** 2)


# ---------------------------------------------------------------------------
# sizes

def test_size_formulas_match_pytorch():
    x = torch.zeros(1, 1, 1, 1)
    for n in range(1, 24):
        for k in range(1, 6):
            for s in range(1, 5):
                for p in range(0, k // 2 + 1):
                    for ceil in (False, True):
                        if n + 2 * p < k:
                            continue
                        got = F.max_pool2d(x.expand(1, 1, n, 1), (k, 1), (s, 1), (p, 0),
                                           ceil_mode=ceil).shape[2]
                        assert tg.pool_out(n, k, s, p, ceil) == got, (n, k, s, p, ceil)
                for p in range(0, 4):
                    for d in (1, 2):
                        if n + 2 * p >= d * (k - 1) + 1:
                            got = F.conv2d(x.expand(1, 1, n, 1), torch.zeros(1, 1, k, 1),
                                           stride=(s, 1), padding=(p, 0), dilation=(d, 1))
                            assert tg.conv_out(n, k, s, p, d) == got.shape[2]
                    for op in range(s):
                        if tg.deconv_out(n, k, s, p, op) >= 1 and p < k:
                            got = F.conv_transpose2d(x.expand(1, 1, n, 1), torch.zeros(1, 1, k, 1),
                                                     stride=(s, 1), padding=(p, 0),
                                                     output_padding=(op, 0))
                            assert tg.deconv_out(n, k, s, p, op) == got.shape[2]


# ---------------------------------------------------------------------------
# the edge rules, as explicit loops (what the C runtime implements)

def nearest_src(dst, n_in, n_out):
    """PyTorch CPU: scale computed in float32, index floor(dst * scale)."""
    scale = np.float32(n_in) / np.float32(n_out)
    return min(int(np.floor(np.float32(dst) * scale)), n_in - 1)


def bilinear_taps(dst, n_in, n_out):
    """align_corners=False: source position (dst + 0.5) * in/out - 0.5,
    clamped at 0; the right tap clamps at the last pixel."""
    src = max((dst + 0.5) * n_in / n_out - 0.5, 0.0)
    i0 = int(math.floor(src))
    i1 = i0 + 1 if i0 < n_in - 1 else i0
    return i0, i1, src - i0


def avgpool_loop(x, k, s, p, ceil, count_include_pad):
    """Windows clipped to [-p, n + p) define the count_include_pad divisor,
    windows clipped to [0, n) the other; with ceil_mode the last window may
    reach past n + p and that part is never counted."""
    n_h, n_w = x.shape
    oh, ow = (tg.pool_out(n, kk, ss, pp, ceil) for n, kk, ss, pp in zip((n_h, n_w), k, s, p))
    y = np.zeros((oh, ow))
    for oy in range(oh):
        for ox in range(ow):
            y0, x0 = oy * s[0] - p[0], ox * s[1] - p[1]
            y1, x1 = min(y0 + k[0], n_h + p[0]), min(x0 + k[1], n_w + p[1])
            pool_size = (y1 - y0) * (x1 - x0)
            y0, x0, y1, x1 = max(y0, 0), max(x0, 0), min(y1, n_h), min(x1, n_w)
            div = pool_size if count_include_pad else (y1 - y0) * (x1 - x0)
            y[oy, ox] = x[y0:y1, x0:x1].sum() / div
    return y


def test_nearest_index_rule():
    differ = 0
    for n_in in range(1, 48):
        for n_out in range(1, 64):
            t = torch.arange(n_in, dtype=torch.float64).view(1, 1, n_in, 1)
            got = F.interpolate(t, size=(n_out, 1), mode='nearest').view(-1).long().tolist()
            assert got == [nearest_src(d, n_in, n_out) for d in range(n_out)], (n_in, n_out)
            differ += got != [d * n_in // n_out for d in range(n_out)]
    assert differ > 0   # exact integer arithmetic would NOT match PyTorch
    # integer scale s: the twin passes scale_factor (PyTorch uses (float)(1/s)),
    # the same as size = in * s
    for s in range(1, 65):
        assert np.float32(1.0 / s) == np.float32(1) / np.float32(s)
    # the fixture's case: 14 -> 46 at dst 23 and 26 -> 22 at dst 11
    assert nearest_src(23, 14, 46) == 6 and 23 * 14 // 46 == 7
    assert nearest_src(11, 26, 22) == 12 and 11 * 26 // 22 == 13
    out, xs, _ = one_node(lambda g, x, t: g.output(g.resize('r', x, 'nearest', size_of=t),
                                                   g.resize('s', x, 'nearest', scale=(3, 2))),
                          {'x': (1, 14, 26), 't': (1, 46, 22)})
    x = xs['x'][0, 0]
    want = torch.stack([torch.stack([x[nearest_src(i, 14, 46), nearest_src(j, 26, 22)]
                                     for j in range(22)]) for i in range(46)])
    close(out['r'][0, 0], want, 0)
    close(out['s'][0, 0], x[torch.arange(42) // 3][:, torch.arange(52) // 2], 0)


def test_bilinear_rule():
    for n_in, n_out in ((7, 12), (9, 17), (12, 7), (17, 9), (14, 46), (26, 22), (5, 10), (1, 4)):
        def build(g, x, target):
            g.output(g.resize('r', x, 'bilinear', size_of=target))
            if n_out % n_in == 0:
                g.output(g.resize('s', x, 'bilinear', scale=(n_out // n_in, 1)))
        out, xs, _ = one_node(build, {'x': (1, n_in, 1), 'target': (1, n_out, 1)})
        x = xs['x'].view(-1)
        want = []
        for d in range(n_out):
            i0, i1, lam = bilinear_taps(d, n_in, n_out)
            want.append((1 - lam) * x[i0] + lam * x[i1])
        want = torch.stack(want).view(1, 1, n_out, 1)
        close(out['r'], want, 1e-12)
        if n_out % n_in == 0:
            close(out['s'], want, 1e-12)


def test_avgpool_divisor_rule():
    for n_h, n_w in ((14, 13), (13, 13), (14, 14), (5, 8), (6, 6)):
        x = randn(n_h, n_w)
        for k, s, p in (((3, 3), (2, 2), (1, 1)), ((2, 2), (3, 3), (1, 1)),
                        ((3, 3), (2, 2), (0, 0)), ((2, 3), (2, 1), (1, 0))):
            for ceil in (False, True):
                for cip in (False, True):
                    got = F.avg_pool2d(x.view(1, 1, n_h, n_w), k, s, p, ceil_mode=ceil,
                                       count_include_pad=cip)[0, 0].numpy()
                    want = avgpool_loop(x.numpy(), k, s, p, ceil, cip)
                    assert np.abs(got - want).max() < 1e-12, (n_h, n_w, k, s, p, ceil, cip)
    # the case that differs from "divide by kh*kw": 14 rows, k3 s2 p1 ceil,
    # last window starts at row 13, covers 13 and the pad row 14; divisor 2
    x = torch.ones(1, 1, 14, 1, dtype=torch.float64)
    y = F.avg_pool2d(x, (3, 1), (2, 1), (1, 0), ceil_mode=True, count_include_pad=True)
    assert y.shape[2] == 8 and abs(y[0, 0, -1, 0].item() - 0.5) < 1e-15


# ---------------------------------------------------------------------------
# files

def _bf16_rne(x):
    b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)


def test_save_load_roundtrip():
    g = tg.Graph()
    x = g.input('x', 3)
    g.output(g.conv2d('c', x, 4, 3, padding=1, activation='relu'),
             g.matmul('m', x, 2, weight='shared/m:w'))
    w = g.init_weights(GEN, bias_std=0.3)
    # values that stress rounding: ties at bf16 and f16 precision
    w['c.bias'] = torch.tensor([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -11, -(1 + 3 * 2 ** -11)])
    with tempfile.TemporaryDirectory() as d:
        for dtype in ('F32', 'F16', 'BF16'):
            p = os.path.join(d, dtype + '.safetensors')
            tg.save_model(p, g.to_dict(), w, arch='test', dtype=dtype,
                          extra_metadata={'license': 'none', 'note': 'ünïcode'})
            raw = open(p, 'rb').read()
            n = struct.unpack('<Q', raw[:8])[0]
            assert n % 8 == 0 and raw[8:9] == b'{'
            assert raw[8:8 + n].decode().rstrip(' ').endswith('}')
            m = tg.load_model(p, expect_arch='test')
            assert m.graph == g.to_dict() and m.dtype == dtype
            assert m.metadata['note'] == 'ünïcode' and m.metadata['tinta.version'] == '1'
            for k, v in w.items():
                if dtype == 'F32':
                    assert torch.equal(m.weights[k], v)
                elif dtype == 'F16':
                    assert np.array_equal(m.weights[k].numpy(),
                                          v.numpy().astype(np.float16).astype(np.float32))
                else:
                    bits = m.weights[k].numpy().view(np.uint32) >> 16
                    assert np.array_equal(bits.astype(np.uint16), _bf16_rne(v.numpy())), k
            try:
                tg.load_model(p, expect_arch='other')
                raise AssertionError('arch not checked')
            except tg.GraphError:
                pass
        # plain tensor files keep dtypes
        t = {'a': torch.arange(6.).view(2, 3), 'h': torch.ones(2, dtype=torch.float16),
             'b': torch.full((1, 1), 3.5, dtype=torch.bfloat16), 'empty': torch.zeros(0, 4),
             'scalar': torch.tensor(2.0)}
        p = os.path.join(d, 't.safetensors')
        tg.save_tensors(p, t)
        back = tg.load_tensors(p)
        assert set(back) == set(t)
        for k in t:
            assert back[k].dtype == t[k].dtype and torch.equal(back[k], t[k]), k


def _write_raw(path, header, data):
    js = json.dumps(header).encode()
    js += b' ' * (-len(js) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(js)) + js + data)


def _rejects(fn, expect):
    try:
        fn()
    except tg.GraphError as e:
        assert expect in str(e), (expect, str(e))
        return
    raise AssertionError('accepted, expected error: ' + expect)


def test_safetensors_reader_rejects():
    e = {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}
    cases = [
        ({'a': e}, b'\0' * 12, 'not fully covered'),
        ({'a': e, 'b': dict(e, data_offsets=[4, 12])}, b'\0' * 12, 'hole or an overlap'),
        ({'a': dict(e, data_offsets=[4, 12])}, b'\0' * 12, 'hole or an overlap'),
        ({'a': dict(e, shape=[3])}, b'\0' * 8, 'does not match'),
        ({'a': dict(e, dtype='F64')}, b'\0' * 8, 'unsupported dtype'),
        ({'a': dict(e, data_offsets=[0, 16])}, b'\0' * 8, 'bad data_offsets'),
        ({'a': dict(e, extra=1)}, b'\0' * 8, 'bad entry'),
        ({'__metadata__': {'k': 1}, 'a': e}, b'\0' * 8, 'strings'),
    ]
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'x.safetensors')
        for header, data, expect in cases:
            _write_raw(p, header, data)
            _rejects(lambda: tg.read_safetensors(p), expect)
        with open(p, 'wb') as f:
            f.write(struct.pack('<Q', 100) + b'{}')
        _rejects(lambda: tg.read_safetensors(p), 'truncated')
        with open(p, 'wb') as f:
            f.write(struct.pack('<Q', 16) + b'{"a":1, "a":2}  ')
        _rejects(lambda: tg.read_safetensors(p), 'duplicate')


def test_validation_errors():
    # every invalid fixture is rejected for its reason
    names = {n for n, _, _ in fx.INVALID}
    files = {os.path.basename(p)[:-len('.safetensors')]
             for p in glob.glob(os.path.join(FIXTURES, 'invalid', '*.safetensors'))}
    assert names == files, names ^ files
    for name, expect, _ in fx.INVALID:
        _rejects(lambda: tg.load_model(os.path.join(FIXTURES, 'invalid', name + '.safetensors')),
                 expect)
    # save_model refuses what the loader would refuse
    g = tg.Graph()
    x = g.input('x', 2)
    g.output(g.conv2d('c', x, 2, 1))
    w = g.init_weights(GEN)
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'm.safetensors')
        _rejects(lambda: tg.save_model(p, g.to_dict(), dict(w, extra=torch.zeros(1)), 'a'),
                 'used by no node')
        _rejects(lambda: tg.save_model(p, g.to_dict(), w, 'a', version=2), 'version')
        _rejects(lambda: tg.save_model(p, g.to_dict(), w, 'a', extra_metadata={'x': 1}),
                 'strings')
        assert not os.path.exists(p)
    # planner-level: sizes that vanish, mismatched sizes
    shapes = {k: tuple(v.shape) for k, v in w.items()}
    g2 = tg.Graph()
    x = g2.input('x', 2)
    g2.output(g2.conv2d('c', x, 2, 5))
    _rejects(lambda: tg.infer_shapes(g2.to_dict(), g2.weight_shapes, {'x': (3, 9)}), 'empty')
    g3 = tg.Graph()
    a, b = g3.input('a', 2), g3.input('b', 2)
    g3.output(g3.add('s', a, b))
    _rejects(lambda: tg.infer_shapes(g3.to_dict(), {}, {'a': (3, 4), 'b': (3, 5)}),
             'different sizes')
    assert tg.infer_shapes(g.to_dict(), shapes, {'x': (3, 4)})['c'] == (2, 3, 4)


# ---------------------------------------------------------------------------
# training modes and the fixtures

def test_channels_last_autocast_and_grad():
    m = tg.load_model(os.path.join(FIXTURES, 'unet.safetensors'))
    io = tg.load_tensors(os.path.join(FIXTURES, 'unet.io.safetensors'))
    x = io['input:x'].repeat(2, 1, 1, 1)
    net = m.module()
    with torch.no_grad():
        ref = net(x)
        netcl = m.module().to(memory_format=torch.channels_last)
        cl = netcl(x.contiguous(memory_format=torch.channels_last))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf = netcl(x.contiguous(memory_format=torch.channels_last))
    for k in ref:
        close(cl[k], ref[k], 1e-5)
        # conf and kernels carry "precision": "f32"; ab runs in bf16
        assert bf[k].dtype == (torch.bfloat16 if k == 'ab' else torch.float32), k
        close(bf[k].float(), ref[k], 0.1)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = net(x, outputs=['ab', 'conf', 'kernels', 'enc1b'])
        assert out['enc1b'].dtype == torch.bfloat16
        loss = sum(out[k].float().abs().mean() for k in ('ab', 'conf', 'kernels'))
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in net.parameters())
    assert len(list(net.parameters())) == len(m.weights)


def test_fixtures_reproduce():
    total = 0
    readme = open(os.path.join(FIXTURES, 'README.md')).read()
    for name, _, dtype, _ in fx.NETS:
        m = tg.load_model(os.path.join(FIXTURES, name + '.safetensors'),
                          expect_arch='tinta-test-' + name)
        assert m.dtype in (dtype, None) and '`%s`' % name in readme
        io = tg.load_tensors(os.path.join(FIXTURES, name + '.io.safetensors'))
        ins = {k[6:]: v for k, v in io.items() if k.startswith('input:')}
        outs = {k[7:]: v for k, v in io.items() if k.startswith('output:')}
        assert set(outs) == set(m.graph['outputs'])
        assert all(v.dtype == torch.float32 for v in io.values())
        with torch.no_grad():
            got = m.module().double()(**{k: v.double() for k, v in ins.items()})
        shapes = tg.infer_shapes(m.graph, {k: tuple(v.shape) for k, v in m.weights.items()},
                                 {k: tuple(v.shape[2:]) for k, v in ins.items()})
        for k, v in outs.items():
            assert shapes[k] == tuple(v.shape[1:]), (name, k)
            close(got[k].float(), v, 1e-6)
    for dirpath, _, files in os.walk(FIXTURES):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    assert total < 1.5e6, total


def test_squeezenet_conversion():
    ncnn_dir = sqz.default_ncnn_dir()
    if not os.path.exists(os.path.join(ncnn_dir, sqz.BIN)):
        print('skip test_squeezenet_conversion: no %s' % ncnn_dir)
        return
    with tempfile.TemporaryDirectory() as d:
        for arch, (name, outs) in sqz.ARCHS.items():
            p = os.path.join(d, arch + '.safetensors')
            sqz.convert(arch, p, ncnn_dir)      # includes the fold check
            m = tg.load_model(p, expect_arch=name)
            assert m.graph['outputs'] == outs and m.dtype == 'F32'
            assert m.metadata['license'].startswith('BSD-2-Clause') and m.metadata['source']
            shapes = tg.infer_shapes(m.graph, {k: tuple(v.shape) for k, v in m.weights.items()},
                                     {'x': (227, 227)})
            if arch == 'features':
                assert [shapes[k] for k in outs] == [(64, 113, 113), (128, 56, 56), (256, 28, 28)]
            else:
                assert sum(v.numel() for v in m.weights.values()) == 1235496
                assert shapes['conv10'] == (1000, 16, 16) and shapes['prob'] == (1000, 1, 1)


def main():
    # thousands of tiny ops: one thread beats two (OpenMP wake-ups dominate,
    # badly so when the other core is busy)
    torch.set_num_threads(1)
    tests = [(n, f) for n, f in globals().items() if n.startswith('test_')]
    for name, fn in tests:
        t0 = time.time()
        fn()
        print('ok   %-40s %.2f s' % (name, time.time() - t0))
    print('%d tests passed' % len(tests))


if __name__ == '__main__':
    main()

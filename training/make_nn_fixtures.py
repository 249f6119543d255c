"""Generates tests/data/nn/: small networks with seeded random weights and
their float64 reference outputs, for the parity tests of the C runtime
(engine/src/nn/) against the PyTorch twin (training/tinta_graph.py).

Together the nets use every op and attribute of docs/model-format.md at
least once, on small odd sizes; see the README this script writes.  For
each net NAME:
  NAME.safetensors     the model (F32, or F16/BF16 for the *_f16/*_bf16 nets)
  NAME.io.safetensors  input:<name> and output:<name>, NCHW float32; outputs
                       computed in float64 from the stored weights
plus invalid/*.safetensors: well-formed safetensors files whose graph the
loader must reject (one reason each).

Deterministic: the same bytes on every run (check: sha256sum tests/data/nn/*).

    /usr/bin/python3 training/make_nn_fixtures.py [OUTDIR]   # default tests/data/nn
"""
import hashlib
import json
import os
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tinta_graph as tg  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def net_conv_basic(g):
    x = g.input('x', 3)
    c1 = g.conv2d('c1', x, 8, 3, stride=1, padding=1, activation='relu')
    c2 = g.conv2d('c2', c1, 8, 3, stride=2, padding=0, activation='leaky_relu', alpha=0.2)
    c3 = g.conv2d('c3', c2, 8, 5, padding=4, dilation=2, activation='sigmoid')
    c4 = g.conv2d('c4', c3, 6, 1, bias=False, activation='tanh')
    c5 = g.conv2d('c5', c4, 5, (3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                  activation='leaky_relu')
    g.output(c2, c5)
    return {'x': (3, 17, 23)}


def net_conv_groups(g):
    x = g.input('x', 8)
    g1 = g.conv2d('grouped', x, 12, 3, padding=1, groups=2, activation='relu')
    dw = g.conv2d('depthwise', g1, 12, 3, padding=1, groups=12)
    dw2 = g.conv2d('depthwise_x2', dw, 24, 3, stride=2, padding=1, groups=12, activation='relu')
    wide = g.conv2d('wide_kernel', dw, 8, (3, 17), padding=(1, 8))
    g.output(wide, dw2)
    return {'x': (8, 13, 13)}


def net_deconv(g):
    x = g.input('x', 8)
    d1 = g.deconv2d('d1', x, 6, 4, stride=2, padding=1, activation='relu')
    d2 = g.deconv2d('d2', d1, 4, 3, stride=2, padding=1, output_padding=1, groups=2,
                    bias=False, activation='tanh')
    d3 = g.deconv2d('d3', x, 4, (2, 3), stride=(2, 1), padding=(0, 1), output_padding=(1, 0),
                    activation='leaky_relu', alpha=0.2)
    g.output(d2, d3)
    return {'x': (8, 9, 11)}


def net_pool(g):
    x = g.input('x', 8)
    g.output(
        g.maxpool('max_ceil', x, 3, stride=2, ceil_mode=True),
        g.maxpool('max_ceil_start', x, 2, stride=3, padding=1, ceil_mode=True),
        g.maxpool('max_default_stride', x, (2, 3)),
        g.avgpool('avg_ceil_incl', x, 3, stride=2, padding=1, ceil_mode=True,
                  count_include_pad=True),
        g.avgpool('avg_ceil_excl', x, 3, stride=2, padding=1, ceil_mode=True,
                  count_include_pad=False),
        g.avgpool('avg_floor', x, (2, 3), stride=(2, 1), padding=(1, 0), ceil_mode=False),
        g.global_avgpool('gap', x))
    return {'x': (8, 14, 13)}


def net_resize(g):
    x = g.input('x', 4)
    ref = g.input('ref', 2)
    odd = g.input('odd', 1)
    target = g.input('target', 1)
    g.output(
        g.resize('bilinear_x2', x, 'bilinear', scale=2),
        g.resize('nearest_x2', x, 'nearest', scale=2),
        g.resize('nearest_x2x3', x, 'nearest', scale=(2, 3)),
        g.resize('bilinear_to_ref', x, 'bilinear', size_of=ref),
        g.resize('nearest_to_ref', x, 'nearest', size_of=ref),
        g.resize('bilinear_down', ref, 'bilinear', size_of=x),
        g.resize('nearest_down', ref, 'nearest', size_of=x),
        # PyTorch's float32 index rule floor(dst * (float)in/out) differs from
        # the exact integer dst*in/out here: rows 14->46 at dst 23, cols 26->22
        # at dst 11.
        g.resize('nearest_float_rule', odd, 'nearest', size_of=target),
        g.resize('bilinear_14_26_to_46_22', odd, 'bilinear', size_of=target))
    return {'x': (4, 7, 9), 'ref': (2, 12, 17), 'odd': (1, 14, 26), 'target': (1, 46, 22)}


def net_elementwise(g):
    a = g.input('a', 6)
    b = g.input('b', 1)
    c1 = g.conv2d('c1', a, 6, 1)
    cat3 = g.concat('cat3', a, c1, b)
    add = g.add('add', c1, a)
    add_b = g.add('add_bcast', a, b)
    mul_b = g.mul('mul_bcast', c1, b)
    mul = g.mul('mul', add, add_b)
    acts = [g.activation('relu', mul, 'relu'),
            g.activation('leaky_default', mul, 'leaky_relu'),
            g.activation('leaky_02', mul, 'leaky_relu', alpha=0.2),
            g.activation('sigmoid', mul_b, 'sigmoid'),
            g.activation('tanh', mul_b, 'tanh')]
    mm = g.matmul('matmul_bias', cat3, 5, bias=True)
    sm = g.softmax('softmax', mm)
    mm2 = g.matmul('matmul_nobias', g.concat('cat_acts', *acts), 4, bias=False)
    g.output(cat3, add_b, mul_b, mul, *acts, sm, mm2)
    return {'a': (6, 11, 13), 'b': (1, 11, 13)}


def net_unet(g):
    """Encoder/decoder with skip concats at an odd size (37x45): the
    decoder meets the skips by a resize to their size and by a deconv whose
    output is exactly the skip's size."""
    x = g.input('x', 3)
    e1 = g.conv2d('enc1b', g.conv2d('enc1a', x, 8, 3, padding=1, activation='relu'),
                  8, 3, padding=1, activation='relu')                          # 37x45
    e2 = g.conv2d('enc2', g.conv2d('down1', e1, 16, 3, stride=2, padding=1, activation='relu'),
                  16, 3, padding=1, activation='relu')                         # 19x23
    p2 = g.maxpool('down2', e2, 2, ceil_mode=True)                             # 10x12
    b = g.conv2d('bottom2', g.conv2d('bottom1', p2, 32, 3, padding=1, activation='relu'),
                 32, 3, padding=2, dilation=2, activation='relu')
    u2 = g.resize('up2', b, 'bilinear', size_of=e2)
    d2 = g.conv2d('dec2', g.concat('skip2', u2, e2), 16, 3, padding=1, activation='relu')
    u1 = g.deconv2d('up1', d2, 8, 3, stride=2, padding=1, activation='relu')    # 37x45
    d1 = g.conv2d('dec1', g.concat('skip1', u1, e1), 8, 3, padding=1, activation='leaky_relu',
                  alpha=0.2)
    ab = g.conv2d('ab', d1, 2, 1, activation='tanh')
    conf = g.conv2d('conf', d1, 1, 1, activation='sigmoid', precision='f32')
    kern = g.softmax('kernels', g.conv2d('kernel_logits', d1, 9, 1), precision='f32')
    g.output(ab, conf, kern)
    return {'x': (3, 37, 45)}


def net_corr_heads(g):
    """The correlation op (both radii, input order matters) and output
    heads the C runtime merges into one convolution (docs/model-format.md):
    a group with different activations and a softmax consumer, a group
    with one shared activation, and a head left alone (other kernel)."""
    a = g.input('a', 5)
    b = g.input('b', 5)
    corr = g.correlation('corr', a, b, 2)
    corr1 = g.correlation('corr_r1', b, a, 1)
    x = g.conv2d('trunk', g.concat('cat', a, corr), 8, 3, padding=1, activation='leaky_relu')
    h_a = g.conv2d('head_a', x, 7, 3, padding=1, precision='f32')
    h_sm = g.softmax('head_a_sm', h_a, precision='f32')
    h_b = g.conv2d('head_b', x, 1, 3, padding=1, activation='sigmoid', precision='f32')
    h_c = g.conv2d('head_c', x, 2, 3, padding=1, bias=False, precision='f32')
    h_d = g.conv2d('head_d', x, 3, 1, precision='f32')
    t_1 = g.conv2d('tanh_1', a, 2, 3, padding=1, activation='tanh', precision='f32')
    t_2 = g.conv2d('tanh_2', a, 3, 3, padding=1, activation='tanh', precision='f32')
    g.output(corr, corr1, h_a, h_sm, h_b, h_c, h_d, t_1, t_2)
    return {'a': (5, 9, 13), 'b': (5, 9, 13)}


def net_direct_heads(g):
    """f32 3x3 stride-1 convolutions with 1 to 4 outputs, which the C
    runtime runs with its own kernel (nn_kernel_conv3x3) instead of
    oneDNN: padding 0, 1 and 2, input channels not a multiple of the
    vector width (7, and 17 from a bf16-capable trunk), every activation
    kind; different paddings, so none is merged with another."""
    x = g.input('x', 7)
    trunk = g.conv2d('trunk', x, 17, 3, padding=1, activation='relu')
    p0 = g.conv2d('p0', x, 1, 3, padding=0, activation='sigmoid', precision='f32')
    p2 = g.conv2d('p2', x, 3, 3, padding=2, precision='f32')
    p1 = g.conv2d('p1', trunk, 4, 3, padding=1, activation='leaky_relu', alpha=0.2,
                  precision='f32')
    t2 = g.conv2d('t2', trunk, 2, 3, padding=2, bias=False, activation='tanh', precision='f32')
    g.output(p0, p2, p1, t2)
    return {'x': (7, 11, 19)}


# name, builder, stored dtype, what it covers (README)
NETS = [
    ('conv_basic', net_conv_basic, 'F32',
     'conv 3x3 s1 p1 (relu); 3x3 s2 p0 on 17x23 (leaky_relu alpha 0.2); 5x5 dilation 2 '
     '(sigmoid); 1x1 without bias (tanh); asymmetric kernel/stride/padding/dilation [3,5]/'
     '[2,1]/[1,2]/[1,2] with leaky_relu default alpha; an output that also feeds a node'),
    ('conv_groups', net_conv_groups, 'F32',
     'grouped conv (groups 2); depthwise (groups = channels); depthwise with channel '
     'multiplier 2 and stride 2; kernel [3,17] wider than the 13x13 input with padding [1,8]'),
    ('conv_groups_f16', net_conv_groups, 'F16', 'conv_groups with F16-stored weights'),
    ('deconv', net_deconv, 'F32',
     'deconv k4 s2 p1 (relu); k3 s2 p1 output_padding 1, groups 2, no bias (tanh); '
     'asymmetric k[2,3] s[2,1] p[0,1] output_padding [1,0] (leaky_relu 0.2)'),
    ('pool', net_pool, 'F32',
     'on 8x14x13: maxpool 3x3 s2 ceil (ceil matters for 14, not 13); maxpool k2 s3 p1 ceil '
     '(the last-window-must-start-inside rule removes a row and a column); maxpool default '
     'stride = kernel [2,3]; avgpool 3x3 s2 p1 ceil with count_include_pad true and false '
     '(last window hangs past the padding); avgpool [2,3] s[2,1] p[1,0] floor with default '
     'count_include_pad; global_avgpool; no weights'),
    ('resize', net_resize, 'F32',
     'four graph inputs; bilinear x2; nearest x2; nearest [2,3]; bilinear and nearest to '
     'the size of another input (7x9 -> 12x17, non-integer ratio); bilinear and nearest '
     'downscale 12x17 -> 7x9; nearest and bilinear 14x26 -> 46x22 (sizes where PyTorch\'s '
     'float32 nearest index differs from exact integer arithmetic); no weights'),
    ('elementwise', net_elementwise, 'F32',
     'two graph inputs (a 6ch, b 1ch); concat of 3 inputs; add; add and mul with 1-channel '
     'broadcast; mul; relu, leaky_relu (default alpha and 0.2), sigmoid, tanh as nodes; '
     'concat of 5; matmul with bias; softmax over channels; matmul without bias; 1x1 conv'),
    ('unet', net_unet, 'F32',
     'U-Net-ish 3x37x45: stride-2 conv and ceil maxpool down, dilated bottleneck, bilinear '
     'resize to a skip size, deconv k3 s2 p1 up (19x23 -> 37x45), skip concats, three heads '
     '(tanh, sigmoid with precision f32, softmax with precision f32)'),
    ('unet_bf16', net_unet, 'BF16', 'unet with BF16-stored weights'),
    ('direct_heads', net_direct_heads, 'F32',
     'f32 3x3 stride-1 heads of 1-4 channels (the runtime\'s direct kernel): padding 0 '
     '(sigmoid), 2 (3 channels, none; 2 channels, tanh, no bias), 1 (4 channels, leaky_relu '
     '0.2) on 7 and 17 input channels, 11x19'),
    ('corr_heads', net_corr_heads, 'F32',
     'correlation radius 2 and 1 (inputs swapped) on 9x13, zero outside the image; f32 '
     'heads on one input the runtime merges: 7 (softmax after), 1 (sigmoid), 2 (no bias) '
     'channels 3x3, a 1x1 head left apart, two tanh heads (activation fused)'),
]


# keeps these tanh/sigmoid heads mostly out of saturation (a saturated
# output would hide errors upstream)
WEIGHT_SCALE = {'ab.weight': 0.25}


def seed_of(name):
    return zlib.crc32(name.encode())


def round_to(weights, dtype):
    t = tg.DTYPES[dtype][0]
    return {k: v.to(t).float() for k, v in weights.items()}


def make_net(name, builder, dtype, outdir):
    g = tg.Graph()
    in_shapes = builder(g)
    graph = g.to_dict()
    # Weights and inputs depend on the builder only (not on the dtype), so
    # a *_f16 net is its F32 sibling with rounded weights.
    gen = torch.Generator().manual_seed(seed_of(builder.__name__))
    weights = g.init_weights(gen, bias_std=0.1)
    for k, v in WEIGHT_SCALE.items():
        if k in weights:
            weights[k] = weights[k] * v
    weights = round_to(weights, dtype)
    inputs = {n: torch.randn((1,) + in_shapes[n], generator=gen) for n in g.channels
              if n in in_shapes}
    tg.save_model(os.path.join(outdir, name + '.safetensors'), graph, weights,
                  arch='tinta-test-' + name, dtype=dtype,
                  extra_metadata={'generator': 'training/make_nn_fixtures.py'})

    net = tg.GraphModule(graph, weights)
    with torch.no_grad():
        ref = net.double()(**{k: v.double() for k, v in inputs.items()})
        fp32 = net.float()(**inputs)
        cl = {k: v.contiguous(memory_format=torch.channels_last) for k, v in inputs.items()}
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16 = net.to(memory_format=torch.channels_last)(**cl)
    io = {'input:' + k: v for k, v in inputs.items()}
    io.update({'output:' + k: v.float().contiguous() for k, v in ref.items()})
    tg.save_tensors(os.path.join(outdir, name + '.io.safetensors'), io,
                    {'model': name + '.safetensors', 'reference': 'float64 GraphModule'})
    errs = [(k, (fp32[k].double() - ref[k]).abs().max().item(),
             (bf16[k].double() - ref[k]).abs().max().item(), ref[k].abs().max().item())
            for k in ref]
    return in_shapes, {k: tuple(v.shape[1:]) for k, v in ref.items()}, errs, bool(weights)


# ---------------------------------------------------------------------------
# invalid models: valid safetensors, graph rejected for exactly one reason

def _tiny():
    g = tg.Graph()
    x = g.input('x', 3)
    g.output(g.conv2d('c', x, 2, 3, padding=1))
    return g.to_dict(), {'c.weight': torch.full((2, 3, 3, 3), 0.5), 'c.bias': torch.zeros(2)}


def _edit(fn):
    graph, weights = _tiny()
    meta = {'tinta.arch': 'tinta-test-invalid', 'tinta.version': '1'}
    fn(graph, weights, meta)
    if 'tinta.graph' not in meta:
        meta['tinta.graph'] = json.dumps(graph, separators=(',', ':'))
    meta = {k: v for k, v in meta.items() if v is not None}
    return weights, meta


def _node(graph):
    return graph['nodes'][0]


INVALID = [
    ('unused_weight', 'used by no node',
     lambda g, w, m: w.update({'stray.weight': torch.zeros(1)})),
    ('missing_weight', 'not in the file',
     lambda g, w, m: _node(g).update(weight='nope.weight') or w.pop('c.weight')),
    ('weight_shape', 'does not fit',
     lambda g, w, m: w.update({'c.weight': torch.zeros(2, 2, 3, 3)})),
    ('bias_shape', 'bias c.bias shape',
     lambda g, w, m: w.update({'c.bias': torch.zeros(3)})),
    ('order', 'not defined before',
     lambda g, w, m: g['nodes'].insert(0, {'name': 'r', 'op': 'relu', 'inputs': ['c']})),
    ('duplicate_name', 'duplicate name',
     lambda g, w, m: g['nodes'].append({'name': 'c', 'op': 'relu', 'inputs': ['c']})),
    ('input_name_reused', 'duplicate name',
     lambda g, w, m: g['nodes'].append({'name': 'x', 'op': 'relu', 'inputs': ['c']})),
    ('unknown_op', 'unknown op',
     lambda g, w, m: g['nodes'].append({'name': 'r', 'op': 'gelu', 'inputs': ['c']})),
    ('unknown_attribute', 'unknown attribute',
     lambda g, w, m: _node(g).update(strides=[2, 2])),
    ('arity', 'takes 2 input',
     lambda g, w, m: g['nodes'].append({'name': 'r', 'op': 'add', 'inputs': ['c']})),
    ('channels', '3 and 2 channels',
     lambda g, w, m: g['nodes'].append({'name': 'r', 'op': 'add', 'inputs': ['x', 'c']})),
    ('bad_pair', 'pair of integers',
     lambda g, w, m: _node(g).update(stride=2)),
    ('activation', 'unknown activation',
     lambda g, w, m: _node(g).update(activation='gelu')),
    ('alpha_without_leaky', 'alpha given without',
     lambda g, w, m: _node(g).update(activation='relu', alpha=0.2)),
    ('resize_scale_and_size', 'either scale or',
     lambda g, w, m: g['nodes'].append({'name': 'r', 'op': 'resize', 'inputs': ['c', 'x'],
                                        'mode': 'nearest', 'scale': [2, 2]})),
    ('pool_padding', 'at most half',
     lambda g, w, m: g['nodes'].append({'name': 'p', 'op': 'maxpool', 'inputs': ['c'],
                                        'kernel': [3, 3], 'padding': [2, 2]})),
    ('output_padding', 'smaller than stride',
     lambda g, w, m: (g['nodes'].append({'name': 'd', 'op': 'deconv2d', 'inputs': ['c'],
                                         'weight': 'd.weight', 'stride': [2, 2],
                                         'output_padding': [2, 0]}),
                      w.update({'d.weight': torch.zeros(2, 1, 3, 3)}))),
    ('output_unknown', 'is not a node',
     lambda g, w, m: g['outputs'].append('nope')),
    ('graph_json', 'invalid JSON',
     lambda g, w, m: m.update({'tinta.graph': '{"inputs": ['})),
    ('no_graph', 'tinta.graph missing',
     lambda g, w, m: m.update({'tinta.graph': None})),
    ('version', 'not supported',
     lambda g, w, m: m.update({'tinta.version': '2'})),
]


def make_invalid(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, _, fn in INVALID:
        weights, meta = _edit(fn)
        tg.write_safetensors(os.path.join(outdir, name + '.safetensors'), weights, meta)


# ---------------------------------------------------------------------------

README_HEAD = """# Neural-network fixtures

Generated by the project (no third-party data): small networks with seeded
random weights and their reference outputs, for the parity tests of the C
runtime (`engine/src/nn/`) against the PyTorch twin
(`training/tinta_graph.py`).  Regenerate with

    /usr/bin/python3 training/make_nn_fixtures.py    # Debian's python3-torch

(deterministic: identical bytes on every run; `sha256sum tests/data/nn/*.safetensors`).

For each net `NAME`:

- `NAME.safetensors`: the model (docs/model-format.md), arch `tinta-test-NAME`;
- `NAME.io.safetensors`: `input:<name>` (the graph inputs) and `output:<name>` (every
  graph output), N=1 NCHW float32.  Outputs are computed by `GraphModule` in
  float64 from the weights as stored, then rounded to float32, so they carry no
  float32 accumulation error.  The C runtime stores NHWC: transpose.

`pool` and `resize` have no weights: their model files hold zero tensors (an
empty data block), which the loader must accept.

Tolerance: a float32 run of the twin stays within about 1e-5 of the references
(absolute; outputs are at most ~15 in magnitude); a bf16 run within ~0.06.

| net | weights | inputs (C×H×W) | outputs (C×H×W) | model B | io B | covers |
|---|---|---|---|---|---|---|
"""

README_INVALID = """
## invalid/

Well-formed safetensors files whose graph must be rejected at load, each for
one reason (the Python loader's message contains the text in the last
column).  The base graph is one 3x3 conv `c` on input `x` (3 channels).

| file | rejected because | message contains |
|---|---|---|
"""

INVALID_WHY = {
    'unused_weight': 'a tensor no node uses', 'missing_weight': 'a node names a missing tensor',
    'weight_shape': 'conv weight in-channels do not match the input',
    'bias_shape': 'bias length is not the output channels',
    'order': 'a node uses a node defined after it', 'duplicate_name': 'two nodes named `c`',
    'input_name_reused': 'a node named like a graph input', 'unknown_op': 'op `gelu`',
    'unknown_attribute': 'attribute `strides`', 'arity': '`add` with one input',
    'channels': '`add` of 3 and 2 channels', 'bad_pair': '`stride: 2` instead of `[2, 2]`',
    'activation': 'activation `gelu`', 'alpha_without_leaky': '`alpha` with activation relu',
    'resize_scale_and_size': 'resize with both `scale` and a size input',
    'pool_padding': 'pool padding larger than half the kernel',
    'output_padding': 'deconv output_padding not smaller than stride',
    'output_unknown': 'an output that names no node', 'graph_json': '`tinta.graph` is not JSON',
    'no_graph': 'no `tinta.graph`', 'version': '`tinta.version` 2',
}


# ---------------------------------------------------------------------------
# bundles (docs/model-format.md): parts chosen by arch

def make_bundles(srcdir, outdir):
    """bundle/two.safetensors: parts `first` (the conv_basic fixture's
    network, arch tinta-test-conv_basic) and `second` (conv_groups_f16's, F16);
    the C test runs each part on its fixture's inputs and must get exactly
    the plain file's outputs.  bundle/no_arch.safetensors: part `p` lacks
    its arch (INVALID_DATA)."""
    os.makedirs(outdir, exist_ok=True)
    parts = []
    for part, name in (('first', 'conv_basic'), ('second', 'conv_groups_f16')):
        m = tg.load_model(os.path.join(srcdir, name + '.safetensors'))
        parts.append((part, m.arch, m.graph, m.weights, m.dtype))
    tg.save_bundle(os.path.join(outdir, 'two.safetensors'), parts,
                   extra_metadata={'generator': 'training/make_nn_fixtures.py'})
    graph, weights = _tiny()
    g = json.loads(json.dumps(graph))
    for node in g['nodes']:
        node['weight'], node['bias'] = 'p/' + node['weight'], 'p/' + node['bias']
    tg.write_safetensors(os.path.join(outdir, 'no_arch.safetensors'),
                         {'p/' + k: v for k, v in weights.items()},
                         {'tinta.arch': 'tinta-dvp', 'tinta.version': '1', 'tinta.parts': 'p',
                          'tinta.part.p.graph': json.dumps(g)})


def _chw(shapes):
    return ', '.join('%s %s' % (k, '×'.join(map(str, v))) for k, v in shapes.items())


def main():
    # float64 runs on the single-threaded reference BLAS; a second OpenMP
    # thread only adds wake-ups (2-10x slower when meson runs tests in parallel)
    torch.set_num_threads(1)
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'tests', 'data', 'nn')
    os.makedirs(outdir, exist_ok=True)
    rows = []
    print('%-16s %-22s %10s %10s %10s' % ('net', 'output', 'max|ref|', 'fp32 err', 'bf16 err'))
    for name, builder, dtype, covers in NETS:
        ins, outs, errs, has_weights = make_net(name, builder, dtype, outdir)
        for k, e32, ebf, mag in errs:
            print('%-16s %-22s %10.3g %10.2e %10.2e' % (name, k, mag, e32, ebf))
        sizes = [os.path.getsize(os.path.join(outdir, name + ext))
                 for ext in ('.safetensors', '.io.safetensors')]
        rows.append('| `%s` | %s | %s | %s | %d | %d | %s |' % (
            name, dtype if has_weights else 'none', _chw(ins), _chw(outs), sizes[0], sizes[1],
            covers))
    make_invalid(os.path.join(outdir, 'invalid'))
    make_bundles(outdir, os.path.join(outdir, 'bundle'))
    with open(os.path.join(outdir, 'README.md'), 'w') as f:
        f.write(README_HEAD + '\n'.join(rows) + '\n' + README_INVALID)
        for name, expect, _ in INVALID:
            f.write('| `%s.safetensors` | %s | `%s` |\n' % (name, INVALID_WHY[name], expect))
    total, digest = 0, hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(outdir)):
        for fn in sorted(files):
            p = os.path.join(dirpath, fn)
            total += os.path.getsize(p)
            digest.update(fn.encode() + open(p, 'rb').read())
    print('%s: %d bytes, sha256 of all files %s' % (outdir, total, digest.hexdigest()))


if __name__ == '__main__':
    main()

"""Converts the ncnn SqueezeNet v1.1 in ../shared/pretrained/squeezenet1_1_ncnn_fp16
into a Tinta model file (docs/model-format.md), at build/test time: the
converted weights are not committed.

  --arch features    arch squeezenet1_1-features, outputs conv1, fire3, fire5
                     (post-ReLU; 64/128/256 channels at 1/2, 1/4, 1/8)
  --arch classifier  arch squeezenet1_1, output prob (1000 ImageNet classes)

The graph is translated layer by layer from the .param file, as written
(Caffe ceil-mode pooling, conv10's pad=1).  Our input convention is RGB
float in [0, 255]; Caffe's BGR order and mean (104, 117, 123 in BGR) are
folded into conv1, exact because conv1 has no padding:
conv(x - m) = conv(x) - sum(W * m).  The script checks numerically that
the file equals the original (BGR - mean) network.

    /usr/bin/python3 training/convert_squeezenet.py --arch features OUT.safetensors
        [--ncnn-dir DIR]   # default $TINTA_SHARED_DIR or ../shared, /pretrained/...
"""
import argparse
import hashlib
import importlib.util
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg  # noqa: E402

ROOT = os.path.dirname(HERE)
SUBDIR = os.path.join('pretrained', 'squeezenet1_1_ncnn_fp16')
PARAM, BIN = 'squeezenet_v1.1.param', 'squeezenet_v1.1.bin'
MEAN_BGR = (104.0, 117.0, 123.0)
LICENSE = ('BSD-2-Clause (SqueezeNet v1.1, Iandola et al. 2016; see '
           '../shared/pretrained/squeezenet1_1_ncnn_fp16/LICENSE-squeezenet-BSD-2-Clause.txt)')
SOURCE = ('github:nihui/ncnn-assets models/squeezenet_v1.1.param and .bin (added in commit '
          'a4f6ff5198316e4096d4a4955b58fc6a23c8f3bd, snapshot 9489f876aebdaa846af3786f70ea5da6'
          'be198243): DeepScale SqueezeNet v1.1 Caffe model converted by ncnn caffe2ncnn, '
          'weights stored fp16')
ARCHS = {
    'features': ('squeezenet1_1-features', ['conv1', 'fire3', 'fire5']),
    'classifier': ('squeezenet1_1', ['prob']),
}


def default_ncnn_dir():
    shared = os.environ.get('TINTA_SHARED_DIR') or os.path.join(ROOT, '..', 'shared')
    return os.path.join(shared, SUBDIR)


def import_ncnn2raw(ncnn_dir):
    """The parser shipped beside the weights (used in place, not copied)."""
    spec = importlib.util.spec_from_file_location('ncnn2raw', os.path.join(ncnn_dir, 'ncnn2raw.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _node_name(layer):
    # 'fire2/concat' is the fire module's output: call it 'fire2'
    name = layer['name']
    return name[:-len('/concat')] if name.endswith('/concat') else name


def translate(ncnn_dir):
    """ncnn .param/.bin -> (Graph, float32 weights), the network exactly as
    the .param describes it (input blob 'data' becomes graph input 'x')."""
    n2r = import_ncnn2raw(ncnn_dir)
    layers = n2r.parse_param(os.path.join(ncnn_dir, PARAM))
    g, weights, blob = tg.Graph(), {}, {}
    with open(os.path.join(ncnn_dir, BIN), 'rb') as f:
        for L in layers:
            typ, p, name = L['type'], {k: int(v) for k, v in L['p'].items()}, _node_name(L)
            src = [blob[b] for b in L['bottoms']]
            if typ == 'Input':
                out = g.input('x', p[2])
            elif typ == 'Convolution':
                kw, dw, sw, pl = p[1], p.get(2, 1), p.get(3, 1), p.get(4, 0)
                kh, dh, sh, pt = p.get(11, kw), p.get(12, dw), p.get(13, sw), p.get(14, pl)
                if p.get(15, pl) != pl or p.get(16, pt) != pt or pl < 0 or pt < 0:
                    raise ValueError('%s: asymmetric or SAME padding not supported' % name)
                if p.get(9, 0) not in (0, 1):
                    raise ValueError('%s: activation type %d not supported' % (name, p[9]))
                oc, wsize, cin = p[0], p[6], g.channels[src[0]]
                if wsize != oc * cin * kh * kw:
                    raise ValueError('%s: weight_data_size %d, expected %d'
                                     % (name, wsize, oc * cin * kh * kw))
                w, _ = n2r.read_tagged(f, wsize)
                weights[name + '.weight'] = torch.tensor(w, dtype=torch.float32).view(
                    oc, cin, kh, kw)
                if p.get(5, 0):
                    weights[name + '.bias'] = torch.tensor(
                        struct.unpack('<%df' % oc, f.read(4 * oc)), dtype=torch.float32)
                out = g.conv2d(name, src[0], oc, (kh, kw), stride=(sh, sw), padding=(pt, pl),
                               dilation=(dh, dw), bias=bool(p.get(5, 0)),
                               activation='relu' if p.get(9, 0) == 1 else None)
            elif typ == 'Pooling':
                if p.get(4, 0):
                    if p.get(0, 0) != 1:
                        raise ValueError('%s: only global average pooling' % name)
                    out = g.global_avgpool(name, src[0])
                else:
                    kw, sw, pl, mode = p[1], p.get(2, 1), p.get(3, 0), p.get(5, 0)
                    kh, sh, pt = p.get(11, kw), p.get(12, sw), p.get(13, pl)
                    # ncnn pad_mode 0 ("full") is Caffe's ceil rounding; it equals
                    # PyTorch's ceil_mode when there is no padding and k >= s
                    if p.get(0, 0) != 0 or mode not in (0, 1) or (mode == 0 and (
                            pl or pt or kw < sw or kh < sh)):
                        raise ValueError('%s: pooling variant not supported' % name)
                    out = g.maxpool(name, src[0], (kh, kw), stride=(sh, sw), padding=(pt, pl),
                                    ceil_mode=(mode == 0))
            elif typ == 'Split':
                for top in L['tops']:
                    blob[top] = src[0]
                continue
            elif typ == 'Concat':
                if p.get(0, 0) != 0:
                    raise ValueError('%s: concat axis must be channels' % name)
                out = g.concat(name, *src)
            elif typ == 'Softmax':
                if p.get(0, 0) != 0:
                    raise ValueError('%s: softmax axis must be channels' % name)
                out = g.softmax(name, src[0])
            else:
                raise ValueError('ncnn layer type %s not supported' % typ)
            blob[L['tops'][0]] = out
        rest = f.read()
        if rest:
            raise ValueError('%d bytes left over in %s' % (len(rest), BIN))
    return g, weights


def prune(graph, weights, outputs):
    """Keeps the nodes the outputs depend on, and their weights."""
    nodes = {n['name']: n for n in graph['nodes']}
    keep, todo = set(), list(outputs)
    while todo:
        n = todo.pop()
        if n in nodes and n not in keep:
            keep.add(n)
            todo.extend(nodes[n]['inputs'])
    kept = [n for n in graph['nodes'] if n['name'] in keep]
    used = {n[k] for n in kept for k in ('weight', 'bias') if k in n}
    return ({'inputs': graph['inputs'], 'outputs': list(outputs), 'nodes': kept},
            {k: v for k, v in weights.items() if k in used})


def fold_input_convention(weights):
    """conv1 on RGB in [0, 255] instead of BGR - mean."""
    w = weights['conv1.weight'].double()
    mean = torch.tensor(MEAN_BGR, dtype=torch.float64).view(1, 3, 1, 1)
    out = dict(weights)
    out['conv1.weight'] = w[:, [2, 1, 0]].float()
    out['conv1.bias'] = (weights['conv1.bias'].double() - (w * mean).sum((1, 2, 3))).float()
    return out


def caffe_forward(W, bgr_minus_mean):
    """SqueezeNet v1.1 written out by hand (as in the shared verify_torch.py):
    an implementation independent of the graph translation."""
    def conv(x, name, stride=1, pad=0):
        return F.relu(F.conv2d(x, W[name + '.weight'], W[name + '.bias'], stride=stride,
                               padding=pad))

    def fire(x, n):
        s = conv(x, 'fire%d/squeeze1x1' % n)
        return torch.cat([conv(s, 'fire%d/expand1x1' % n),
                          conv(s, 'fire%d/expand3x3' % n, pad=1)], 1)

    out = {}
    x = out['conv1'] = conv(bgr_minus_mean, 'conv1', stride=2)
    x = F.max_pool2d(x, 3, 2, ceil_mode=True)
    x = out['fire3'] = fire(fire(x, 2), 3)
    x = F.max_pool2d(x, 3, 2, ceil_mode=True)
    x = out['fire5'] = fire(fire(x, 4), 5)
    x = F.max_pool2d(x, 3, 2, ceil_mode=True)
    for n in (6, 7, 8, 9):
        x = fire(x, n)
    x = conv(x, 'conv10', pad=1).mean((2, 3), keepdim=True)
    out['prob'] = F.softmax(x, 1)
    return out


def verify(graph, folded, original, size=(73, 69), tol=1e-4):
    """The converted model on RGB equals the original network (all of
    its weights in `original`) on BGR - mean, in float64: only the float32
    rounding of the folded conv1 differs.  73x69: ceil rounding changes the
    size at pool1 and pool3."""
    gen = torch.Generator().manual_seed(0)
    rgb = torch.rand((1, 3) + size, generator=gen, dtype=torch.float64) * 255
    mean = torch.tensor(MEAN_BGR, dtype=torch.float64).view(1, 3, 1, 1)
    with torch.no_grad():
        got = tg.GraphModule(graph, folded).double()(rgb)
        want = caffe_forward({k: v.double() for k, v in original.items()},
                             rgb[:, [2, 1, 0]] - mean)
    report = []
    for k, v in got.items():
        err = (v - want[k]).abs().max().item()
        report.append('%s %s max|diff| %.2e (max|ref| %.3g)'
                      % (k, 'x'.join(map(str, v.shape[1:])), err, want[k].abs().max().item()))
        if err > tol:
            raise AssertionError('conversion check failed: ' + report[-1])
    return report


def sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def convert(arch, out_path, ncnn_dir):
    arch_name, outputs = ARCHS[arch]
    g, weights = translate(ncnn_dir)
    graph, kept = prune(g.to_dict(), weights, outputs)
    folded = fold_input_convention(kept)
    report = verify(graph, folded, weights)
    tg.save_model(out_path, graph, folded, arch=arch_name, dtype='F32', extra_metadata={
        'license': LICENSE,
        'source': SOURCE,
        'source_sha256': '%s %s, %s %s' % (PARAM, sha256(os.path.join(ncnn_dir, PARAM)),
                                           BIN, sha256(os.path.join(ncnn_dir, BIN))),
        'input': 'x: RGB float in [0, 255] (NHWC in the C runtime); Caffe BGR order and mean '
                 '(104, 117, 123) are folded into conv1',
        'converted_by': 'training/convert_squeezenet.py --arch ' + arch,
    })
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', choices=sorted(ARCHS), required=True)
    ap.add_argument('--ncnn-dir', default=None)
    ap.add_argument('out')
    args = ap.parse_args()
    # float64 runs on the single-threaded reference BLAS; a second OpenMP
    # thread only adds wake-ups (2-10x slower when meson runs tests in parallel)
    torch.set_num_threads(1)
    t0 = time.time()
    report = convert(args.arch, args.out, args.ncnn_dir or default_ncnn_dir())
    for line in report:
        print('  check', line)
    print('%s: %s written in %.2f s' % (args.out, ARCHS[args.arch][0], time.time() - t0))


if __name__ == '__main__':
    main()

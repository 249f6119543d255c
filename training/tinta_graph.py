"""PyTorch twin of Tinta's C network runtime (engine/src/nn/).

A Tinta network is a safetensors file whose metadata holds a JSON graph
(docs/model-format.md).  This module is the Python side of that format:

  * `Graph`: builds a graph node by node and records the weight shapes;
  * `validate_graph` / `infer_shapes`: the loader's and the planner's checks
    (node order, unique names, arities, attributes, weight shapes, unused
    weights, sizes), so a file PyTorch writes is one the C loader accepts;
  * `GraphModule`: runs a graph on a dict of weights (trainable
    nn.Parameters), channels_last and bf16 autocast friendly;
  * `save_model` / `load_model`, `save_tensors` / `load_tensors`: a
    dependency-free safetensors writer/reader (json + struct), byte for byte
    the layout `engine/src/nn/safetensors.h` validates.

    import torch, tinta_graph as tg
    g = tg.Graph()
    x = g.input('x', 3)
    h = g.conv2d('conv1', x, 16, kernel=3, padding=1, activation='relu')
    g.output(g.resize('up', h, mode='bilinear', scale=2))
    weights = g.init_weights(torch.Generator().manual_seed(0))
    net = tg.GraphModule(g.to_dict(), weights)
    out = net(torch.rand(1, 3, 17, 23))['up']
    tg.save_model('net.safetensors', g.to_dict(), net.export_weights(), arch='demo')

Run with Debian's PyTorch: /usr/bin/python3 (tests: training/test_tinta_graph.py).
"""
import json
import re
import math
import os
import struct

import torch
import torch.nn.functional as F

FORMAT_VERSION = 1

# name -> (torch dtype, bytes per element)
DTYPES = {
    'F32': (torch.float32, 4),
    'F16': (torch.float16, 2),
    'BF16': (torch.bfloat16, 2),
}
_DTYPE_NAME = {v[0]: k for k, v in DTYPES.items()}

ACTIVATIONS = ('relu', 'leaky_relu', 'sigmoid', 'tanh')
LEAKY_DEFAULT_ALPHA = 0.01

# Attributes each op accepts besides name/op/inputs/precision; anything else
# is an error (a misspelt "strid" must not silently mean stride 1).
_OP_ATTRS = {
    'conv2d': {'weight', 'bias', 'stride', 'padding', 'dilation', 'groups', 'activation', 'alpha'},
    'deconv2d': {'weight', 'bias', 'stride', 'padding', 'output_padding', 'groups',
                 'activation', 'alpha'},
    'maxpool': {'kernel', 'stride', 'padding', 'ceil_mode'},
    'avgpool': {'kernel', 'stride', 'padding', 'ceil_mode', 'count_include_pad'},
    'global_avgpool': set(),
    'resize': {'mode', 'scale'},
    'relu': set(), 'sigmoid': set(), 'tanh': set(),
    'leaky_relu': {'alpha'},
    'concat': set(), 'add': set(), 'mul': set(), 'softmax': set(),
    'matmul': {'weight', 'bias'},
    'correlation': {'radius'},
}
_OP_ARITY = {op: (1, 1) for op in _OP_ATTRS}
_OP_ARITY.update({'resize': (1, 2), 'concat': (2, None), 'add': (2, 2), 'mul': (2, 2),
                  'correlation': (2, 2)})
MAX_CORR_RADIUS = 16     # NN_MAX_CORR_RADIUS of engine/src/nn/graph.h


class GraphError(ValueError):
    """A graph, model file or tensor file the C runtime would reject."""


# ---------------------------------------------------------------------------
# safetensors

def _check_str_dict(d, what):
    if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in d.items()):
        raise GraphError('%s must map strings to strings' % what)


def _tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    if t.dtype == torch.float16:
        return t.numpy().astype('<f2').tobytes()
    return t.numpy().astype('<f4').tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: float32/float16/bfloat16 tensor} atomically.  Tensors
    are laid out widest dtype first, then by name, so equal input gives
    equal bytes; the JSON header is padded with spaces to a multiple of 8."""
    header = {}
    if metadata:
        _check_str_dict(metadata, '__metadata__')
        header['__metadata__'] = dict(metadata)
    order = []
    for name, t in tensors.items():
        if not isinstance(name, str) or not name or name == '__metadata__':
            raise GraphError('bad tensor name %r' % (name,))
        if t.dtype not in _DTYPE_NAME:
            raise GraphError('tensor %s: dtype %s not storable (F32, F16, BF16 only)'
                             % (name, t.dtype))
        order.append((-DTYPES[_DTYPE_NAME[t.dtype]][1], name))
    blobs, offset = [], 0
    for _, name in sorted(order):
        t = tensors[name]
        raw = _tensor_bytes(t)
        header[name] = {'dtype': _DTYPE_NAME[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
    js += b' ' * (-len(js) % 8)
    tmp = '%s.tmp%d' % (path, os.getpid())
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(js)))
        f.write(js)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise GraphError('duplicate JSON key %r' % k)
        d[k] = v
    return d


def _reject_constant(name):
    raise GraphError('non-standard JSON constant %s' % name)


def _strict_json(text):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        if isinstance(e, GraphError):
            raise
        raise GraphError('invalid JSON: %s' % e) from None


def read_safetensors(path):
    """Returns ({name: tensor in its stored dtype}, metadata dict), after
    the checks of engine/src/nn/safetensors.h."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise GraphError('%s: truncated (no header length)' % path)
    n = struct.unpack('<Q', data[:8])[0]
    if n > len(data) - 8:
        raise GraphError('%s: truncated (header says %d bytes)' % (path, n))
    try:
        header = _strict_json(data[8:8 + n].decode('utf-8'))
    except UnicodeDecodeError:
        raise GraphError('%s: header is not UTF-8' % path) from None
    if not isinstance(header, dict):
        raise GraphError('%s: header is not an object' % path)
    metadata = header.pop('__metadata__', {})
    _check_str_dict(metadata, '__metadata__')
    block = memoryview(data)[8 + n:]
    spans, tensors = [], {}
    for name, e in header.items():
        if not name or not isinstance(e, dict) or set(e) != {'dtype', 'shape', 'data_offsets'}:
            raise GraphError('tensor %r: bad entry' % name)
        if e['dtype'] not in DTYPES:
            raise GraphError('tensor %s: unsupported dtype %r' % (name, e['dtype']))
        shape, offs = e['shape'], e['data_offsets']
        if (not isinstance(shape, list) or len(shape) > 8
                or not all(type(d) is int and d >= 0 for d in shape)):
            raise GraphError('tensor %s: bad shape' % name)
        if (not isinstance(offs, list) or len(offs) != 2
                or not all(type(o) is int for o in offs)
                or not 0 <= offs[0] <= offs[1] <= len(block)):
            raise GraphError('tensor %s: bad data_offsets' % name)
        dtype, size = DTYPES[e['dtype']]
        if math.prod(shape) * size != offs[1] - offs[0]:
            raise GraphError('tensor %s: size does not match its shape' % name)
        spans.append((offs[0], offs[1], name))
        raw = bytearray(block[offs[0]:offs[1]])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(shape)
    end = 0
    for begin, stop, name in sorted(spans):
        if begin != end:
            raise GraphError('tensor %s: data block has a hole or an overlap' % name)
        end = stop
    if end != len(block):
        raise GraphError('data block not fully covered by tensors')
    return tensors, metadata


def save_tensors(path, tensors, metadata=None):
    """Plain tensor file (reference inputs/outputs); tensors stay in their
    dtype (float32, float16 or bfloat16)."""
    write_safetensors(path, tensors, metadata)


def load_tensors(path):
    return read_safetensors(path)[0]


# ---------------------------------------------------------------------------
# graph validation

_PAIR_ATTRS = ('kernel', 'stride', 'padding', 'dilation', 'output_padding', 'scale')


def _pair(v, what, lo, allow_int=False):
    if allow_int and type(v) is int:
        v = [v, v]
    if (not isinstance(v, (list, tuple)) or len(v) != 2
            or not all(type(e) is int and e >= lo for e in v)):
        raise GraphError('%s must be a [y, x] pair of integers >= %d' % (what, lo))
    return [v[0], v[1]]


def _normalize(node, where):
    """Node with every attribute present (defaults filled in), checked for
    types and ranges that do not depend on tensor shapes."""
    op = node['op']
    extra = set(node) - {'name', 'op', 'inputs', 'precision'} - _OP_ATTRS[op]
    if extra:
        raise GraphError('%s: unknown attribute(s) %s' % (where, ', '.join(sorted(extra))))
    s = {'name': node['name'], 'op': op, 'inputs': list(node['inputs'])}
    prec = node.get('precision')
    if prec not in (None, 'f32'):
        raise GraphError('%s: precision must be "f32"' % where)
    s['precision'] = prec

    def flag(key, default):
        v = node.get(key, default)
        if type(v) is not bool:
            raise GraphError('%s: %s must be true or false' % (where, key))
        return v

    def alpha(default):
        v = node.get('alpha', default)
        if type(v) not in (int, float) or not math.isfinite(v):
            raise GraphError('%s: alpha must be a finite number' % where)
        return float(v)

    if op in ('conv2d', 'deconv2d'):
        s['stride'] = _pair(node.get('stride', [1, 1]), where + ': stride', 1)
        s['padding'] = _pair(node.get('padding', [0, 0]), where + ': padding', 0)
        if op == 'conv2d':
            s['dilation'] = _pair(node.get('dilation', [1, 1]), where + ': dilation', 1)
        else:
            s['dilation'] = [1, 1]
            s['output_padding'] = _pair(node.get('output_padding', [0, 0]),
                                        where + ': output_padding', 0)
            if any(o >= st for o, st in zip(s['output_padding'], s['stride'])):
                raise GraphError('%s: output_padding must be smaller than stride' % where)
        g = node.get('groups', 1)
        if type(g) is not int or g < 1:
            raise GraphError('%s: groups must be an integer >= 1' % where)
        s['groups'] = g
        act = node.get('activation')
        if act is not None and act not in ACTIVATIONS:
            raise GraphError('%s: unknown activation %r' % (where, act))
        s['activation'] = act
        if 'alpha' in node and act != 'leaky_relu':
            raise GraphError('%s: alpha given without activation leaky_relu' % where)
        s['alpha'] = alpha(LEAKY_DEFAULT_ALPHA)
    elif op in ('maxpool', 'avgpool'):
        if 'kernel' not in node:
            raise GraphError('%s: kernel missing' % where)
        s['kernel'] = _pair(node['kernel'], where + ': kernel', 1)
        s['stride'] = _pair(node.get('stride', s['kernel']), where + ': stride', 1)
        s['padding'] = _pair(node.get('padding', [0, 0]), where + ': padding', 0)
        if any(p > k // 2 for p, k in zip(s['padding'], s['kernel'])):
            raise GraphError('%s: padding must be at most half the kernel' % where)
        s['ceil_mode'] = flag('ceil_mode', False)
        if op == 'avgpool':
            s['count_include_pad'] = flag('count_include_pad', True)
    elif op == 'resize':
        if node.get('mode') not in ('bilinear', 'nearest'):
            raise GraphError('%s: mode must be "bilinear" or "nearest"' % where)
        s['mode'] = node['mode']
        if ('scale' in node) == (len(s['inputs']) == 2):
            raise GraphError('%s: give either scale or a second input (the target size)' % where)
        s['scale'] = _pair(node['scale'], where + ': scale', 1) if 'scale' in node else None
    elif op == 'leaky_relu':
        s['alpha'] = alpha(LEAKY_DEFAULT_ALPHA)
    elif op == 'correlation':
        r = node.get('radius')
        if type(r) is not int or not 0 <= r <= MAX_CORR_RADIUS:
            raise GraphError('%s: radius must be an integer in 0..%d' % (where, MAX_CORR_RADIUS))
        s['radius'] = r
    for key in ('weight', 'bias'):
        if key in _OP_ATTRS[op]:
            v = node.get(key)
            if key == 'weight' and v is None:
                raise GraphError('%s: weight missing' % where)
            if v is not None and (not isinstance(v, str) or not v):
                raise GraphError('%s: %s must be a tensor name' % (where, key))
            s[key] = v
    return s


def validate_graph(graph, weight_shapes):
    """Checks a graph (dict or JSON text) against {weight name: shape}.
    Returns (normalized graph dict, {tensor name: channels}).  Raises
    GraphError naming the node at fault."""
    if isinstance(graph, str):
        graph = _strict_json(graph)
    if not isinstance(graph, dict) or set(graph) != {'inputs', 'outputs', 'nodes'}:
        raise GraphError('graph must be an object with exactly inputs, outputs, nodes')
    channels = {}
    inputs = graph['inputs']
    if not isinstance(inputs, list) or not inputs:
        raise GraphError('graph needs at least one input')
    for i in inputs:
        if not isinstance(i, dict) or set(i) != {'name', 'channels'}:
            raise GraphError('input %r: needs exactly name and channels' % (i,))
        if not isinstance(i['name'], str) or not i['name']:
            raise GraphError('input name must be a non-empty string')
        if type(i['channels']) is not int or i['channels'] < 1:
            raise GraphError('input %s: channels must be an integer >= 1' % i['name'])
        if i['name'] in channels:
            raise GraphError('duplicate name %s' % i['name'])
        channels[i['name']] = i['channels']
    if not isinstance(graph['nodes'], list):
        raise GraphError('nodes must be a list')
    used = set()
    nodes = []
    for index, node in enumerate(graph['nodes']):
        where = 'node %d' % index
        if not isinstance(node, dict) or not isinstance(node.get('name'), str) or not node['name']:
            raise GraphError('%s: needs a non-empty name' % where)
        name = node['name']
        where = 'node %s' % name
        if name in channels:
            raise GraphError('duplicate name %s' % name)
        if node.get('op') not in _OP_ATTRS:
            raise GraphError('%s: unknown op %r' % (where, node.get('op')))
        op = node['op']
        ins = node.get('inputs')
        lo, hi = _OP_ARITY[op]
        if (not isinstance(ins, list) or len(ins) < lo or (hi is not None and len(ins) > hi)):
            count = (lo if lo == hi else '%d or more' % lo if hi is None
                     else '%d to %d' % (lo, hi))
            raise GraphError('%s: %s takes %s input(s)' % (where, op, count))
        for i in ins:
            if not isinstance(i, str) or i not in channels:
                raise GraphError('%s: input %r is not defined before it' % (where, i))
        s = _normalize(node, where)
        cin = [channels[i] for i in ins]

        def shape_of(key):
            wname = s.get(key)
            if wname is None:
                return None
            if wname not in weight_shapes:
                raise GraphError('%s: %s tensor %s not in the file' % (where, key, wname))
            used.add(wname)
            return tuple(weight_shapes[wname])

        w, b = shape_of('weight'), shape_of('bias')
        if op == 'conv2d':
            g = s['groups']
            if (len(w) != 4 or cin[0] % g or w[0] % g or w[1] * g != cin[0]
                    or w[2] < 1 or w[3] < 1):
                raise GraphError('%s: weight %s shape %s does not fit %d input channels, groups %d'
                                 % (where, s['weight'], list(w), cin[0], g))
            cout = w[0]
        elif op == 'deconv2d':
            g = s['groups']
            if len(w) != 4 or w[0] != cin[0] or cin[0] % g or w[1] < 1 or w[2] < 1 or w[3] < 1:
                raise GraphError('%s: weight %s shape %s does not fit %d input channels, groups %d'
                                 % (where, s['weight'], list(w), cin[0], g))
            cout = w[1] * g
        elif op == 'matmul':
            if len(w) != 2 or w[0] != cin[0] or w[1] < 1:
                raise GraphError('%s: weight %s shape %s is not (%d, K)'
                                 % (where, s['weight'], list(w), cin[0]))
            cout = w[1]
        elif op == 'concat':
            cout = sum(cin)
        elif op in ('add', 'mul'):
            if cin[1] not in (cin[0], 1):
                raise GraphError('%s: %d and %d channels (the second may have 1)'
                                 % (where, cin[0], cin[1]))
            cout = cin[0]
        elif op == 'correlation':
            if cin[1] != cin[0]:
                raise GraphError('%s: inputs of %d and %d channels' % (where, cin[0], cin[1]))
            cout = (2 * s['radius'] + 1) ** 2
        else:
            cout = cin[0]
        if b is not None and b != (cout,):
            raise GraphError('%s: bias %s shape %s, expected [%d]'
                             % (where, s['bias'], list(b), cout))
        channels[name] = cout
        nodes.append(s)
    outs = graph['outputs']
    node_names = {s['name'] for s in nodes}
    if not isinstance(outs, list) or not outs:
        raise GraphError('graph needs at least one output')
    for o in outs:
        if not isinstance(o, str) or o not in node_names:
            raise GraphError('output %r is not a node' % (o,))
    if len(set(outs)) != len(outs):
        raise GraphError('outputs listed twice')
    unused = sorted(set(weight_shapes) - used)
    if unused:
        raise GraphError('tensor(s) used by no node: %s' % ', '.join(unused))
    norm = {'inputs': [dict(i) for i in inputs], 'outputs': list(outs), 'nodes': nodes}
    return norm, channels


def conv_out(n, k, s, p, d=1):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def pool_out(n, k, s, p, ceil_mode):
    """PyTorch's pooling size: with ceil_mode the last window may hang over
    the right edge, but must start inside the input or its left padding."""
    if not ceil_mode:
        return (n + 2 * p - k) // s + 1
    out = -(-(n + 2 * p - k) // s) + 1
    if (out - 1) * s >= n + p:
        out -= 1
    return out


def deconv_out(n, k, s, p, op):
    return (n - 1) * s - 2 * p + k + op


def infer_shapes(graph, weight_shapes, sizes):
    """{name: (C, H, W)} of every input and node for input sizes
    {input name: (H, W)}; GraphError if a size drops below 1 or inputs of
    add/mul/concat disagree (what the C planner checks)."""
    norm, channels = validate_graph(graph, weight_shapes)
    hw = {}
    for i in norm['inputs']:
        h, w = sizes[i['name']]
        if h < 1 or w < 1:
            raise GraphError('input %s: empty size' % i['name'])
        hw[i['name']] = (h, w)
    for s in norm['nodes']:
        op, (h, w) = s['op'], hw[s['inputs'][0]]
        if op == 'conv2d':
            size = [conv_out(n, k, st, p, d) for n, k, st, p, d in zip(
                (h, w), weight_shapes[s['weight']][2:], s['stride'], s['padding'], s['dilation'])]
        elif op == 'deconv2d':
            size = [deconv_out(n, k, st, p, o) for n, k, st, p, o in zip(
                (h, w), weight_shapes[s['weight']][2:], s['stride'], s['padding'],
                s['output_padding'])]
        elif op in ('maxpool', 'avgpool'):
            if any(n + 2 * p < k for n, k, p in zip((h, w), s['kernel'], s['padding'])):
                size = [0, 0]
            else:
                size = [pool_out(n, k, st, p, s['ceil_mode']) for n, k, st, p in zip(
                    (h, w), s['kernel'], s['stride'], s['padding'])]
        elif op == 'global_avgpool':
            size = [1, 1]
        elif op == 'resize':
            size = ([h * s['scale'][0], w * s['scale'][1]] if s['scale']
                    else list(hw[s['inputs'][1]]))
        else:
            size = [h, w]
            if op in ('add', 'mul', 'concat', 'correlation'):
                for i in s['inputs'][1:]:
                    if hw[i] != (h, w):
                        raise GraphError('node %s: inputs of different sizes %s and %s'
                                         % (s['name'], (h, w), hw[i]))
        if size[0] < 1 or size[1] < 1:
            raise GraphError('node %s: output would be empty for this input size' % s['name'])
        hw[s['name']] = tuple(size)
    return {n: (channels[n],) + hw[n] for n in hw}


# ---------------------------------------------------------------------------
# builder

class Graph:
    """Builds a graph; each method appends a node and returns its name.
    Attributes left as None are omitted from the JSON (format defaults)."""

    def __init__(self):
        self.inputs, self.outputs, self.nodes = [], [], []
        self.channels, self.weight_shapes = {}, {}

    def input(self, name, channels):
        self.inputs.append({'name': name, 'channels': channels})
        self.channels[name] = channels
        return name

    def output(self, *names):
        self.outputs.extend(names)
        return names[0] if len(names) == 1 else names

    def _add(self, name, op, inputs, channels, **attrs):
        node = {'name': name, 'op': op, 'inputs': list(inputs)}
        node.update({k: (_pair(v, k, 0, allow_int=True) if k in _PAIR_ATTRS else v)
                     for k, v in attrs.items() if v is not None})
        self.nodes.append(node)
        self.channels[name] = channels
        return name

    def _weights(self, name, wshape, bias, cout, weight, bias_name):
        weight = weight or name + '.weight'
        self.weight_shapes[weight] = tuple(wshape)
        if bias:
            bias_name = bias_name or name + '.bias'
            self.weight_shapes[bias_name] = (cout,)
        else:
            bias_name = None
        return weight, bias_name

    def conv2d(self, name, x, out_channels, kernel, stride=None, padding=None, dilation=None,
               groups=None, bias=True, activation=None, alpha=None, weight=None,
               bias_name=None, precision=None):
        kh, kw = _pair(kernel, 'kernel', 1, allow_int=True)
        w, b = self._weights(name, (out_channels, self.channels[x] // (groups or 1), kh, kw),
                             bias, out_channels, weight, bias_name)
        return self._add(name, 'conv2d', [x], out_channels, weight=w, bias=b, stride=stride,
                         padding=padding, dilation=dilation, groups=groups,
                         activation=activation, alpha=alpha, precision=precision)

    def deconv2d(self, name, x, out_channels, kernel, stride=None, padding=None,
                 output_padding=None, groups=None, bias=True, activation=None, alpha=None,
                 weight=None, bias_name=None, precision=None):
        kh, kw = _pair(kernel, 'kernel', 1, allow_int=True)
        w, b = self._weights(name, (self.channels[x], out_channels // (groups or 1), kh, kw),
                             bias, out_channels, weight, bias_name)
        return self._add(name, 'deconv2d', [x], out_channels, weight=w, bias=b, stride=stride,
                         padding=padding, output_padding=output_padding, groups=groups,
                         activation=activation, alpha=alpha, precision=precision)

    def maxpool(self, name, x, kernel, stride=None, padding=None, ceil_mode=None):
        return self._add(name, 'maxpool', [x], self.channels[x], kernel=kernel, stride=stride,
                         padding=padding, ceil_mode=ceil_mode)

    def avgpool(self, name, x, kernel, stride=None, padding=None, ceil_mode=None,
                count_include_pad=None):
        return self._add(name, 'avgpool', [x], self.channels[x], kernel=kernel, stride=stride,
                         padding=padding, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad)

    def global_avgpool(self, name, x):
        return self._add(name, 'global_avgpool', [x], self.channels[x])

    def resize(self, name, x, mode, scale=None, size_of=None):
        return self._add(name, 'resize', [x] + ([size_of] if size_of else []),
                         self.channels[x], mode=mode, scale=scale)

    def activation(self, name, x, op, alpha=None, precision=None):
        return self._add(name, op, [x], self.channels[x], alpha=alpha, precision=precision)

    def concat(self, name, *xs):
        return self._add(name, 'concat', xs, sum(self.channels[x] for x in xs))

    def add(self, name, a, b):
        return self._add(name, 'add', [a, b], self.channels[a])

    def mul(self, name, a, b):
        return self._add(name, 'mul', [a, b], self.channels[a])

    def softmax(self, name, x, precision=None):
        return self._add(name, 'softmax', [x], self.channels[x], precision=precision)

    def correlation(self, name, a, b, radius):
        """Cost volume of a against b shifted by every offset in
        [-radius, radius]^2 (see correlation())."""
        if self.channels[a] != self.channels[b]:
            raise GraphError('correlation %s: inputs of %d and %d channels'
                             % (name, self.channels[a], self.channels[b]))
        return self._add(name, 'correlation', [a, b], (2 * radius + 1) ** 2, radius=radius)

    def matmul(self, name, x, out_channels, bias=True, weight=None, bias_name=None):
        w, b = self._weights(name, (self.channels[x], out_channels), bias, out_channels,
                             weight, bias_name)
        return self._add(name, 'matmul', [x], out_channels, weight=w, bias=b)

    def to_dict(self):
        return {'inputs': [dict(i) for i in self.inputs], 'outputs': list(self.outputs),
                'nodes': [dict(n) for n in self.nodes]}

    def init_weights(self, generator, bias_std=0.0):
        """He-normal weights (fan-in), biases N(0, bias_std); float32."""
        return init_weights(self.to_dict(), self.weight_shapes, generator, bias_std)


def init_weights(graph, weight_shapes, generator, bias_std=0.0):
    norm, _ = validate_graph(graph, weight_shapes)
    out = {}
    for s in norm['nodes']:
        if 'weight' not in s or s['weight'] in out:
            continue
        shape = weight_shapes[s['weight']]
        if s['op'] == 'conv2d':
            fan_in = shape[1] * shape[2] * shape[3]
        elif s['op'] == 'deconv2d':
            fan_in = max(1, shape[0] // s['groups'] * shape[2] * shape[3]
                         // (s['stride'][0] * s['stride'][1]))
        else:
            fan_in = shape[0]
        out[s['weight']] = torch.randn(shape, generator=generator) * math.sqrt(2.0 / fan_in)
        if s.get('bias'):
            out[s['bias']] = torch.randn(weight_shapes[s['bias']], generator=generator) * bias_std
    return out


# ---------------------------------------------------------------------------
# PyTorch execution

_LOW_PRECISION = (torch.bfloat16, torch.float16)


def _activate(x, act, alpha):
    if act == 'relu':
        return F.relu(x)
    if act == 'leaky_relu':
        return F.leaky_relu(x, alpha)
    if act == 'sigmoid':
        return torch.sigmoid(x)
    if act == 'tanh':
        return torch.tanh(x)
    return x


def _same_dtype(xs):
    dt = xs[0].dtype
    for x in xs[1:]:
        dt = torch.promote_types(dt, x.dtype)
    return [x.to(dt) for x in xs]


def correlation(a, b, radius):
    """The cost volume (op `correlation`): channel (dy+R)(2R+1) + dx+R at p
    is mean_c a_c(p) b_c(p + (dy, dx)) for dy, dx in [-R, R], b taken as 0
    outside the image.  Plain slicing, so autograd and channels_last work;
    low-precision inputs are computed in float32, as the C runtime does."""
    if a.dtype in _LOW_PRECISION or b.dtype in _LOW_PRECISION:
        a, b = a.float(), b.float()
    k = 2 * radius + 1
    h, w = a.shape[2:]
    bp = F.pad(b, (radius, radius, radius, radius))
    return torch.stack([(a * bp[:, :, i:i + h, j:j + w]).mean(1)
                        for i in range(k) for j in range(k)], 1)


def run_node(s, xs, W):
    """One node, PyTorch reference semantics.  `s` is a normalized node,
    `xs` its input tensors (N, C, H, W), `W` maps weight names to tensors."""
    op = s['op']
    x = xs[0]
    if op == 'conv2d':
        y = F.conv2d(x, W[s['weight']], W[s['bias']] if s['bias'] else None,
                     s['stride'], s['padding'], s['dilation'], s['groups'])
        return _activate(y, s['activation'], s['alpha'])
    if op == 'deconv2d':
        y = F.conv_transpose2d(x, W[s['weight']], W[s['bias']] if s['bias'] else None,
                               s['stride'], s['padding'], s['output_padding'], s['groups'])
        return _activate(y, s['activation'], s['alpha'])
    if op == 'maxpool':
        return F.max_pool2d(x, s['kernel'], s['stride'], s['padding'], ceil_mode=s['ceil_mode'])
    if op == 'avgpool':
        return F.avg_pool2d(x, s['kernel'], s['stride'], s['padding'], ceil_mode=s['ceil_mode'],
                            count_include_pad=s['count_include_pad'])
    if op == 'global_avgpool':
        return x.mean((2, 3), keepdim=True)
    if op == 'resize':
        kw = {'align_corners': False} if s['mode'] == 'bilinear' else {}
        if s['scale']:
            return F.interpolate(x, scale_factor=[float(v) for v in s['scale']],
                                 mode=s['mode'], **kw)
        return F.interpolate(x, size=list(xs[1].shape[2:]), mode=s['mode'], **kw)
    if op in ('relu', 'sigmoid', 'tanh', 'leaky_relu'):
        return _activate(x, op, s.get('alpha'))
    if op == 'concat':
        return torch.cat(_same_dtype(xs), 1)
    if op == 'add':
        return xs[0] + xs[1]
    if op == 'mul':
        return xs[0] * xs[1]
    if op == 'softmax':
        return F.softmax(x.float() if x.dtype in _LOW_PRECISION else x, 1)
    if op == 'correlation':
        return correlation(xs[0], xs[1], s['radius'])
    if op == 'matmul':
        # einsum('nchw,ck->nkhw') as a 1x1 convolution: same function, and
        # the fast (mkldnn, autocast) path in PyTorch.
        w = W[s['weight']]
        return F.conv2d(x, w.t().reshape(w.shape[1], w.shape[0], 1, 1),
                        W[s['bias']] if s['bias'] else None)
    raise GraphError('unknown op %s' % op)


class GraphModule(torch.nn.Module):
    """Runs a Tinta graph.  Weights become nn.Parameters (trainable); the
    module's dtype, device and memory format follow the usual .to(...).

    forward(*inputs, outputs=None, **named_inputs) takes the graph inputs
    in order or by name (N, C, H, W) and returns {name: tensor} for the
    graph outputs, or for the node names in `outputs`."""

    def __init__(self, graph, weights):
        super().__init__()
        shapes = {k: tuple(v.shape) for k, v in weights.items()}
        self.graph, self.channels = validate_graph(graph, shapes)
        self.weight_names = sorted(weights)
        # ParameterDict keys may not contain '.', which weight names do.
        self.params = torch.nn.ParameterList(
            [torch.nn.Parameter(weights[n].detach().clone().float()) for n in self.weight_names])
        self.input_names = [i['name'] for i in self.graph['inputs']]
        last_use = {}
        for idx, s in enumerate(self.graph['nodes']):
            for i in s['inputs']:
                last_use[i] = idx
        self._last_use = last_use

    def weight_dict(self):
        return dict(zip(self.weight_names, self.params))

    def export_weights(self):
        """{weight name: float32 CPU tensor}, ready for save_model."""
        return {n: p.detach().float().cpu().contiguous() for n, p in self.weight_dict().items()}

    def forward(self, *args, outputs=None, **kwargs):
        if len(args) + len(kwargs) != len(self.input_names):
            raise GraphError('expected inputs %s' % ', '.join(self.input_names))
        env = dict(zip(self.input_names, args))
        env.update(kwargs)
        for name in self.input_names:
            x = env.get(name)
            if x is None or x.dim() != 4 or x.shape[1] != self.channels[name]:
                raise GraphError('input %s must be (N, %d, H, W)' % (name, self.channels[name]))
        want = set(outputs or self.graph['outputs'])
        W = self.weight_dict()
        autocast = torch.is_autocast_cpu_enabled() or torch.is_autocast_enabled()
        for idx, s in enumerate(self.graph['nodes']):
            xs = [env[i] for i in s['inputs']]
            if s['precision'] == 'f32' and autocast:
                dev = 'cuda' if xs[0].is_cuda else 'cpu'
                with torch.autocast(dev, enabled=False):
                    y = run_node(s, [x.float() if x.dtype in _LOW_PRECISION else x for x in xs], W)
            else:
                y = run_node(s, xs, W)
            env[s['name']] = y
            for i in set(s['inputs']):   # free activations nobody needs any more
                if self._last_use[i] == idx and i not in want and i not in self.input_names:
                    del env[i]
        missing = want - set(env)
        if missing:
            raise GraphError('unknown output(s) %s' % ', '.join(sorted(missing)))
        return {n: env[n] for n in (outputs or self.graph['outputs'])}


# ---------------------------------------------------------------------------
# model files

class Model:
    """A loaded model file: graph (as stored), weights converted to float32,
    metadata, and the stored dtype ('F32', 'F16', 'BF16'; None without
    weights)."""

    def __init__(self, graph, weights, metadata, dtype):
        self.graph, self.weights, self.metadata, self.dtype = graph, weights, metadata, dtype
        self.arch = metadata['tinta.arch']

    def module(self):
        return GraphModule(self.graph, self.weights)


def save_model(path, graph, weights, arch, version=FORMAT_VERSION, dtype='F32',
               extra_metadata=None):
    """Validates and writes a model file; weights (any float dtype) are
    stored as `dtype` with round-to-nearest-even."""
    if dtype not in DTYPES:
        raise GraphError('dtype must be one of %s' % ', '.join(DTYPES))
    if str(version) != str(FORMAT_VERSION):
        raise GraphError('only graph format version %d is defined' % FORMAT_VERSION)
    if not isinstance(arch, str) or not arch:
        raise GraphError('arch must be a non-empty string')
    if isinstance(graph, str):
        graph = _strict_json(graph)
    validate_graph(graph, {k: tuple(v.shape) for k, v in weights.items()})
    meta = {'tinta.arch': arch, 'tinta.version': str(version),
            'tinta.graph': json.dumps(graph, separators=(',', ':'))}
    for k, v in (extra_metadata or {}).items():
        if k in meta:
            raise GraphError('metadata key %s is set by save_model' % k)
        meta[k] = v
    tdt = DTYPES[dtype][0]
    write_safetensors(path, {k: v.detach().float().to(tdt) for k, v in weights.items()}, meta)


def save_bundle(path, parts, arch='tinta-dvp', extra_metadata=None):
    """Writes several networks into one file (docs/model-format.md,
    bundles): parts is a list of (part name, arch, graph, weights, dtype);
    part P's weights are stored as "P/<name>" and its graph (metadata
    tinta.part.P.graph) names them so."""
    meta = {'tinta.arch': arch, 'tinta.version': str(FORMAT_VERSION),
            'tinta.parts': ','.join(p[0] for p in parts)}
    tensors = {}
    for name, part_arch, graph, weights, dtype in parts:
        if dtype not in DTYPES:
            raise GraphError('dtype must be one of %s' % ', '.join(DTYPES))
        if not re.fullmatch(r'[A-Za-z0-9_-]{1,32}', name):
            raise GraphError('bad part name %r' % name)
        if isinstance(graph, str):
            graph = _strict_json(graph)
        validate_graph(graph, {k: tuple(v.shape) for k, v in weights.items()})
        g = json.loads(json.dumps(graph))
        for node in g['nodes']:
            for key in ('weight', 'bias'):
                if node.get(key):
                    node[key] = '%s/%s' % (name, node[key])
        meta['tinta.part.%s.arch' % name] = part_arch
        meta['tinta.part.%s.graph' % name] = json.dumps(g, separators=(',', ':'))
        for k, v in weights.items():
            tensors['%s/%s' % (name, k)] = v.detach().float().to(DTYPES[dtype][0])
    for k, v in (extra_metadata or {}).items():
        if k in meta:
            raise GraphError('metadata key %s is set by save_bundle' % k)
        meta[k] = v
    write_safetensors(path, tensors, meta)


def load_model(path, expect_arch=None):
    """A model file, or the part of a bundle whose arch is expect_arch."""
    tensors, meta = read_safetensors(path)
    if 'tinta.parts' in meta:
        if expect_arch is None:
            raise GraphError('%s is a bundle (%s): name the arch to load'
                             % (path, meta['tinta.parts']))
        for name in meta['tinta.parts'].split(','):
            if meta.get('tinta.part.%s.arch' % name) == expect_arch:
                prefix = name + '/'
                tensors = {k: v for k, v in tensors.items() if k.startswith(prefix)}
                meta = dict(meta, **{'tinta.arch': expect_arch,
                                     'tinta.graph': meta['tinta.part.%s.graph' % name]})
                break
        else:
            raise GraphError('%s: the bundle has no %s network' % (path, expect_arch))
    for key in ('tinta.arch', 'tinta.version', 'tinta.graph'):
        if key not in meta:
            raise GraphError('%s: metadata %s missing' % (path, key))
    if meta['tinta.version'] != str(FORMAT_VERSION):
        raise GraphError('%s: graph format version %s not supported'
                         % (path, meta['tinta.version']))
    if expect_arch is not None and meta['tinta.arch'] != expect_arch:
        raise GraphError('%s: arch %s, expected %s' % (path, meta['tinta.arch'], expect_arch))
    graph = _strict_json(meta['tinta.graph'])
    validate_graph(graph, {k: tuple(v.shape) for k, v in tensors.items()})
    dtypes = sorted({_DTYPE_NAME[t.dtype] for t in tensors.values()})
    return Model(graph, {k: v.float() for k, v in tensors.items()}, meta,
                 '+'.join(dtypes) or None)

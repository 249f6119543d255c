"""Golden fixtures for the C operators of the colorization model
(engine/src/dvp/local_apply.c), computed by their PyTorch twins in
training/dvp_ops.py with the float64 loop definition.

    /usr/bin/python3 training/make_op_fixtures.py   # writes tests/data/dvp/

Each case is one safetensors file holding img (1,C,H,W), disp (1,2,H,W),
kv, kh (1,n,H,W) and the expected out (1,C,H,W); deterministic (seeded).
Cases: a generic one with displacements that leave the image, a 7-tap
kernel on a 4x4 image (kernel larger than the image), huge displacements,
zero displacement with a delta kernel (identity), a fractional shift
at the borders, and 7 taps on a 20x24 image (windows inside and at the
borders).
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg  # noqa: E402
import dvp_ops  # noqa: E402

OUT = os.path.join(HERE, '..', 'tests', 'data', 'dvp')


def softmax_taps(g, n, h, w, sharp=1.0):
    return torch.softmax(sharp * torch.randn(1, n, h, w, generator=g, dtype=torch.float64), 1)


def case(name, c, h, w, n, disp_scale, g, disp=None, kv=None, kh=None):
    img = torch.randn(1, c, h, w, generator=g, dtype=torch.float64) * 40.0
    if disp is None:
        disp = torch.randn(1, 2, h, w, generator=g, dtype=torch.float64) * disp_scale
    kv = softmax_taps(g, n, h, w) if kv is None else kv
    kh = softmax_taps(g, n, h, w) if kh is None else kh
    # Round inputs to float32 first: the C side computes from these values.
    img, disp, kv, kh = (t.float().double() for t in (img, disp, kv, kh))
    out = torch.as_tensor(dvp_ops.dvp_local_apply_naive(img, disp, kv, kh), dtype=torch.float64)
    tensors = {'img': img, 'disp': disp, 'kv': kv, 'kh': kh, 'out': out}
    tg.save_tensors(os.path.join(OUT, name + '.safetensors'),
                    {k: v.float().contiguous() for k, v in tensors.items()})
    print('%-16s C=%d %dx%d n=%d' % (name, c, h, w, n))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    case('generic', 2, 9, 11, 5, 3.0, g)
    case('kernel_gt_image', 2, 4, 4, 7, 1.5, g)
    case('huge_disp', 1, 6, 7, 3, 1e4, g)
    delta = torch.zeros(1, 5, 5, 6, dtype=torch.float64)
    delta[:, 2] = 1.0
    case('identity', 2, 5, 6, 5, 0.0, g, disp=torch.zeros(1, 2, 5, 6, dtype=torch.float64),
         kv=delta, kh=delta.clone())
    border = torch.full((1, 2, 6, 8), 0.37, dtype=torch.float64)
    border[:, 1] = -0.61
    case('border_shift', 3, 6, 8, 3, 0.0, g, disp=border)
    # The shipped 7 taps where the 8x8 window lies inside the image (the C
    # side's vector path) and at the borders (its general path).
    case('inside_n7', 3, 20, 24, 7, 2.0, g)


if __name__ == '__main__':
    main()

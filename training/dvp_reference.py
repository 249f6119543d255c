"""Reference outputs of the local network on a real frame pair, for the C
runtime's parity test (tests/integration/test-local-model.sh): decodes two
frames with the ffmpeg program, converts to Lab with the engine's
constants, takes L/100 at half resolution (2x2 means, as the engine), runs
the model file in float64 with the PyTorch twin, and writes input:g_prev,
input:g_cur and output:disp/kv/kh/conf (NCHW float32).

    /usr/bin/python3 training/dvp_reference.py MODEL PREV_IMAGE CUR_IMAGE OUT.safetensors
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg  # noqa: E402
import dvp_ops  # noqa: E402
from squeezenet_reference import decode_rgb  # noqa: E402


def gray_half(path):
    lab = dvp_ops.srgb8_to_lab(decode_rgb(path))
    return dvp_ops.half_res(lab[..., 0]) / dvp_ops.L_SCALE


def main():
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    torch.set_num_threads(1)
    model = tg.load_model(sys.argv[1], expect_arch='tinta-dvp-local')
    net = model.module().double()
    prev, cur = gray_half(sys.argv[2]), gray_half(sys.argv[3])
    g_prev = torch.from_numpy(np.ascontiguousarray(prev, dtype=np.float64))[None, None]
    g_cur = torch.from_numpy(np.ascontiguousarray(cur, dtype=np.float64))[None, None]
    with torch.no_grad():
        out = net(g_prev, g_cur)
    tensors = {'input:g_prev': g_prev.float(), 'input:g_cur': g_cur.float()}
    for name in ('disp', 'kv', 'kh', 'conf'):
        tensors['output:' + name] = out[name].float().contiguous()
    tg.save_tensors(sys.argv[4], tensors)
    print('dvp-reference: %s, %dx%d half-res inputs' % (sys.argv[4], prev.shape[1], prev.shape[0]))


if __name__ == '__main__':
    main()

"""Reference outputs of the local (or fusion) network on a real frame pair,
for the C runtime's parity tests (tests/integration/test-local-model.sh,
test-fused-model.sh): decodes two
frames with the ffmpeg program, converts to Lab with the engine's
constants, takes L/100 at half resolution (2x2 means, as the engine), runs
the model file in float64 with the PyTorch twin, and writes input:g_prev,
input:g_cur and output:disp/kv/kh/conf (NCHW float32).

    /usr/bin/python3 training/dvp_reference.py MODEL PREV_IMAGE CUR_IMAGE OUT.safetensors
    /usr/bin/python3 training/dvp_reference.py --fusion FUSION LOCAL PREV CUR OUT.safetensors

With --fusion the inputs of the fusion network are made from the pair as
the engine makes them: the local model (float64) moves the previous frame's
chroma and L (l_warp, ab_local, conf_local); the global inputs, which need
the engine's SqueezeNet match, are stood in for by real chroma all the same
-- the previous frame's chroma and L shifted by 8 px (ab_global, l_global)
and the local confidence (sim_global) -- since the test is of the network, not of the
matcher; t_key = 1/64.  The file holds every input and output:ab.
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


def lab_half(path):
    lab = dvp_ops.srgb8_to_lab(decode_rgb(path)).transpose(2, 0, 1)
    return dvp_ops.half_res(lab)


def main_fusion(fusion_path, local_path, prev_path, cur_path, out_path):
    import dvp_model
    torch.set_num_threads(1)
    local = tg.load_model(local_path, expect_arch=dvp_model.ARCH_LOCAL).module().double()
    fusion = tg.load_model(fusion_path, expect_arch=dvp_model.ARCH_FUSION).module().double()
    prev, cur = lab_half(prev_path), lab_half(cur_path)

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))[None]
    g_prev, g_cur = t(prev[:1] / dvp_ops.L_SCALE), t(cur[:1] / dvp_ops.L_SCALE)
    ab_prev = t(prev[1:] / dvp_ops.AB_SCALE)
    with torch.no_grad():
        lo = local(g_prev, g_cur)
        moved = dvp_ops.dvp_local_apply(torch.cat([ab_prev, g_prev], 1), lo['disp'], lo['kv'],
                                        lo['kh'])
        x = {'g_cur': g_cur, 'l_warp': moved[:, 2:], 'ab_local': moved[:, :2],
             'conf_local': lo['conf'], 'ab_global': torch.roll(ab_prev, (8, 8), (2, 3)),
             'sim_global': lo['conf'], 'l_global': torch.roll(g_prev, (8, 8), (2, 3)),
             't_key': torch.full_like(g_cur, 1.0 / 64.0)}
        out = fusion(**x)
    tensors = {'input:' + k: v.float().contiguous() for k, v in x.items()}
    tensors['output:ab'] = out['ab'].float().contiguous()
    tg.save_tensors(out_path, tensors)
    print('dvp-reference: %s, fusion inputs %dx%d' % (out_path, prev.shape[2], prev.shape[1]))


def main():
    if len(sys.argv) == 7 and sys.argv[1] == '--fusion':
        return main_fusion(*sys.argv[2:])
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

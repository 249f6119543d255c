"""Exports a trained network of dvp_train.py as a Tinta model file
(docs/model-format.md) and proves the file computes what training computed.

    /usr/bin/python3 training/dvp_export.py RUN_DIR/best.pt -o models/dvp-local.safetensors

Stage `local` writes arch `tinta-dvp-local`, graph format version 1, F16
weights (--dtype BF16/F32 possible), inputs g_prev, g_cur (L/100 of the
previous and current frame at half resolution), outputs disp (dy, dx in
half-res px), kv, kh (softmax, n taps), conf (sigmoid); metadata records the
taps, the input scaling, the operator, the training command, steps, data
and date.

Verification, after writing: the file is read back with
tinta_graph.load_model, and on a real frame pair (a validation clip, or a
generated pair) its GraphModule in float32 must match
  (1) the training module with its weights rounded to the stored dtype, to
      1e-4 (2e-3 px on the displacement): same function, same weights,
      only summation order differs -- the parity the C runtime must also
      reach;
  (2) the training module with its float32 weights, to 1e-2 on kernels and
      confidence, 5e-3 on the propagated chroma (ab/110 units) and 0.1 px
      on the displacement: a sanity bound on what storing 16-bit weights
      costs (measured and printed; F16 typically ~3e-3 on kernels and 4e-4
      on the propagated chroma; BF16 ~5e-2 on kernels, not asserted).
"""
import argparse
import datetime
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dvp_model      # noqa: E402
import dvp_ops        # noqa: E402
import tinta_graph as tg   # noqa: E402

TOL_SAME = 1e-4
TOL_ROUNDED = {'kv': 1e-2, 'kh': 1e-2, 'conf': 1e-2, 'ab': 5e-3, 'disp': 0.1}


def local_from_ckpt(ckpt):
    cfg = dvp_model.LocalConfig.from_dict(ckpt['cfg'])
    net = dvp_model.LocalNet(cfg)
    net.load_state_dict(ckpt['model'])
    net.eval()
    return net


def local_metadata(net, ckpt, dtype):
    meta = ckpt.get('meta', {})
    args = ckpt.get('args', {})
    return {
        'tinta.dvp.stage': 'local',
        'tinta.dvp.taps': str(net.cfg.taps),
        'tinta.dvp.input': 'g_prev, g_cur: CIE L / 100 (engine Lab, D65) at half resolution '
                           '(2x2 mean of the full-resolution L plane)',
        'tinta.dvp.chroma_scale': '%g' % dvp_ops.AB_SCALE,
        'tinta.dvp.operator': 'ab_k(y,x) = sum_ij kv_i kh_j bilinear_clamped(ab_{k-1}, '
                              'y + dy + i - n/2, x + dx + j - n/2) (training/dvp_ops.py '
                              'dvp_local_apply)',
        'tinta.dvp.outputs': 'disp (dy, dx) half-res px; kv, kh softmax taps; conf sigmoid',
        # what dvp_train.local_ckpt_from_model_file rebuilds the network from
        'tinta.dvp.config': json.dumps(net.cfg.to_dict()),
        'training.command': meta.get('command', ''),
        'training.steps': str(ckpt.get('step', '')),
        'training.validation_psnr_db': '%.3f' % ckpt.get('val_psnr', ckpt.get('best', -1)),
        'training.data': meta.get('data', ''),
        'training.args': str(args),
        'training.checkpoint_time': ckpt.get('time', ''),
        'export.date': datetime.datetime.now().isoformat(timespec='seconds'),
        'export.weights': dtype,
    }


def test_pair(seed=0, size=(64, 96)):
    """A real validation frame pair when the training cache is there, else a
    smooth generated pair (self-test)."""
    try:
        import dvp_data
        path = dvp_data._clip_path(dvp_data.VAL_CLIPS[0])
        if os.path.exists(path):
            lab = np.load(path, mmap_mode='r')
            L = torch.from_numpy(lab[10:12, :1].astype(np.float32) / dvp_ops.L_SCALE)
            ab = torch.from_numpy(lab[10:11, 1:].astype(np.float32) / dvp_ops.AB_SCALE)
            return L[:1], L[1:], ab
    except ImportError:
        pass
    g = torch.Generator().manual_seed(seed)
    base = torch.nn.functional.interpolate(torch.rand(1, 3, size[0] // 8, size[1] // 8,
                                                      generator=g), size=size, mode='bicubic',
                                           align_corners=False)
    L = base[:, :1].clamp(0, 1)
    return L, torch.roll(L, (2, -3), (2, 3)), (base[:, 1:] - 0.5) * 0.5


@torch.no_grad()
def verify_local(path, net, g_prev, g_cur, ab_prev, dtype):
    """Returns {check: max abs difference}; raises AssertionError past the
    tolerances of the module docstring."""
    model = tg.load_model(path, expect_arch=dvp_model.ARCH_LOCAL)
    loaded = model.module().eval()
    ref = net.eval()
    rounded = dvp_model.LocalNet(net.cfg)
    tdt = tg.DTYPES[dtype][0]
    rounded.load_state_dict({k: v.to(tdt).float() for k, v in net.state_dict().items()})
    rounded.eval()

    def outputs(fn):
        o = fn(g_prev, g_cur)
        o = {k: v.float() for k, v in o.items()}
        o['ab'] = dvp_ops.dvp_local_apply(ab_prev, o['disp'], o['kv'], o['kh'])
        return o
    got = outputs(lambda a, b: loaded(a, b))
    same = outputs(rounded)
    exact = outputs(ref)
    diffs = {}
    for k in ('disp', 'kv', 'kh', 'conf', 'ab'):
        d_same = (got[k] - same[k]).abs().max().item()
        d_round = (got[k] - exact[k]).abs().max().item()
        diffs[k] = (d_same, d_round)
        assert d_same < TOL_SAME * (20 if k == 'disp' else 1), (k, d_same)
        # BF16 keeps 8 mantissa bits: kernels move by ~5e-2, so only the
        # parity (1) is asserted for it -- ship F16.
        assert dtype == 'BF16' or d_round < TOL_ROUNDED[k], (k, d_round)
    return diffs


def export_local(ckpt, out, dtype='F16', verify=True):
    net = local_from_ckpt(ckpt)
    graph = net.graph.to_dict()
    tg.save_model(out, graph, net.export_weights(), arch=dvp_model.ARCH_LOCAL, dtype=dtype,
                  extra_metadata=local_metadata(net, ckpt, dtype))
    diffs = None
    if verify:
        g_prev, g_cur, ab_prev = test_pair()
        diffs = verify_local(out, net, g_prev, g_cur, ab_prev, dtype)
    return diffs


def fusion_from_ckpt(ckpt, residual=True):
    """The checkpoint's fusion network; residual=False drops its residual
    term (see dvp_model.FusionConfig)."""
    net = dvp_model.FusionNet(dvp_model.FusionConfig.from_dict(ckpt['cfg']))
    net.load_state_dict(ckpt['model'])
    if not residual and net.cfg.residual:
        cfg = dvp_model.FusionConfig(net.cfg.widths, net.cfg.alpha, residual=False,
                                     blend_init=net.cfg.blend_init)
        weights = {k: v for k, v in net.export_weights().items() if not k.startswith('res.')}
        net = dvp_model.FusionNet(cfg, weights=weights)
    return net.eval()


def fusion_metadata(ckpt, dtype):
    meta = ckpt.get('meta', {})
    return {
        'tinta.dvp.stage': 'fusion',
        'tinta.dvp.input': 'half resolution, NHWC: g_cur, l_warp = L/100; ab_local, ab_global '
                           '= ab/110; conf_local, sim_global in [0,1]; t_key = min(frames '
                           'since the keyframe, 64)/64 (training/dvp_model.py '
                           'build_fusion_graph)',
        'tinta.dvp.chroma_scale': '%g' % dvp_ops.AB_SCALE,
        'tinta.dvp.outputs': 'ab (ab/110, the chroma the next local step propagates); blend',
        'training.command': meta.get('command', ''),
        'training.steps': str(ckpt.get('step', '')),
        'training.validation_psnr_db': '%.3f' % ckpt.get('val_psnr', ckpt.get('best', -1)),
        'training.local_checkpoint': meta.get('local_ckpt', ''),
        'training.data': meta.get('data', ''),
        'training.args': str(ckpt.get('args', {})),
        'training.checkpoint_time': ckpt.get('time', ''),
        'export.date': datetime.datetime.now().isoformat(timespec='seconds'),
        'export.weights': dtype,
    }


@torch.no_grad()
def export_fusion(ckpt, out, dtype='F16', residual=True):
    """Writes the fusion model and checks the file against training on
    smooth generated inputs: parity (1) to TOL_SAME, 16-bit weights (2) to
    5e-3 on ab (ab/110 units)."""
    net = fusion_from_ckpt(ckpt, residual)
    tg.save_model(out, net.graph.to_dict(), net.export_weights(), arch=dvp_model.ARCH_FUSION,
                  dtype=dtype, extra_metadata=dict(fusion_metadata(ckpt, dtype),
                                                   **{'tinta.dvp.residual': str(net.cfg.residual)}))
    g = torch.Generator().manual_seed(3)
    x = {}
    for name, c in dvp_model.FUSION_INPUTS:
        v = torch.nn.functional.interpolate(torch.rand(1, c, 8, 12, generator=g), size=(64, 96),
                                            mode='bicubic', align_corners=False)
        x[name] = v - 0.5 if name.startswith('ab') else v.clamp(0, 1)
    loaded = tg.load_model(out, expect_arch=dvp_model.ARCH_FUSION).module().eval()
    tdt = tg.DTYPES[dtype][0]
    rounded = dvp_model.FusionNet(net.cfg, weights={k: v.to(tdt).float()
                                                    for k, v in net.export_weights().items()})
    got, same, exact = loaded(**x)['ab'], rounded.eval()(**x)['ab'], net(**x)['ab']
    d_same, d_round = (got - same).abs().max().item(), (got - exact).abs().max().item()
    assert d_same < TOL_SAME, d_same
    assert dtype == 'BF16' or d_round < TOL_ROUNDED['ab'], d_round
    return {'ab': (d_same, d_round)}


def main(argv=None):
    p = argparse.ArgumentParser(description='Export a dvp_train.py checkpoint as a model file.')
    p.add_argument('checkpoint')
    p.add_argument('-o', '--output', required=True)
    p.add_argument('--dtype', choices=('F16', 'BF16', 'F32'), default='F16')
    p.add_argument('--part', choices=('local', 'fusion'),
                   help='which network of a --joint fusion checkpoint (default: fusion)')
    p.add_argument('--no-residual', action='store_true',
                   help='fusion: drop the residual term (a convex blend; see dvp_model)')
    p.add_argument('--corr-op', action='store_true',
                   help='local: rebuild a network of the plain-op cost volume with the '
                        '`correlation` op (its stored 0/1 weights are dropped: where training '
                        'moved them, the function changes; see dvp_model._correlation)')
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    path = os.path.expanduser(args.checkpoint)
    if path.endswith('.safetensors'):
        # an exported local model file (what ships; run directories do not
        # survive a new machine)
        import dvp_train
        ckpt = dvp_train.local_ckpt_from_model_file(path)
    else:
        ckpt = torch.load(path)
    stage = ckpt.get('stage', 'local')
    if args.part == 'local' and stage == 'fusion':
        if 'local' not in ckpt:
            raise SystemExit('%s: not a --joint run, it holds no local network' % args.checkpoint)
        ckpt, stage = ckpt['local'], 'local'
    if args.corr_op:
        if stage != 'local':
            raise SystemExit('--corr-op is for the local network (add --part local)')
        old = local_from_ckpt(ckpt)
        w = {k: v for k, v in old.export_weights().items()
             if k.split('.')[0] not in ('corr_shift', 'corr_repeat', 'corr')}
        w['disp_lo.weight'] = w['disp_lo.weight'] / old.disp_scale   # export_weights scales it
        w['disp_lo.bias'] = w['disp_lo.bias'] / old.disp_scale
        cfg = dvp_model.LocalConfig.from_dict(dict(ckpt['cfg'], corr_op=True))
        ckpt = dict(ckpt, cfg=cfg.to_dict(), model=dvp_model.LocalNet(cfg, weights=w).state_dict())
    if stage == 'fusion':
        diffs = export_fusion(ckpt, args.output, args.dtype, residual=not args.no_residual)
        arch = dvp_model.ARCH_FUSION
    else:
        diffs = export_local(ckpt, args.output, args.dtype)
        arch = dvp_model.ARCH_LOCAL
    print('dvp-export: wrote %s (%s, %s weights, step %s)'
          % (args.output, arch, args.dtype, ckpt.get('step')))
    for k, (a, b) in diffs.items():
        print('dvp-export: %-4s max |file - training| %.2e (same rounded weights), '
              '%.2e (vs float32 weights)' % (k, a, b))


if __name__ == '__main__':
    main()

"""Trains the colorization model, one stage at a time (design.md section 2).

    /usr/bin/python3 training/dvp_train.py --stage local --steps 4000
    /usr/bin/python3 training/dvp_train.py --stage local --resume ~/.cache/tinta/runs/local-...

Stage `local`: the local network (dvp_model.LocalNet) on unrolled sequences
of K frames: frame 0 gives the true chroma, every next step propagates the
*predicted* chroma of the step before with dvp_ops.dvp_local_apply, with a
loss at every step, so the network sees (and learns to limit) its own drift.
Gradients flow through the whole recursion (no detach): the operator is a
convex combination of the previous chroma, so they cannot explode, and the
kernels of step t get credit for what their colors do at steps t+1...

Losses per step (all L1 means unless said):
  ab      |ab_local - ab_true|  (ab/110 units)          -- the paper's
  photo   |apply(L_prev) - L_cur| with the same disp and kernels (L/100) --
          luminance has far more texture than chroma: a strong, dense motion
          signal on real clips, where no true flow exists
  flow    |disp - true flow| in px on synthetic samples where the content is
          visible in both frames, weight W_FLOW                  -- teaches large
          displacements quickly; the kernels then only fix the residual
  conf    BCE(conf, exp(-(|da| + |db|) / CONF_TAU)) with |da|+|db| the local
          chroma error in Lab units (target not differentiated): conf says
          how right the propagated color is, which is what fusion needs
  match   cross-entropy of the cost volume's softmax (1/8 resolution) against
          the true flow of synthetic data, weight W_MATCH (match_loss): the
          matching features learn from a dense, direct signal

Outputs in the run directory (default ~/.cache/tinta/runs/<stage>-<date>):
train.csv (losses every --log-every steps), val.csv (validation PSNR),
last.pt (every --ckpt-minutes), best.pt (best validation PSNR), run.log.

Validation: the held-out clips of dvp_data.VAL_CLIPS, from two start frames
each, frame 0's chroma propagated over VAL_LEN-1 frames with the true L,
chroma upsampled to full resolution, PSNR on 8-bit RGB against the original
frames -- the evaluation protocol of design.md section 4 on other clips.

The `fusion` stage plugs in at `unroll`: the same loop, with the fused
chroma (fusion net on the local and global estimates) propagated instead
of the local one; `build_stage` is where its networks and losses go.
"""
import os

# Another engineer's jobs share these 2 cores: spinning OpenMP threads then
# make every op several times slower (measured 0.1 s -> 1.2 s for one
# operator call); passive waiting costs ~nothing when the cores are free.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import argparse        # noqa: E402
import csv             # noqa: E402
import datetime        # noqa: E402
import json            # noqa: E402
import math            # noqa: E402
import shlex           # noqa: E402
import sys             # noqa: E402
import time            # noqa: E402

import numpy as np     # noqa: E402
import torch           # noqa: E402
import torch.nn.functional as F   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dvp_data        # noqa: E402
import dvp_model       # noqa: E402
import dvp_ops         # noqa: E402

W_PHOTO = 0.5
W_FLOW = 0.01          # per pixel of displacement error
W_CONF = 0.05
CONF_TAU = 8.0
W_MATCH = 0.1         # Lab units of |da| + |db| at which the target is 1/e


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--stage', choices=('local', 'fusion'), default='local')
    p.add_argument('--out', help='run directory (default ~/.cache/tinta/runs/<stage>-<date>)')
    p.add_argument('--resume', metavar='DIR', help='continue the run in DIR from its last.pt')
    p.add_argument('--steps', type=int, default=4000)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--unroll', type=int, default=4, help='frames per sequence (K)')
    p.add_argument('--crop', default='112x144', help='HxW of the half-resolution crops')
    p.add_argument('--lr', type=float, default=5e-4)
    p.add_argument('--warmup', type=int, default=200)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--base', type=int, default=24, help='U-Net channels at full resolution')
    p.add_argument('--taps', type=int, default=7, help='kernel taps n (odd)')
    p.add_argument('--corr-radius', type=int, default=3,
                   help='cost volume radius in 1/8-resolution cells (0: none)')
    p.add_argument('--soft-argmax', action='store_true',
                   help='coarse displacement = soft-argmax of the cost volume (see dvp_model)')
    p.add_argument('--synth', type=float, default=0.5, help='fraction of synthetic sequences')
    p.add_argument('--max-shift', type=float, default=24.0,
                   help='largest synthetic translation per frame, half-res px')
    p.add_argument('--w-photo', type=float, default=W_PHOTO, help='photometric loss weight')
    p.add_argument('--w-flow', type=float, default=W_FLOW, help='flow loss weight (per px)')
    p.add_argument('--w-conf', type=float, default=W_CONF, help='confidence loss weight')
    p.add_argument('--w-match', type=float, default=W_MATCH,
                   help='cost volume cross-entropy weight (synthetic flow)')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--log-every', type=int, default=25)
    p.add_argument('--val-every', type=int, default=400)
    p.add_argument('--ckpt-minutes', type=float, default=4.0)
    p.add_argument('--no-bf16', action='store_true', help='train in float32')
    p.add_argument('--local-ckpt', metavar='PT',
                   help='fusion stage: the stage-1 checkpoint (or exported local model '
                        'file) whose local network runs (frozen) in the recursion')
    p.add_argument('--init-local', metavar='PT',
                   help='local stage: start from this checkpoint\'s network or exported '
                        'local model file (fresh optimizer and schedule; the network '
                        'options are taken from it)')
    p.add_argument('--local-model', default=os.path.join(HERE, '..', 'models',
                                                         'tinta-dvp-local.safetensors'),
                   help='fusion stage: the local model file the engine dumps were made with')
    p.add_argument('--features-model', default=os.path.join(
                       HERE, '..', 'models', 'tinta-dvp-features.safetensors'),
                   help='fusion stage: the features the engine dumps use (the fine-tuned '
                        'SqueezeNet of dvp_features.py)')
    p.add_argument('--joint', action='store_true',
                   help='fusion stage: train the local network too (the paper\'s L1 on the '
                        'final and on the local result), starting from --local-ckpt')
    p.add_argument('--joint-local-lr', type=float, default=0.2,
                   help='--joint: the local network\'s learning rate as a fraction of --lr')
    p.add_argument('--w-local', type=float, default=1.0,
                   help='--joint: weight of the local terms (L1 of the local result, plus '
                        'the photometric and confidence terms of stage 1 at their weights)')
    p.add_argument('--init-fusion', metavar='PT',
                   help='fusion stage: start from the network of this fusion checkpoint '
                        'or fusion model file (e.g. after retraining the local network)')
    p.add_argument('--fusion-widths', default='16,24,32,48',
                   help='fusion U-Net channels per level, half resolution first')
    p.add_argument('--fusion-residual', action='store_true',
                   help='fusion: train with the refinement residual (off by default: the '
                        'shipped fusion is a convex blend, see dvp_model.FusionConfig)')
    p.add_argument('--blend-init', type=float, default=dvp_model.BLEND_LOGIT,
                   help='fusion: initial logit of the blend weight of the local estimate')
    args = p.parse_args(argv)
    args.crop = tuple(int(v) for v in args.crop.lower().split('x'))
    args.fusion_widths = [int(v) for v in str(args.fusion_widths).strip('[]').split(',')]
    if args.taps % 2 == 0:
        p.error('--taps must be odd')
    return args


# ---------------------------------------------------------------------------
# the unrolled recursion

def run_local(net, L, bf16, with_match=False):
    """Local network on every consecutive pair of a (B, K, 1, H, W)
    sequence, as one batch (its inputs do not depend on the recursion).
    Returns f32 tensors (B, K-1, C, H, W)."""
    B, K, _, H, W = L.shape
    g_prev = L[:, :-1].reshape(B * (K - 1), 1, H, W).contiguous(memory_format=torch.channels_last)
    g_cur = L[:, 1:].reshape(B * (K - 1), 1, H, W).contiguous(memory_format=torch.channels_last)
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
        out = net(g_prev, g_cur, with_match=with_match)
    return {k: v.float().contiguous().view(B, K - 1, v.shape[1], v.shape[2], v.shape[3])
            for k, v in out.items()}


def unroll(net, batch, bf16, fusion=None, with_match=False, train_local=False):
    """Propagates frame 0's true chroma through the sequence.  Returns
    (list of per-step dicts with the predictions, the local outputs).
    `fusion(t, step, local, batch)` (fusion stage) returns the chroma to
    propagate; without it the local estimate is propagated.  The recursion
    starts from batch['ab_start'] if given (the fusion stage's drifted
    starts), else from the true chroma of frame 0.  With a fusion, the
    local network runs without gradients unless train_local (--joint)."""
    L, ab_true = batch['L'], batch['ab']
    if fusion is None or train_local:
        local = run_local(net, L, bf16, with_match)
    else:
        with torch.no_grad():
            local = run_local(net, L, bf16)
    ab = batch['ab_start'] if 'ab_start' in batch else ab_true[:, 0]
    steps = []
    for t in range(1, L.shape[1]):
        src = torch.cat([ab, L[:, t - 1]], 1)   # chroma and gray share disp and kernels
        y = dvp_ops.dvp_local_apply(src, local['disp'][:, t - 1], local['kv'][:, t - 1],
                                    local['kh'][:, t - 1])
        step = {'t': t, 'ab_local': y[:, :2], 'L_warp': y[:, 2:]}
        ab = step['ab_local'] if fusion is None else fusion(t, step, local, batch)
        step['ab'] = ab
        steps.append(step)
    return steps, local


def match_loss(logits, flow, valid, radius):
    """Cross-entropy of the cost volume's softmax against the true flow of
    each 1/8 cell (synthetic data, cells visible in both frames): the
    target spreads over the 4 integer offsets around flow/cell
    (bilinear weights).  A direct, dense signal for the matching
    features -- through the soft-argmax alone they learn far too slowly."""
    B, D, h, w = logits.shape
    k = 2 * radius + 1
    cell = flow.shape[-2] / h
    f = F.adaptive_avg_pool2d(flow * valid, (h, w))
    v = F.adaptive_avg_pool2d(valid, (h, w))
    ok = (v > 0.9).float()
    f = (f / v.clamp(min=1e-6) / cell).clamp(-radius, radius)
    fy, fx = f[:, 0] + radius, f[:, 1] + radius           # in [0, 2R]
    y0, x0 = fy.floor().clamp(max=k - 2), fx.floor().clamp(max=k - 2)
    wy, wx = fy - y0, fx - x0
    target = torch.zeros(B, k, k, h, w)
    for dy, wyy in ((0, 1 - wy), (1, wy)):
        for dx, wxx in ((0, 1 - wx), (1, wx)):
            idx = ((y0 + dy) * k + (x0 + dx)).long().unsqueeze(1)
            target.view(B, D, h, w).scatter_add_(1, idx, (wyy * wxx).unsqueeze(1))
    logp = F.log_softmax(logits.float(), 1)
    ce = -(target.view(B, D, h, w) * logp).sum(1, keepdim=True)
    return (ce * ok).sum() / ok.sum().clamp(min=1.0)


def local_losses(steps, local, batch, w_photo=W_PHOTO, w_flow=W_FLOW, w_conf=W_CONF,
                 w_match=0.0, radius=0):
    L, ab_true, flow, valid = batch['L'], batch['ab'], batch['flow'], batch['valid']
    terms = {'ab': 0.0, 'photo': 0.0, 'flow': 0.0, 'conf': 0.0, 'match': 0.0}
    for s in steps:
        t = s['t']
        err = (s['ab_local'] - ab_true[:, t]).abs()
        terms['ab'] = terms['ab'] + err.mean()
        terms['photo'] = terms['photo'] + (s['L_warp'] - L[:, t]).abs().mean()
        v = valid[:, t]
        terms['flow'] = terms['flow'] + ((local['disp'][:, t - 1] - flow[:, t]).abs() * v).sum() \
            / (2 * v.sum()).clamp(min=1.0)
        target = torch.exp(-err.detach().sum(1, keepdim=True) * dvp_ops.AB_SCALE / CONF_TAU)
        conf = local['conf'][:, t - 1].clamp(1e-5, 1 - 1e-5)
        terms['conf'] = terms['conf'] + F.binary_cross_entropy(conf, target)
        if 'match_logits' in local:
            terms['match'] = terms['match'] + match_loss(local['match_logits'][:, t - 1],
                                                         flow[:, t], valid[:, t], radius)
    n = len(steps)
    terms = {k: v / n for k, v in terms.items()}
    total = (terms['ab'] + w_photo * terms['photo'] + w_flow * terms['flow']
             + w_conf * terms['conf'] + w_match * terms['match'])
    return total, terms


# ---------------------------------------------------------------------------
# validation

class Validator:
    """Held-out clips, propagated from VAL_STARTS with the true L; PSNR on
    8-bit RGB at full resolution after bilinear chroma upsampling."""

    def __init__(self, data):
        self.items = []
        for clip in data.val:
            full_lab = np.stack([dvp_ops.srgb8_to_lab(f) for f in clip['rgb']])
            for s in dvp_data.VAL_STARTS:
                if s + dvp_data.VAL_LEN > min(len(clip['lab']), len(clip['rgb'])):
                    continue
                sl = slice(s, s + dvp_data.VAL_LEN)
                half = clip['lab'][sl].astype(np.float32)
                self.items.append({'name': '%s@%d' % (clip['name'], s),
                                   'L': torch.from_numpy(half[:, :1] / dvp_ops.L_SCALE),
                                   'ab': torch.from_numpy(half[:, 1:] / dvp_ops.AB_SCALE),
                                   'full_L': full_lab[sl, :, :, 0], 'rgb': clip['rgb'][sl]})
        self.copy = self._score(lambda it: [it['ab'][0].numpy()] * (dvp_data.VAL_LEN - 1))

    def _score(self, predict):
        per = {}
        for it in self.items:
            preds = predict(it)
            H, W = it['full_L'].shape[1:]
            ps = []
            for t, ab in enumerate(preds, start=1):
                ab_full = dvp_ops.upsample_ab(ab * dvp_ops.AB_SCALE, (H, W))
                lab = np.concatenate([it['full_L'][t][None], ab_full], 0).transpose(1, 2, 0)
                ps.append(dvp_ops.rgb_psnr(dvp_ops.lab_to_srgb8(lab), it['rgb'][t]))
            per[it['name']] = float(np.mean(ps))
        return float(np.mean(list(per.values()))), per

    @torch.no_grad()
    def __call__(self, net, bf16):
        net.eval()

        def predict(it):
            batch = {'L': it['L'][None], 'ab': it['ab'][None]}
            steps, _ = unroll(net, batch, bf16)
            return [s['ab'][0].numpy() for s in steps]
        try:
            return self._score(predict)
        finally:
            net.train()


# ---------------------------------------------------------------------------
# the run

def setup_network(args, net, sizes, log, resume, extra_group=None):
    """Optimizer, cost log line, resume; returns (params, flops, trained
    parameters, optimizer, step, best).  extra_group: a second parameter
    group ({'params': [...], 'lr_scale': s}; --joint's local network)."""
    params, flops = dvp_model.graph_cost(net.graph.to_dict(), net.graph.weight_shapes, sizes)
    params_train = net.trainable_parameters()
    opt = torch.optim.Adam([{'params': params_train, 'lr_scale': 1.0}], lr=args.lr)
    if extra_group:
        opt.add_param_group(dict(extra_group))
        params_train = params_train + list(extra_group['params'])
    log('dvp-train: %s network %s: %d parameters (%d trained), %.2f GFLOP per frame at 427x240'
        % (args.stage, json.dumps(net.cfg.to_dict()), params,
           sum(p.numel() for p in params_train), flops / 1e9))
    step, best = 0, -1.0
    if resume:
        net.load_state_dict(resume['model'])
        opt.load_state_dict(resume['opt'])
        step, best = resume['step'], resume['best']
        log('dvp-train: resumed at step %d (best validation %.3f dB)' % (step, best))
    return params, flops, params_train, opt, step, best


def build_stage(args):
    if args.stage == 'local':
        cfg = dvp_model.LocalConfig(base=args.base, taps=args.taps, corr_radius=args.corr_radius,
                                    soft_argmax=args.soft_argmax)
        return dvp_model.LocalNet(cfg, seed=args.seed), cfg
    cfg = dvp_model.FusionConfig(widths=args.fusion_widths, residual=args.fusion_residual,
                                 blend_init=args.blend_init)
    return dvp_model.FusionNet(cfg, seed=args.seed), cfg


def local_ckpt_from_model_file(path):
    """A stage-1 checkpoint dict rebuilt from an exported local model file
    (models/tinta-dvp-local.safetensors): the network's configuration from
    the file's training metadata, the stored weights with the
    displacement head's export scale taken out again.  Run directories
    live in ~/.cache and do not survive a new machine; the shipped file
    does, and it is stored in F32, so the rebuilt network is the shipped
    one exactly (no optimizer state: --init-local, not --resume)."""
    import ast
    import tinta_graph as tg
    model = tg.load_model(path, expect_arch=dvp_model.ARCH_LOCAL)
    saved = {}
    try:
        saved = ast.literal_eval(model.metadata.get('training.args', '{}'))
    except (ValueError, SyntaxError):
        pass
    if 'tinta.dvp.config' in model.metadata:      # exports since 2026-12
        cfg = dvp_model.LocalConfig.from_dict(json.loads(model.metadata['tinta.dvp.config']))
    elif all(k in saved for k in ('base', 'taps', 'corr_radius', 'soft_argmax')):
        cfg = dvp_model.LocalConfig(base=saved['base'], taps=saved['taps'],
                                    corr_radius=saved['corr_radius'],
                                    soft_argmax=saved['soft_argmax'])
    else:
        raise SystemExit('%s: its metadata does not give the network configuration' % path)
    probe = dvp_model.LocalNet(cfg)
    if probe.graph.to_dict() != model.graph:
        raise SystemExit('%s: its graph is not the one dvp_model builds for %s'
                         % (path, json.dumps(cfg.to_dict())))
    w = {k: v.clone() for k, v in model.weights.items()}
    w['disp_lo.weight'] /= probe.disp_scale
    w['disp_lo.bias'] /= probe.disp_scale
    net = dvp_model.LocalNet(cfg, weights=w)
    steps = model.metadata.get('training.steps', '')
    val = model.metadata.get('training.validation_psnr_db', 'nan')
    return {'stage': 'local', 'cfg': cfg.to_dict(), 'model': net.state_dict(),
            'step': int(steps) if steps.isdigit() else 0, 'val_psnr': float(val),
            'args': saved, 'meta': {'command': model.metadata.get('training.command', ''),
                                    'data': model.metadata.get('training.data', ''),
                                    'model_file': os.path.abspath(path)}}


def fusion_init(path, cfg):
    """--init-fusion: a fusion checkpoint (.pt), or an exported fusion model
    file (models/tinta-dvp-fusion.safetensors).  Run directories do not
    survive a new machine; the shipped file does.  Its 16-bit weights are
    a rounding of the trained ones, harmless as a starting point."""
    if not path.endswith('.safetensors'):
        return torch.load(path)
    import tinta_graph as tg
    model = tg.load_model(path, expect_arch=dvp_model.ARCH_FUSION)
    probe = dvp_model.FusionNet(cfg)
    if probe.graph.to_dict() != model.graph:
        raise SystemExit('%s: its graph is not the one dvp_model builds for --fusion-widths %s'
                         % (path, ','.join(str(w) for w in cfg.widths)))
    net = dvp_model.FusionNet(cfg, weights={k: v.float() for k, v in model.weights.items()})
    steps = model.metadata.get('training.steps', '')
    return {'model': net.state_dict(), 'step': int(steps) if steps.isdigit() else 0}


def load_local_ckpt(path):
    """A stage-1 checkpoint: a run's .pt, or an exported local model file."""
    if path.endswith('.safetensors'):
        return local_ckpt_from_model_file(path)
    ck = torch.load(path)
    if ck.get('stage') == 'fusion' and 'local' in ck:    # a --joint run's checkpoint
        return ck['local']
    if ck.get('stage') != 'local':
        raise SystemExit('%s is not a local-stage checkpoint' % path)
    return ck


def load_local(path, trainable=False):
    """The stage-1 local network of a checkpoint (or model file), frozen
    and in eval mode unless trainable (--joint)."""
    ck = load_local_ckpt(path)
    net = dvp_model.LocalNet(dvp_model.LocalConfig.from_dict(ck['cfg']))
    net.load_state_dict(ck['model'])
    net = net.to(memory_format=torch.channels_last)
    net.train(trainable)
    # The weights LocalNet freezes (the cost volume's) stay frozen: --joint
    # once trained them too (see dvp_model._correlation).
    frozen = {id(p) for p in net.parameters() if not p.requires_grad}
    for p in net.parameters():
        p.requires_grad_(trainable and id(p) not in frozen)
    return net, ck


def make_fusion_step(fnet, bf16):
    """The `fusion` callback of unroll(): the fusion network on the local
    step's outputs and the dumped global match of frame t."""
    def fuse(t, step, local, batch):
        x = {'g_cur': batch['L'][:, t], 'l_warp': step['L_warp'],
             'ab_local': step['ab_local'], 'conf_local': local['conf'][:, t - 1],
             'ab_global': batch['ab_global'][:, t], 'sim_global': batch['sim_global'][:, t],
             'l_global': batch['l_global'][:, t],
             't_key': batch['t_key'][:, t]}
        x = {k: v.contiguous(memory_format=torch.channels_last) for k, v in x.items()}
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            out = fnet(**x)
        step['blend'] = out['blend'].float()
        return out['ab'].float()
    return fuse


class FusionValidator(Validator):
    """Held-out clips from frame 0 over all their dumped frames (36): the
    fused chain (fusion network in the loop), and once, the engine's local
    chain and global match of the dumps, scored like Validator."""

    def __init__(self, fdata):
        self.items = []
        for c in fdata.val:
            full_lab = np.stack([dvp_ops.srgb8_to_lab(f) for f in c['rgb']])
            n = len(c['dump'])
            half = c['lab'][:n].astype(np.float32)
            dump = c['dump'].astype(np.float32)
            t_key = np.minimum(np.arange(n), 64.0).astype(np.float32) / 64.0
            self.items.append({
                'name': c['name'], 'full_L': full_lab[:, :, :, 0], 'rgb': c['rgb'],
                'batch': {'L': torch.from_numpy(half[None, :, :1] / dvp_ops.L_SCALE),
                          'ab': torch.from_numpy(half[None, :, 1:] / dvp_ops.AB_SCALE),
                          'ab_global': torch.from_numpy(dump[None, :, 2:4] / dvp_ops.AB_SCALE),
                          'sim_global': torch.from_numpy(dump[None, :, 4:5]),
                          'l_global': torch.from_numpy(dump[None, :, 5:6] / dvp_ops.L_SCALE),
                          't_key': torch.from_numpy(np.ascontiguousarray(np.broadcast_to(
                              t_key[None, :, None, None, None], (1, n, 1) + half.shape[2:])))},
                'dump': dump})
        self.local = self._score(lambda it: [d[:2] / dvp_ops.AB_SCALE for d in it['dump'][1:]])
        self.glob = self._score(lambda it: [d[2:4] / dvp_ops.AB_SCALE for d in it['dump'][1:]])
        self.copy = self._score(lambda it: [it['dump'][0, :2] / dvp_ops.AB_SCALE]
                                * (len(it['dump']) - 1))

    @torch.no_grad()
    def __call__(self, lnet, fnet, bf16):
        fnet.eval()
        lnet_training = lnet.training
        lnet.eval()
        fuse = make_fusion_step(fnet, bf16)

        def predict(it):
            steps, _ = unroll(lnet, it['batch'], bf16, fusion=fuse)
            return [s['ab'][0].numpy() for s in steps]
        try:
            return self._score(predict)
        finally:
            fnet.train()
            lnet.train(lnet_training)


def main_fusion(args, log, command, resume=None):
    """Stage `fusion`: the fusion network in the unrolled recursion, the
    local network of --local-ckpt frozen (see training/README.md for why),
    on windows of the real training clips with the engine's dumps."""
    bf16 = not args.no_bf16
    if not args.local_ckpt:
        raise SystemExit('dvp_train: --stage fusion needs --local-ckpt (a stage-1 best.pt)')
    lnet, lck = load_local(os.path.expanduser(args.local_ckpt), trainable=args.joint)
    if resume and args.joint:
        lnet.load_state_dict(resume['local']['model'])
    log('dvp-train: local network of %s (step %d, validation %.3f dB), %s'
        % (args.local_ckpt, lck['step'], lck.get('val_psnr', float('nan')),
           'trained jointly at %g x the learning rate' % args.joint_local_lr if args.joint
           else 'frozen'))
    data = dvp_data.Data(crop=args.crop)
    folder = dvp_data.prepare_dumps(os.path.abspath(args.local_model),
                                    os.path.abspath(args.features_model))
    fdata = dvp_data.FusionData(data, folder)
    log('dvp-train: data: %d windows sources (%s), engine dumps %s'
        % (len(fdata.items), data.describe(), folder))
    fnet, cfg = build_stage(args)
    fnet = fnet.to(memory_format=torch.channels_last)
    sizes = {n: (240, 427) for n, _ in dvp_model.FUSION_INPUTS}
    if args.init_fusion and not resume:
        init = fusion_init(os.path.expanduser(args.init_fusion), cfg)
        fnet.load_state_dict(init['model'])
        log('dvp-train: fusion network initialized from %s (step %d)'
            % (args.init_fusion, init['step']))
    group = ({'params': lnet.trainable_parameters(), 'lr_scale': args.joint_local_lr}
             if args.joint else None)
    params, flops, params_train, opt, step, best = setup_network(args, fnet, sizes, log, resume,
                                                                 group)
    validator = FusionValidator(fdata)
    log('dvp-train: validation: %d clips from frame 0; copy %.3f, engine local chain %.3f, '
        'engine global %.3f dB %s' % (len(validator.items), validator.copy[0], validator.local[0],
                                      validator.glob[0],
                                      json.dumps({k: [round(validator.local[1][k], 2),
                                                      round(validator.glob[1][k], 2)]
                                                  for k in validator.local[1]})))
    meta = {'command': command, 'data': data.describe(), 'params': params, 'flops': flops,
            'local_ckpt': os.path.abspath(os.path.expanduser(args.local_ckpt)),
            'dumps': folder}
    fuse = make_fusion_step(fnet, bf16)
    run = Run(args, fnet, opt, cfg, meta, params_train, best)
    if args.joint:
        # the local network rides along in every checkpoint as a stage-1
        # checkpoint of its own: --local-ckpt and dvp_export.py --part local
        # read it from there
        run.extra_state = lambda: {'local': {
            'stage': 'local', 'cfg': lck['cfg'], 'model': lnet.state_dict(),
            'step': lck['step'] + step, 'val_psnr': float('nan'), 'best': float('nan'),
            'args': dict(lck.get('args', {}), joint_fusion_run=args.out),
            'time': datetime.datetime.now().isoformat(timespec='seconds'),
            'meta': dict(lck.get('meta', {}), command=command,
                         joint='trained %d steps in the fusion stage, from %s'
                               % (step, os.path.abspath(os.path.expanduser(args.local_ckpt))))}}
    window, window_t = [], time.time()
    fnet.train()

    def validate_and_keep():
        t0 = time.time()
        psnr, per = validator(lnet, fnet, bf16)
        mark = run.record_validation(step, psnr, per,
                                     {'local_psnr': round(validator.local[0], 4),
                                      'global_psnr': round(validator.glob[0], 4)})
        log('dvp-train: step %d validation %.3f dB%s (local chain %.3f, global %.3f), %.1f s %s'
            % (step, psnr, mark, validator.local[0], validator.glob[0], time.time() - t0,
               json.dumps({k: round(v, 2) for k, v in per.items()})))

    if step == 0:
        validate_and_keep()
    while step < args.steps:
        rng = np.random.default_rng([args.seed, step])
        batch = fdata.batch(args.batch, args.unroll, args.crop, rng)
        steps, local = unroll(lnet, batch, bf16, fusion=fuse, train_local=args.joint)
        fused = sum((s['ab'] - batch['ab'][:, s['t']]).abs().mean() for s in steps) / len(steps)
        loc = sum((s['ab_local'] - batch['ab'][:, s['t']]).abs().mean()
                  for s in steps) / len(steps)
        glob = sum((batch['ab_global'][:, s['t']] - batch['ab'][:, s['t']]).abs().mean()
                   for s in steps) / len(steps)
        loss = fused
        if args.joint:
            # the paper's L1 on the local result, with stage 1's photometric
            # and confidence terms so the warped gray and the confidence keep
            # their meaning (no flow term: real clips have no true flow)
            photo = sum((s['L_warp'] - batch['L'][:, s['t']]).abs().mean()
                        for s in steps) / len(steps)
            conf = 0.0
            for s in steps:
                err = (s['ab_local'] - batch['ab'][:, s['t']]).abs().detach()
                target = torch.exp(-err.sum(1, keepdim=True) * dvp_ops.AB_SCALE / CONF_TAU)
                c = local['conf'][:, s['t'] - 1].clamp(1e-5, 1 - 1e-5)
                conf = conf + F.binary_cross_entropy(c, target) / len(steps)
            loss = fused + args.w_local * (loc + W_PHOTO * photo + W_CONF * conf)
        lr, gnorm = run.optimize(loss, step)
        loc = loc.detach()
        step += 1
        blend = sum(float(s['blend'].mean()) for s in steps) / len(steps)
        window.append([float(fused), float(loc), float(glob), blend, float(gnorm)])
        if step % args.log_every == 0 or step == args.steps:
            run.log_window(step, lr, window, window_t,
                           ('fused', 'local', 'global', 'blend', 'grad_norm'),
                           'dvp-train: step %(step)d L1 fused %(fused).4f local %(local).4f '
                           'global %(global).4f blend %(blend).3f |g| %(grad_norm).2f '
                           'lr %(lr)s %(steps_per_s).2f steps/s', log)
            window, window_t = [], time.time()
        run.after_step(step, validate_and_keep)
    log('dvp-train: done, %d steps, best validation %.3f dB, %s' % (step, run.best, args.out))


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, p))))


def save_ckpt(path, net, opt, step, best, args, cfg, extra=None):
    state = {'model': net.state_dict(), 'opt': opt.state_dict(), 'step': step, 'best': best,
             'args': vars(args), 'cfg': cfg.to_dict(), 'stage': args.stage,
             'time': datetime.datetime.now().isoformat(timespec='seconds')}
    state.update(extra or {})
    tmp = path + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, path)


class Logger:
    def __init__(self, out):
        self.f = open(os.path.join(out, 'run.log'), 'a')

    def __call__(self, *a):
        line = ' '.join(str(x) for x in a)
        print(line, flush=True)
        self.f.write(line + '\n')
        self.f.flush()


def append_csv(path, row):
    new = not os.path.exists(path)
    with open(path, 'a', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new:
            w.writeheader()
        w.writerow(row)


class Run:
    """What both stages' loops share: learning rate, optimizer step,
    validation records and best.pt, periodic last.pt."""

    def __init__(self, args, net, opt, cfg, meta, params, best=-1.0):
        self.args, self.net, self.opt, self.cfg, self.meta = args, net, opt, cfg, meta
        self.params, self.best = params, best
        self.start = self.last_ckpt = time.time()
        self.extra_state = lambda: {}    # more for the checkpoints (--joint: the local net)

    def elapsed(self):
        return round(time.time() - self.start, 1)

    def optimize(self, loss, step):
        """Sets the step's learning rate, backpropagates, clips, steps;
        returns (lr, gradient norm)."""
        lr = lr_at(step, self.args)
        for gr in self.opt.param_groups:
            gr['lr'] = lr * gr.get('lr_scale', 1.0)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.opt.step()
        return lr, float(gnorm)

    def record_validation(self, step, psnr, per, extra):
        """val.csv row, best.pt when better; returns ' (best)' or ''."""
        row = {'step': step, 'elapsed_s': self.elapsed(), 'psnr': round(psnr, 4)}
        row.update(extra)
        row.update({k: round(v, 3) for k, v in per.items()})
        append_csv(os.path.join(self.args.out, 'val.csv'), row)
        if psnr <= self.best:
            return ''
        self.best = psnr
        save_ckpt(os.path.join(self.args.out, 'best.pt'), self.net, self.opt, step, self.best,
                  self.args, self.cfg, dict(self.extra_state(), meta=self.meta, val_psnr=psnr))
        return ' (best)'

    def log_window(self, step, lr, window, window_t, columns, fmt, log):
        """Means of the window's rows (one per step, in `columns` order) to
        train.csv and the log (fmt, %-style over the row)."""
        m = np.mean(window, 0)
        row = {'step': step, 'elapsed_s': self.elapsed(), 'lr': '%.3g' % lr}
        row.update({c: round(float(v), 5) for c, v in zip(columns, m)})
        row['steps_per_s'] = round(len(window) / (time.time() - window_t), 3)
        append_csv(os.path.join(self.args.out, 'train.csv'), row)
        log(fmt % row)

    def after_step(self, step, validate):
        if step % self.args.val_every == 0 or step == self.args.steps:
            validate()
        self.maybe_checkpoint(step)

    def maybe_checkpoint(self, step):
        if time.time() - self.last_ckpt > self.args.ckpt_minutes * 60 or step == self.args.steps:
            save_ckpt(os.path.join(self.args.out, 'last.pt'), self.net, self.opt, step, self.best,
                      self.args, self.cfg, dict(self.extra_state(), meta=self.meta))
            self.last_ckpt = time.time()


def main(argv=None):
    args = parse_args(argv)
    command = ' '.join(shlex.quote(a) for a in [sys.executable] + sys.argv)
    resume = None
    if args.resume:
        args.out = os.path.abspath(os.path.expanduser(args.resume))
        resume = torch.load(os.path.join(args.out, 'last.pt'))
        saved = resume['args']
        for k in ('stage', 'batch', 'unroll', 'crop', 'lr', 'warmup', 'seed', 'base', 'taps',
                  'corr_radius', 'soft_argmax', 'synth', 'max_shift', 'w_photo', 'w_flow',
                  'w_conf', 'w_match', 'local_ckpt', 'local_model', 'fusion_widths',
                  'fusion_residual', 'blend_init', 'features_model', 'joint',
                  'joint_local_lr', 'w_local'):
            if k in saved:
                setattr(args, k, tuple(saved[k]) if k == 'crop' else saved[k])
    if not args.out:
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M')
        args.out = os.path.expanduser('~/.cache/tinta/runs/%s-%s' % (args.stage, stamp))
    os.makedirs(args.out, exist_ok=True)
    log = Logger(args.out)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    bf16 = not args.no_bf16
    log('dvp-train: %s' % command)
    log('dvp-train: run directory %s' % args.out)
    if args.stage == 'fusion':
        return main_fusion(args, log, command, resume)

    data = dvp_data.Data(crop=args.crop)
    log('dvp-train: data: %s' % data.describe())
    init = None
    if args.init_local and not resume:
        init = load_local_ckpt(os.path.expanduser(args.init_local))
        for k in ('base', 'taps', 'corr_radius', 'soft_argmax'):
            setattr(args, k, init['cfg'][k])
    net, cfg = build_stage(args)
    if init is not None:
        net.load_state_dict(init['model'])
        log('dvp-train: local network initialized from %s (step %d, validation %.3f dB)'
            % (args.init_local, init['step'], init.get('val_psnr', float('nan'))))
    net = net.to(memory_format=torch.channels_last)
    params, flops, params_train, opt, step, best = setup_network(
        args, net, {'g_prev': (240, 427), 'g_cur': (240, 427)}, log, resume)
    validator = Validator(data)
    log('dvp-train: validation on %d sequences of %d frames; copy-frame-0 baseline %.3f dB %s'
        % (len(validator.items), dvp_data.VAL_LEN, validator.copy[0],
           json.dumps({k: round(v, 2) for k, v in validator.copy[1].items()})))
    meta = {'command': command, 'data': data.describe(), 'params': params, 'flops': flops}

    run = Run(args, net, opt, cfg, meta, params_train, best)

    def validate_and_keep():
        t0 = time.time()
        psnr, per = validator(net, bf16)
        mark = run.record_validation(step, psnr, per, {'copy_psnr': round(validator.copy[0], 4)})
        log('dvp-train: step %d validation %.3f dB%s (copy %.3f), %.1f s'
            % (step, psnr, mark, validator.copy[0], time.time() - t0))

    window, window_t = [], time.time()
    net.train()
    while step < args.steps:
        rng = np.random.default_rng([args.seed, step])
        batch = dvp_data.sample_batch(data, args.batch, args.unroll, args.crop, rng,
                                      synth_fraction=args.synth, max_shift=args.max_shift)
        use_match = args.w_match > 0 and args.corr_radius > 0
        steps, local = unroll(net, batch, bf16, with_match=use_match)
        loss, terms = local_losses(steps, local, batch, args.w_photo, args.w_flow, args.w_conf,
                                   args.w_match, args.corr_radius)
        lr, gnorm = run.optimize(loss, step)
        step += 1
        window.append([loss.item()] + [float(terms[k]) for k in ('ab', 'photo', 'flow', 'conf')]
                      + [float(gnorm), float(terms['match'])])
        if step % args.log_every == 0 or step == args.steps:
            run.log_window(step, lr, window, window_t,
                           ('loss', 'ab', 'photo', 'flow_px', 'conf_bce', 'grad_norm',
                            'match_ce'),
                           'dvp-train: step %(step)d loss %(loss).4f ab %(ab).4f photo '
                           '%(photo).4f flow %(flow_px).2f px conf %(conf_bce).3f match '
                           '%(match_ce).3f |g| %(grad_norm).2f lr %(lr)s '
                           '%(steps_per_s).2f steps/s', log)
            window, window_t = [], time.time()
        run.after_step(step, validate_and_keep)
    log('dvp-train: done, %d steps, best validation %.3f dB, %s' % (step, run.best, args.out))


if __name__ == '__main__':
    main()

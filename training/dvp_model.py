"""The colorization model's networks, built as Tinta graphs (tinta_graph.py)
so that the C runtime runs exactly what PyTorch trained.

Local network (stage `local`, arch `tinta-dvp-local`): a U-Net on the
previous and the current gray frame (L/100, half resolution) that outputs,
per pixel of the current frame,

  disp (2 ch)  displacement (dy, dx) in half-res pixels: where the pixel's
               content was in the previous frame (backward flow);
  kv, kh (n)   a vertical and a horizontal 1-D kernel, softmax over taps;
  conf (1)     sigmoid, how likely the propagated color is right here.

dvp_ops.dvp_local_apply(prev_ab, disp, kv, kh) is the local estimate.

Large motion, by design: the kernels are applied *around a predicted
displacement* rather than through a coarse-to-fine pyramid.  The
displacement comes from the coarse levels of the U-Net (its receptive field
at 1/16 resolution covers well over 100 half-res pixels), which also get a
cost volume: the correlation of siamese features of the two frames at 1/8
resolution over +-R cells (R = 3: +-24 half-res px = +-48 full-res px),
the graph op `correlation` (see _correlation).  In training the cost
volume's softmax also gets a cross-entropy against the true flow of
synthetic data (dvp_train.match_loss), so the matching features learn from
a dense, direct signal.  The displacement only has to be right to within
the kernel's +-r taps: the kernels then do what the paper's kernels do --
sub-pixel alignment, motion boundaries, mixing -- at full detail.  A
pyramid would need the kernels applied at every level with warping between
levels (more operators in C, more passes over memory); the displacement
costs one bilinear gather that the kernel window needs anyway.

Tried and left as an option (soft_argmax=True): disp = soft-argmax of the
cost volume + a residual.  It is a block matcher from the first step, but
with features that are still poor its expected offsets are biased wherever
matching is ambiguous (flat areas, borders, where the zero padding makes
offsets outside the image special), and the recursion accumulates the
bias: after 400 steps the held-out PSNR was 31.7 dB against 34.7 dB
without it, worst on a nearly static clip (31.4 vs 38.8 dB).

Why only the two gray frames and not the previous colors as input: motion
is a property of luminance, and with colors out of the input the network's
outputs for a frame pair never change when a keyframe is repainted -- the
engine caches disp/kernels/conf per frame pair and only re-runs the cheap
operator -- and the network of all K-1 pairs of an unrolled training
sequence runs as one batch.

Without a cost volume (corr_radius 0) the displacement head is trained
with its output multiplied by DISP_SCALE (a conv learns outputs of 20+ px
more easily that way); export folds the factor into the head's weights, so
the file's graph outputs pixels either way.
"""
import torch

import tinta_graph as tg

ARCH_LOCAL = 'tinta-dvp-local'
DISP_SCALE = 8.0
MATCH_BETA = 2.0         # near-uniform at first (random features match badly): disp ~ 0
MATCH_BETA_LOSS = 10.0
CENTER_LOGIT = 3.0      # kernels start close to the identity (centre tap ~0.77 for n=7)


class LocalConfig:
    def __init__(self, base=24, widths=None, taps=7, alpha=0.1, corr_radius=3, feat=None,
                 soft_argmax=False, corr_op=True):
        self.base = base
        # channels per level, finest first; 4 downsamplings
        self.widths = widths or [base, base * 4 // 3, base * 2, base * 8 // 3, base * 4]
        self.taps = taps
        self.alpha = alpha
        self.corr_radius = corr_radius      # 0: no correlation
        self.feat = feat or [16, 24, 32, 32]
        self.soft_argmax = soft_argmax      # coarse disp = soft-argmax of the cost volume
        self.corr_op = corr_op              # cost volume as one op (see _correlation)

    def to_dict(self):
        return {'base': self.base, 'widths': self.widths, 'taps': self.taps, 'alpha': self.alpha,
                'corr_radius': self.corr_radius, 'feat': self.feat,
                'soft_argmax': self.soft_argmax, 'corr_op': self.corr_op}

    @classmethod
    def from_dict(cls, d):
        return cls(d['base'], d['widths'], d['taps'], d['alpha'], d.get('corr_radius', 0),
                   d.get('feat'), d.get('soft_argmax', False),
                   d.get('corr_op', False))   # configs saved before it: the plain-op form


def _correlation(g, cfg, f_prev, f_cur):
    """Cost volume: corr_d(p) = mean_c f_cur_c(p) * f_prev_c(p + d) for the
    D = (2R+1)^2 offsets d in [-R, R]^2 (zero outside the image): the graph
    op `correlation` (docs/model-format.md).

    cfg.corr_op False builds the form of the networks trained before that
    op existed (all shipped so far): three convolutions with 0/1 (and 1/C)
    weights -- a grouped one-hot (2R+1)^2 conv makes every shifted copy of
    f_prev (channel c*D + d), a 1x1 conv repeats f_cur D times in the same
    order, `mul`, and a 1x1 conv sums over c.  The weights are stored in
    the file like any other and were meant to stay frozen, but joint
    training (dvp_train.load_local) trained them: in the shipped file they
    are off by up to 0.015 and the function is no longer a correlation, so
    that file keeps this form (the C runtime runs it ~8 ms slower at
    427x240)."""
    if cfg.corr_op:
        return g.correlation('corr', f_cur, f_prev, cfg.corr_radius)
    C = g.channels[f_prev]
    k = 2 * cfg.corr_radius + 1
    D = k * k
    shifted = g.conv2d('corr_shift', f_prev, C * D, k, padding=cfg.corr_radius, groups=C,
                       bias=False)
    repeated = g.conv2d('corr_repeat', f_cur, C * D, 1, bias=False)
    prod = g.mul('corr_prod', shifted, repeated)
    return g.conv2d('corr', prod, D, 1, bias=False)


def fixed_weights(cfg):
    """The cost volume's constant weights (see _correlation, _soft_argmax)."""
    if not cfg.corr_radius:
        return {}
    C = cfg.feat[-1]
    k = 2 * cfg.corr_radius + 1
    D = k * k
    out = {}
    if not cfg.corr_op:
        shift = torch.zeros(C * D, 1, k, k)
        repeat = torch.zeros(C * D, C, 1, 1)
        total = torch.zeros(D, C * D, 1, 1)
        for c in range(C):
            for d in range(D):
                shift[c * D + d, 0, d // k, d % k] = 1.0
                repeat[c * D + d, c] = 1.0
                total[d, c * D + d] = 1.0 / C
        out = {'corr_shift.weight': shift, 'corr_repeat.weight': repeat, 'corr.weight': total}
    if not cfg.soft_argmax:
        return out
    cell = 2 ** (len(cfg.feat) - 1)
    offsets = torch.zeros(2, D, 1, 1)
    for d in range(D):
        offsets[0, d] = (d // k - cfg.corr_radius) * cell
        offsets[1, d] = (d % k - cfg.corr_radius) * cell
    out['corr_disp.weight'] = offsets
    return out


def _features(g, cfg, x, tag):
    """Siamese feature pyramid (weights shared by both frames) down to 1/8."""
    last = len(cfg.feat) - 1
    for i, w in enumerate(cfg.feat):
        # the last level is linear: signed features make correlation peaks
        # follow structure rather than brightness
        act = dict(activation='leaky_relu', alpha=cfg.alpha) if i < last else {}
        x = g.conv2d('feat%d_%s' % (i, tag), x, w, 3, stride=1 if i == 0 else 2, padding=1,
                     weight='feat%d.weight' % i, bias_name='feat%d.bias' % i, **act)
    return x


def _soft_argmax(g, cfg, corr):
    """Coarse displacement in half-res px: softmax over the cost volume's
    offsets (after a learned 1x1 mixing that starts as beta * identity),
    then the expected offset -- a fixed 1x1 conv whose weights are the
    offsets times the cell size.  Block matching from the first step;
    training sharpens it."""
    D = g.channels[corr]
    logits = g.conv2d('match_logits', corr, D, 1, precision='f32')
    prob = g.softmax('match_prob', logits, precision='f32')
    return g.conv2d('corr_disp', prob, 2, 1, bias=False, precision='f32')


def build_local_graph(cfg):
    """Encoder: two 3x3 convs per level, stride-2 conv between levels.
    Decoder: bilinear resize to the skip's size (cheaper in oneDNN than a
    deconv and free of checkerboards), concat, two 3x3 convs.  The
    displacement head reads the 1/2 level (smooth field, less compute) and
    is resized to the input size; the kernel and confidence heads read the
    full-resolution level.  Heads run in f32 (a bf16 displacement of 20 px
    would be quantized to 1/8 px)."""
    g = tg.Graph()
    a = cfg.alpha
    act = dict(activation='leaky_relu', alpha=a)
    prev = g.input('g_prev', 1)
    cur = g.input('g_cur', 1)
    corr = None
    if cfg.corr_radius:
        f_prev = _features(g, cfg, prev, 'p')
        f_cur = _features(g, cfg, cur, 'c')
        corr = _correlation(g, cfg, f_prev, f_cur)
    x = g.concat('in', prev, cur)
    skips = []
    for lvl, w in enumerate(cfg.widths):
        stride = 1 if lvl == 0 else 2
        x = g.conv2d('enc%da' % lvl, x, w, 3, stride=stride, padding=1, **act)
        if lvl == 3 and corr is not None:      # 1/8, where the cost volume lives
            x = g.concat('enc3_corr', x, corr, f_cur)
        x = g.conv2d('enc%db' % lvl, x, w, 3, padding=1, **act)
        skips.append(x)
    disp_feat = None
    for lvl in range(len(cfg.widths) - 2, -1, -1):
        w = cfg.widths[lvl]
        up = g.resize('up%d' % lvl, x, 'bilinear', size_of=skips[lvl])
        x = g.concat('cat%d' % lvl, up, skips[lvl])
        x = g.conv2d('dec%da' % lvl, x, w, 3, padding=1, **act)
        x = g.conv2d('dec%db' % lvl, x, w, 3, padding=1, **act)
        if lvl == 1:
            disp_feat = x
    d = g.conv2d('disp_lo', disp_feat, 2, 3, padding=1, precision='f32')
    if corr is not None and cfg.soft_argmax:
        coarse = g.resize('coarse_up', _soft_argmax(g, cfg, corr), 'bilinear', size_of=disp_feat)
        d = g.add('disp_sum', coarse, d)
    disp = g.resize('disp', d, 'bilinear', size_of=cur)
    kv = g.softmax('kv', g.conv2d('kv_logits', x, cfg.taps, 3, padding=1, precision='f32'),
                   precision='f32')
    kh = g.softmax('kh', g.conv2d('kh_logits', x, cfg.taps, 3, padding=1, precision='f32'),
                   precision='f32')
    conf = g.conv2d('conf', x, 1, 3, padding=1, activation='sigmoid', precision='f32')
    g.output(disp, kv, kh, conf)
    return g


def _init_heads(weights, cfg):
    for name in ('disp_lo', 'kv_logits', 'kh_logits', 'conf'):
        weights[name + '.weight'].zero_()
        weights[name + '.bias'].zero_()
    for name in ('kv_logits', 'kh_logits'):
        weights[name + '.bias'][cfg.taps // 2] = CENTER_LOGIT
    if 'match_logits.weight' in weights:
        D = weights['match_logits.weight'].shape[0]
        weights['match_logits.weight'].copy_(MATCH_BETA * torch.eye(D).view(D, D, 1, 1))
        weights['match_logits.bias'].zero_()


class LocalNet(torch.nn.Module):
    """Training twin of the exported local network: a GraphModule whose
    displacement head is scaled by DISP_SCALE.  forward(g_prev, g_cur) ->
    dict(disp, kv, kh, conf)."""

    def __init__(self, cfg, seed=0, weights=None):
        super().__init__()
        self.cfg = cfg
        # Added to a soft-argmax the head only predicts a residual of a few px.
        self.disp_scale = 1.0 if cfg.corr_radius and cfg.soft_argmax else DISP_SCALE
        # Matching loss without the soft-argmax: logits = beta * corr, beta a
        # training-only temperature (not in the exported graph).
        self.match_beta = torch.nn.Parameter(torch.tensor(MATCH_BETA_LOSS))
        self.graph = build_local_graph(cfg)
        if weights is None:
            weights = self.graph.init_weights(torch.Generator().manual_seed(seed))
            _init_heads(weights, cfg)
            weights.update(fixed_weights(cfg))
        self.net = tg.GraphModule(self.graph.to_dict(), weights)
        for name, p in zip(self.net.weight_names, self.net.params):
            if name.startswith('corr'):
                p.requires_grad_(False)

    def trainable_parameters(self):
        return [p for p in self.parameters() if p.requires_grad]

    def forward(self, g_prev, g_cur, with_match=False):
        """with_match: also return 'match_logits' (the cost volume's
        logits at 1/8, for the matching loss of training)."""
        names = self.net.graph['outputs']
        if with_match and self.cfg.corr_radius:
            names = names + ['match_logits' if self.cfg.soft_argmax else 'corr']
        out = self.net(g_prev, g_cur, outputs=names)
        if 'corr' in out:
            out['match_logits'] = out.pop('corr').float() * self.match_beta
        if self.disp_scale != 1.0:
            out['disp'] = out['disp'] * self.disp_scale
        return out

    def export_weights(self):
        """Weights of the file's graph: DISP_SCALE folded into the head."""
        w = self.net.export_weights()
        w['disp_lo.weight'] = w['disp_lo.weight'] * self.disp_scale
        w['disp_lo.bias'] = w['disp_lo.bias'] * self.disp_scale
        return w


def graph_cost(graph_dict, weight_shapes, sizes):
    """(parameters, FLOPs = 2 x multiply-adds of its convolutions) at the given
    input sizes."""
    shapes = tg.infer_shapes(graph_dict, weight_shapes, sizes)
    flops = 0
    for node in graph_dict['nodes']:
        if node['op'] == 'conv2d':
            w = weight_shapes[node['weight']]
            _, h, wd = shapes[node['name']]
            flops += 2 * w[0] * w[1] * w[2] * w[3] * h * wd
    params = sum(int(torch.tensor(s).prod()) for s in weight_shapes.values())
    return params, flops


# ---------------------------------------------------------------------------
# fusion and refinement (stage `fusion`, arch `tinta-dvp-fusion`)

ARCH_FUSION = 'tinta-dvp-fusion'
FUSION_INPUTS = (('g_cur', 1), ('l_warp', 1), ('ab_local', 2), ('conf_local', 1),
                 ('ab_global', 2), ('sim_global', 1), ('l_global', 1), ('t_key', 1))
T_KEY_SCALE = 64.0      # t_key = min(frames since the keyframe, 64) / 64
BLEND_LOGIT = 2.0       # default start of the blend: sigmoid(2) = 0.88 local, 0.12 global


class FusionConfig:
    """residual=False drops the refinement term: the output is then a
    convex combination of the local and global estimates, hence of the
    keyframe's colours, and the recursion cannot run away.  With the
    residual it can: a small bias the network adds at every frame is
    propagated unchanged on static content and added again, frame after
    frame (the 795-frame sample clip went to saturated cyan after a few
    hundred frames; the 6-frame training windows never show it).  The
    shipped model is exported without it (dvp_export.py --no-residual)."""

    def __init__(self, widths=None, alpha=0.1, residual=True, blend_init=BLEND_LOGIT):
        self.widths = widths or [16, 24, 32, 48]   # finest (half res) first
        self.alpha = alpha
        self.residual = residual
        self.blend_init = blend_init                # initial logit of the blend

    def to_dict(self):
        return {'widths': self.widths, 'alpha': self.alpha, 'residual': self.residual,
                'blend_init': self.blend_init}

    @classmethod
    def from_dict(cls, d):
        return cls(d['widths'], d['alpha'], d.get('residual', True),
                   d.get('blend_init', BLEND_LOGIT))


def build_fusion_graph(cfg):
    """Fusion and refinement at the local network's half resolution.

    Inputs (all half resolution): g_cur = L/100 of the frame; l_warp = the
    previous L/100 moved by the local step's displacement and kernels (its
    difference with g_cur shows where the local step failed: occlusions,
    wrong motion); ab_local and ab_global = ab/110 of the two strategies;
    conf_local (the local network's confidence); sim_global (the global
    match's similarity); l_global = L/100 of the keyframe at the global
    match (its difference with g_cur is the global counterpart of l_warp's:
    a match onto different brightness is suspect); t_key = min(frames since the keyframe, 64)/64,
    a constant plane (drift grows with it, so global deserves more weight
    far from the keyframe).

    Output: ab = ab_global + w (ab_local - ab_global) + residual, with w a
    per-pixel sigmoid blend and the residual a refinement (colours neither
    strategy has, e.g. at disocclusions both get wrong).  The explicit blend
    keeps the untrained network close to the local result and makes what
    it learned readable (w is the `blend` output).  ab_local - ab_global
    is a fixed 1x1 convolution (weights `fixed_diff`, frozen).

    U-Net with one conv per level at half resolution (the costliest level:
    the network stays ~2 GFLOP at 427x240) and two below."""
    g = tg.Graph()
    act = dict(activation='leaky_relu', alpha=cfg.alpha)
    ins = {name: g.input(name, c) for name, c in FUSION_INPUTS}
    x = g.concat('in', *[ins[name] for name, _ in FUSION_INPUTS])
    skips = []
    for lvl, w in enumerate(cfg.widths):
        x = g.conv2d('enc%da' % lvl, x, w, 3, stride=1 if lvl == 0 else 2, padding=1, **act)
        if lvl > 0:
            x = g.conv2d('enc%db' % lvl, x, w, 3, padding=1, **act)
        skips.append(x)
    for lvl in range(len(cfg.widths) - 2, -1, -1):
        w = cfg.widths[lvl]
        up = g.resize('up%d' % lvl, x, 'bilinear', size_of=skips[lvl])
        x = g.conv2d('dec%da' % lvl, g.concat('cat%d' % lvl, up, skips[lvl]), w, 3, padding=1,
                     **act)
        if lvl > 0:
            x = g.conv2d('dec%db' % lvl, x, w, 3, padding=1, **act)
    blend = g.conv2d('blend', x, 1, 3, padding=1, activation='sigmoid', precision='f32')
    diff = g.conv2d('fixed_diff', g.concat('both', ins['ab_local'], ins['ab_global']), 2, 1,
                    bias=False, precision='f32')
    weighted = g.mul('weighted', diff, blend)
    if cfg.residual:
        res = g.conv2d('res', x, 2, 3, padding=1, precision='f32')
        ab = g.add('ab', g.add('mixed', ins['ab_global'], weighted), res)
    else:
        ab = g.add('ab', ins['ab_global'], weighted)
    g.output(ab, blend)
    return g


def fusion_fixed_weights():
    w = torch.zeros(2, 4, 1, 1)
    w[0, 0], w[0, 2], w[1, 1], w[1, 3] = 1.0, -1.0, 1.0, -1.0
    return {'fixed_diff.weight': w}


class FusionNet(torch.nn.Module):
    """Training twin of the fusion graph.  forward(**inputs) -> dict(ab,
    blend); inputs as named in FUSION_INPUTS, (B, C, H, W)."""

    def __init__(self, cfg, seed=0, weights=None):
        super().__init__()
        self.cfg = cfg
        self.graph = build_fusion_graph(cfg)
        if weights is None:
            weights = self.graph.init_weights(torch.Generator().manual_seed(seed))
            for name in ('blend', 'res') if cfg.residual else ('blend',):
                weights[name + '.weight'].zero_()
                weights[name + '.bias'].zero_()
            weights['blend.bias'].fill_(cfg.blend_init)
            weights.update(fusion_fixed_weights())
        self.net = tg.GraphModule(self.graph.to_dict(), weights)
        for name, p in zip(self.net.weight_names, self.net.params):
            if name.startswith('fixed_'):
                p.requires_grad_(False)

    def trainable_parameters(self):
        return [p for p in self.parameters() if p.requires_grad]

    def forward(self, **inputs):
        return self.net(**inputs)

    def export_weights(self):
        return self.net.export_weights()

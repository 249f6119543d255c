"""Fine-tunes the SqueezeNet features of the global strategy for matching
(stage `features`, design.md section 2), and exports them.

    /usr/bin/python3 training/dvp_features.py --steps 900
    /usr/bin/python3 training/dvp_features.py --resume ~/.cache/tinta/runs/features-...
    /usr/bin/python3 training/dvp_features.py --export RUN/best.pt \\
        -o models/tinta-dvp-features.safetensors

What the engine does with the features (engine/src/dvp/global.c): every
fire5 cell of the frame takes the keyframe cell of highest cosine
similarity (coarse stage), then conv1 features refine the position in a
7x7 window there (fine stage), and the keyframe's chroma is copied from
the match.  ImageNet features were trained to name objects, not to tell
this patch of a dress from that patch of the wall: the coarse stage is
where a wrong region (hence a wrong colour) is chosen.

The training signal is the colour transfer itself, made differentiable:
for a keyframe K and a frame T of the same real clip (2 to 60 frames
apart, either direction), the fire5 features of both (gray input, as the
engine gives them), a softmax over the cosine similarities of each T cell
to every K cell (temperature TAU: close to the engine's argmax, smooth
enough to learn) averages K's chroma; the loss is L1 to T's true chroma
(ab/110 units, both at the fire5 cell grid).  Nothing is supervised with
flow: the features are free to match whatever carries the right colour.

Which layers: fire2..fire5 learn; conv1 stays as converted.  conv1 feeds
the fine stage, which this loss does not see, and its 3x3 edge filters are
what a 7x7 refinement needs already.

Validation: the held-out clips (dvp_data.VAL_CLIPS), keyframe = frame 0,
frames 2, 6, .., 46, the engine's hard argmax at the fire5 grid: mean |ab error|
in Lab units (lower is better; best.pt keeps the lowest).  Step 0 measures
the starting features (the converted SqueezeNet, or --init's).

Data: the real clips of ../shared/data/train at their size (height above
480 scaled to 480, as the evaluation protocol's frames), every second
frame, decoded once into ~/.cache/tinta/train-data/features-v1/.
"""
import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # see dvp_train.py

import argparse        # noqa: E402
import datetime        # noqa: E402
import json            # noqa: E402
import shlex           # noqa: E402
import sys             # noqa: E402
import time            # noqa: E402

import numpy as np     # noqa: E402
import torch           # noqa: E402
import torch.nn.functional as F   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dvp_data        # noqa: E402
import dvp_ops         # noqa: E402
import dvp_train       # noqa: E402
import tinta_graph as tg   # noqa: E402

ARCH = 'squeezenet1_1-features'
CACHE_VERSION = 1
MAX_HEIGHT = 480
STRIDE = 2             # keep every second frame
MAX_GAP = 30           # in kept frames: up to 60 frames apart
TAU = 0.03             # softmax temperature on cosine similarity
FROZEN = ('conv1.',)   # weight name prefixes left as converted
CELL = 8               # fire5 cell m is centred on pixel 8m+7 (global.c)
VAL_TARGETS = 23       # kept frames 1, 3, .. 23 = frames 2, 6, .. 46


def default_base():
    return os.path.join(HERE, '..', 'build', 'models', 'squeezenet1_1-features.safetensors')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', help='run directory (default ~/.cache/tinta/runs/features-<date>)')
    p.add_argument('--resume', metavar='DIR', help='continue the run in DIR from its last.pt')
    p.add_argument('--base', default=default_base(),
                   help='the converted SqueezeNet features (the build makes it)')
    p.add_argument('--init', metavar='PT',
                   help='start from the features of this checkpoint (a new schedule)')
    p.add_argument('--steps', type=int, default=900)
    p.add_argument('--batch', type=int, default=4, help='keyframe/frame pairs per step')
    p.add_argument('--crop', default='192x256', help='HxW of the frame crop (multiples of 8)')
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--warmup', type=int, default=50)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--log-every', type=int, default=25)
    p.add_argument('--val-every', type=int, default=150)
    p.add_argument('--ckpt-minutes', type=float, default=4.0)
    p.add_argument('--export', metavar='PT', help='export a checkpoint and exit')
    p.add_argument('-o', '--output', help='with --export: the model file to write')
    p.add_argument('--dtype', default='F16', choices=sorted(tg.DTYPES))
    p.add_argument('--squeezenet-license', metavar='FILE', default=os.path.join(
        dvp_data.TRAIN_ROOT, '..', '..', 'pretrained', 'squeezenet1_1_ncnn_fp16',
        'LICENSE-squeezenet-BSD-2-Clause.txt'),
        help='with --export: the BSD-2 text copied into the file (license.squeezenet)')
    args = p.parse_args(argv)
    args.crop = tuple(int(v) for v in args.crop.lower().split('x'))
    if any(v % CELL for v in args.crop):
        p.error('--crop must be multiples of %d' % CELL)
    return args


# ---------------------------------------------------------------------------
# data

def gray_from_lab_L(L):
    """L (Lab) -> the engine's network input value in [0, 255]: sRGB of
    (L, 0, 0) (global.c compute_features)."""
    fy = (L + 16.0) / 116.0
    y = np.where(fy > 6.0 / 29.0, fy ** 3, (fy - 16.0 / 116.0) * (116.0 / (24389.0 / 27.0)))
    return (255.0 * np.clip(dvp_ops._linear_to_srgb(np.clip(y, 0.0, 1.0)), 0.0, 1.0))


def _cache_path(name):
    return os.path.join(dvp_data.CACHE, 'features-v%d' % CACHE_VERSION,
                        name.replace('/', '__') + '.npz')


def prepare(root=dvp_data.TRAIN_ROOT):
    """Every clip as gray uint8 (T, H, W) and chroma int8 (T, 2, H, W),
    every STRIDE-th frame, height at most MAX_HEIGHT.  Cached."""
    clips = dvp_data.read_manifest(root)
    out = []
    for c in clips:
        path = _cache_path(c['name'])
        if not os.path.exists(path):
            w, h = c['width'], c['height']
            vf = None
            if h > MAX_HEIGHT:
                w, h = int(round(w * MAX_HEIGHT / h / 2)) * 2, MAX_HEIGHT
                vf = 'scale=%d:%d:flags=area' % (w, h)
            rgb = dvp_data.ffmpeg_rgb(os.path.join(root, c['name'], '%05d.jpg'), w, h, vf=vf)
            rgb = rgb[::STRIDE]
            gray = np.empty(rgb.shape[:3], np.uint8)
            ab = np.empty((len(rgb), 2) + rgb.shape[1:3], np.int8)
            for i, f in enumerate(rgb):
                lab = dvp_ops.srgb8_to_lab(f)
                gray[i] = np.floor(gray_from_lab_L(lab[..., 0]) + 0.5)
                ab[i] = np.clip(np.round(lab[..., 1:].transpose(2, 0, 1)), -127, 127)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            np.savez(path + '.tmp.npz', gray=gray, ab=ab)
            os.replace(path + '.tmp.npz', path)
            dvp_data.log('features data: %s %d frames %dx%d' % (c['name'], len(gray), w, h))
        d = np.load(path)
        out.append({'name': c['name'], 'gray': d['gray'], 'ab': d['ab']})
    return out


def cell_ab(ab, y0, x0, h5, w5):
    """Chroma (2, H, W) float tensor -> (2, h5, w5) at the fire5 cells of a
    window whose top-left pixel is (y0, x0): the mean of the 8x8 pixels
    around each cell centre 8m+7 (edges replicated)."""
    H, W = ab.shape[1:]
    need_h, need_w = y0 + 4 + CELL * h5, x0 + 4 + CELL * w5
    padded = F.pad(ab[None], (0, max(0, need_w - W), 0, max(0, need_h - H)), mode='replicate')
    win = padded[:, :, y0 + 4:need_h, x0 + 4:need_w]
    return F.avg_pool2d(win, CELL)[0]


def features(net, gray):
    """gray (H, W) uint8 numpy or (H, W) tensor -> unit fire5 features
    (h5 * w5, C) and the grid size."""
    x = torch.as_tensor(gray, dtype=torch.float32)[None, None].expand(1, 3, -1, -1)
    f = net(x, outputs=['fire5'])['fire5'][0]
    C, h5, w5 = f.shape
    return F.normalize(f.reshape(C, -1).t(), dim=1), h5, w5


def pair_loss(net, key_gray, key_ab, cur_gray, cur_ab, crop_yx):
    """L1 (ab/110) of the soft colour transfer from the keyframe to the
    crop of the frame, and the hard (argmax) error in Lab units."""
    fk, kh, kw = features(net, key_gray)
    y0, x0 = crop_yx
    fc, ch, cw = features(net, cur_gray)
    ab_k = cell_ab(key_ab, 0, 0, kh, kw).reshape(2, -1)              # (2, M)
    ab_c = cell_ab(cur_ab, y0, x0, ch, cw).reshape(2, -1)             # (2, N)
    sim = fc @ fk.t()                                                 # (N, M)
    pred = torch.softmax(sim / TAU, dim=1) @ ab_k.t()                 # (N, 2)
    loss = (pred - ab_c.t()).abs().mean() / dvp_ops.AB_SCALE
    with torch.no_grad():
        hard = (ab_k.t()[sim.argmax(1)] - ab_c.t()).abs().mean()
    return loss, float(hard)


def sample_pair(clips, crop, rng):
    c = clips[rng.integers(len(clips))]
    T = len(c['gray'])
    k = int(rng.integers(T))
    gap = int(rng.integers(1, min(MAX_GAP, T - 1) + 1))
    t = k + gap if (k + gap < T and (k - gap < 0 or rng.random() < 0.5)) else k - gap
    if not 0 <= t < T:
        t = T - 1 if k < T - 1 else 0
    H, W = c['gray'].shape[1:]
    ch, cw = min(crop[0], H // CELL * CELL), min(crop[1], W // CELL * CELL)
    y0 = CELL * int(rng.integers((H - ch) // CELL + 1))
    x0 = CELL * int(rng.integers((W - cw) // CELL + 1))
    flip = rng.random() < 0.5

    def planes(i):
        g = torch.from_numpy(c['gray'][i].astype(np.float32))
        ab = torch.from_numpy(c['ab'][i].astype(np.float32))
        if flip:
            g, ab = g.flip(-1), ab.flip(-1)
        return g, ab
    kg, kab = planes(k)
    tg_, tab = planes(t)
    return kg, kab, tg_[y0:y0 + ch, x0:x0 + cw], tab, (y0, x0)


class Validator:
    def __init__(self, clips):
        self.items = [c for c in clips if c['name'] in dvp_data.VAL_CLIPS]

    @torch.no_grad()
    def __call__(self, net):
        per = {}
        for c in self.items:
            fk, kh, kw = features(net, c['gray'][0])
            ab_k = cell_ab(torch.from_numpy(c['ab'][0].astype(np.float32)), 0, 0, kh, kw)
            ab_k = ab_k.reshape(2, -1).t()
            errs = []
            for t in range(1, min(VAL_TARGETS, len(c['gray']) - 1) + 1, 2):
                fc, ch, cw = features(net, c['gray'][t])
                ab_c = cell_ab(torch.from_numpy(c['ab'][t].astype(np.float32)), 0, 0, ch, cw)
                pick = (fc @ fk.t()).argmax(1)
                errs.append(float((ab_k[pick] - ab_c.reshape(2, -1).t()).abs().mean()))
            per[c['name']] = float(np.mean(errs))
        return float(np.mean(list(per.values()))), per


# ---------------------------------------------------------------------------
# the run

class Config:
    def __init__(self, base):
        self.base = base

    def to_dict(self):
        return {'base': os.path.abspath(self.base), 'tau': TAU, 'frozen': list(FROZEN)}


class FeatureNet(torch.nn.Module):
    def __init__(self, base):
        super().__init__()
        m = tg.load_model(base, expect_arch=ARCH)
        self.graph, self.metadata = m.graph, m.metadata
        self.net = tg.GraphModule(m.graph, m.weights)
        for name, p in zip(self.net.weight_names, self.net.params):
            p.requires_grad_(not name.startswith(FROZEN))

    def trainable_parameters(self):
        return [p for p in self.parameters() if p.requires_grad]

    def forward(self, x, outputs=None):
        return self.net(x, outputs=outputs)


def export(args):
    ck = torch.load(args.export)
    if ck.get('stage') != 'features':
        raise SystemExit('%s: not a features checkpoint' % args.export)
    net = FeatureNet(ck['cfg']['base'] if os.path.exists(ck['cfg']['base']) else args.base)
    net.load_state_dict(ck['model'])
    with open(args.squeezenet_license, encoding='utf-8') as f:
        bsd = f.read()
    meta = {k: v for k, v in net.metadata.items() if not k.startswith('tinta.')}
    meta.update({
        'license': 'BSD-2-Clause (SqueezeNet v1.1, Iandola et al. 2016): the text is in '
                   'license.squeezenet. Fine-tuned for matching by the Tinta project '
                   '(models/README.md).',
        'license.squeezenet': bsd,
        'fine_tuned_by': 'training/dvp_features.py, step %d, validation %.3f Lab units '
                         '(%.3f at the start of its run)'
                         % (ck['step'], -ck['val_psnr'], ck['meta']['val0']),
        'command': ck['meta']['command']})
    tmp = args.output + '.tmp'
    tg.save_model(tmp, net.graph, net.net.export_weights(), ARCH, dtype=args.dtype,
                  extra_metadata=meta)
    back = tg.load_model(tmp, expect_arch=ARCH)
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 255, (1, 3, 64, 96))
                         .astype(np.float32))
    with torch.no_grad():
        a = net(x)['fire5']
        b = back.module()(x)['fire5']
    rel = float((a - b).abs().max() / a.abs().max())
    if rel > 1e-2:
        raise SystemExit('export check failed: %s changes fire5 by %.3g of its range'
                         % (args.dtype, rel))
    os.replace(tmp, args.output)
    print('dvp-features: wrote %s (%s, fire5 within %.2g of the checkpoint)'
          % (args.output, args.dtype, rel))


def main(argv=None):
    args = parse_args(argv)
    if args.export:
        if not args.output:
            raise SystemExit('--export needs -o FILE')
        return export(args)
    command = ' '.join(shlex.quote(a) for a in [sys.executable] + sys.argv)
    resume = None
    if args.resume:
        args.out = os.path.abspath(os.path.expanduser(args.resume))
        resume = torch.load(os.path.join(args.out, 'last.pt'))
        for k in ('batch', 'crop', 'lr', 'warmup', 'seed', 'base'):
            setattr(args, k, tuple(resume['args'][k]) if k == 'crop' else resume['args'][k])
    if not args.out:
        args.out = os.path.expanduser('~/.cache/tinta/runs/features-%s'
                                      % datetime.datetime.now().strftime('%Y%m%d-%H%M'))
    args.stage = 'features'
    os.makedirs(args.out, exist_ok=True)
    log = dvp_train.Logger(args.out)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    log('dvp-features: %s' % command)
    clips = prepare()
    train = [c for c in clips if c['name'] not in dvp_data.VAL_CLIPS and len(c['gray']) > 2]
    validator = Validator(clips)
    log('dvp-features: %d training clips (%d frames kept), %d validation clips'
        % (len(train), sum(len(c['gray']) for c in train), len(validator.items)))
    net = FeatureNet(args.base)
    cfg = Config(args.base)
    params = net.trainable_parameters()
    opt = torch.optim.Adam(params, lr=args.lr)
    step, best, val0 = 0, -float('inf'), None
    if args.init and not resume:
        init = torch.load(os.path.expanduser(args.init))
        net.load_state_dict(init['model'])
        log('dvp-features: initialized from %s (step %d)' % (args.init, init['step']))
    if resume:
        net.load_state_dict(resume['model'])
        opt.load_state_dict(resume['opt'])
        step, best, val0 = resume['step'], resume['best'], resume['meta'].get('val0')
        log('dvp-features: resumed at step %d' % step)
    log('dvp-features: %d parameters trained (conv1 frozen)' % sum(p.numel() for p in params))
    meta = {'command': command}
    # Run keeps the *highest* figure as best (best.pt): it is given minus the error.
    run = dvp_train.Run(args, net, opt, cfg, meta, params, best)

    def validate():
        nonlocal val0
        t0 = time.time()
        err, per = validator(net)
        if val0 is None:
            val0 = err
        run.meta['val0'] = val0
        mark = run.record_validation(step, -err, per, {'start': round(val0, 4)})
        log('dvp-features: step %d validation |ab error| %.3f Lab%s (start %.3f), %.1f s %s'
            % (step, err, mark, val0, time.time() - t0,
               json.dumps({k: round(v, 2) for k, v in per.items()})))

    if step == 0:
        validate()
    window, window_t = [], time.time()
    while step < args.steps:
        rng = np.random.default_rng([args.seed, step])
        total, hard = 0.0, []
        for _ in range(args.batch):
            kg, kab, cg, cab, yx = sample_pair(train, args.crop, rng)
            loss, h = pair_loss(net, kg, kab, cg, cab, yx)
            total = total + loss / args.batch
            hard.append(h)
        lr, gnorm = run.optimize(total, step)
        step += 1
        window.append([float(total), float(np.mean(hard)), gnorm])
        if step % args.log_every == 0 or step == args.steps:
            run.log_window(step, lr, window, window_t, ('loss', 'hard_lab', 'grad_norm'),
                           'dvp-features: step %(step)d loss %(loss).5f hard %(hard_lab).3f Lab '
                           '|g| %(grad_norm).3f lr %(lr)s %(steps_per_s).2f steps/s', log)
            window, window_t = [], time.time()
        run.after_step(step, validate)
    log('dvp-features: done, %d steps, best validation %.3f Lab (start %.3f), %s'
        % (step, -run.best, val0, args.out))


if __name__ == '__main__':
    main()

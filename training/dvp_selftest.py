"""Quick self-test of the colorization training code (no data files needed).

    /usr/bin/python3 training/dvp_selftest.py      # < 60 s on 2 cores

  * dvp_local_apply against the definition written as loops and as n*n
    grid_samples: random inputs, displacements pointing outside the image,
    image borders, kernels larger than the image (n = 7 on 4x4), 1-pixel
    images; gradients (gradcheck in float64); bf16 autocast inputs;
  * Lab: the engine's constants round-trip every tested 8-bit color;
  * synthetic motion: the ground-truth flow really moves frame t-1 onto t;
  * training: a tiny local network on tiny generated sequences, unrolled,
    must lower its loss; export as a model file, reload, and the file's
    graph must reproduce the training module;
  * fusion stage: the fused recursion from a drifted start with a partly
    right 'global' input must learn to beat the local chain; export.

Ends with `dvp-selftest: N passed, N failed`; exit status 1 on a failure.
"""
import os
import sys
import tempfile
import time
import traceback

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np      # noqa: E402
import torch            # noqa: E402
import torch.nn.functional as F   # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dvp_data         # noqa: E402
import dvp_export       # noqa: E402
import dvp_features     # noqa: E402
import dvp_model        # noqa: E402
import dvp_ops          # noqa: E402
import dvp_train        # noqa: E402
import tinta_graph as tg   # noqa: E402

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def random_case(gen, B, C, H, W, n, amp, dtype=torch.float32):
    img = torch.randn(B, C, H, W, generator=gen, dtype=dtype)
    disp = torch.randn(B, 2, H, W, generator=gen, dtype=dtype) * amp
    kv = torch.softmax(torch.randn(B, n, H, W, generator=gen, dtype=dtype) * 2, 1)
    kh = torch.softmax(torch.randn(B, n, H, W, generator=gen, dtype=dtype) * 2, 1)
    return img, disp, kv, kh


@test
def apply_matches_definition():
    gen = torch.Generator().manual_seed(1)
    # (B, C, H, W, n, displacement scale): borders everywhere, displacements
    # far outside, kernels wider than the image, single rows and pixels.
    cases = [(2, 2, 6, 9, 5, 3.0), (1, 1, 4, 4, 7, 6.0), (1, 3, 5, 3, 3, 10.0),
             (1, 2, 1, 7, 7, 2.0), (1, 1, 1, 1, 7, 1.5), (2, 1, 7, 5, 7, 0.0)]
    for B, C, H, W, n, amp in cases:
        args = random_case(gen, B, C, H, W, n, amp)
        fast = dvp_ops.dvp_local_apply(*args).double()
        naive = dvp_ops.dvp_local_apply_naive(*args)
        grid = dvp_ops.dvp_local_apply_grid(*args).double()
        assert (fast - naive).abs().max() < 1e-5, (B, C, H, W, n, (fast - naive).abs().max())
        assert (grid - naive).abs().max() < 1e-5, (B, C, H, W, n)
    # Integer displacements, one-hot kernels: an exact shift with replicate borders.
    img = torch.arange(20.0).view(1, 1, 4, 5)
    disp = torch.zeros(1, 2, 4, 5)
    disp[:, 0], disp[:, 1] = 1.0, -7.0
    k = torch.zeros(1, 3, 4, 5)
    k[:, 1] = 1
    out = dvp_ops.dvp_local_apply(img, disp, k, k)
    want = img[:, :, [1, 2, 3, 3], :][..., [0] * 5]
    assert torch.equal(out, want), out


@test
def apply_gradients():
    gen = torch.Generator().manual_seed(2)
    img, disp, kv, kh = random_case(gen, 1, 2, 4, 5, 3, 2.0, torch.float64)
    disp = disp + 0.37      # keep sample positions off integer grid lines (floor kinks)
    inputs = [t.clone().requires_grad_() for t in (img, disp, kv, kh)]

    def f(a, d, v, h):
        # dvp_local_apply works in float32; check the float64 twin of its math
        return dvp_ops.dvp_local_apply_grid(a, d, v, h)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-5)
    # The float32 operator's gradients agree with those of the definition.
    a = [t.detach().float().requires_grad_() for t in inputs]
    b = [t.detach().float().requires_grad_() for t in inputs]
    dvp_ops.dvp_local_apply(*a).pow(2).sum().backward()
    dvp_ops.dvp_local_apply_grid(*b).pow(2).sum().backward()
    for x, y in zip(a, b):
        assert (x.grad - y.grad).abs().max() < 1e-4, (x.grad - y.grad).abs().max()


@test
def apply_under_autocast():
    gen = torch.Generator().manual_seed(3)
    img, disp, kv, kh = random_case(gen, 2, 3, 8, 8, 7, 4.0)
    ref = dvp_ops.dvp_local_apply(img, disp, kv, kh)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = dvp_ops.dvp_local_apply(img, disp.bfloat16(), kv, kh)
    assert out.dtype == torch.float32
    ref16 = dvp_ops.dvp_local_apply(img, disp.bfloat16().float(), kv, kh)
    assert (out - ref16).abs().max() < 1e-5
    assert (out - ref).abs().max() < 0.5


@test
def lab_round_trip():
    rng = np.random.default_rng(4)
    rgb = np.concatenate([rng.integers(0, 256, (5000, 3)),
                          np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0],
                                    [0, 0, 255], [128, 128, 128]])]).astype(np.uint8)
    lab = dvp_ops.srgb8_to_lab(rgb)
    assert np.array_equal(dvp_ops.lab_to_srgb8(lab), rgb)
    assert abs(lab[-5, 0] - 100.0) < 1e-3 and np.abs(lab[-5, 1:]).max() < 1e-2   # D65 white
    # sRGB red in the scikit-image Lab the engine uses
    assert np.allclose(lab[-4], [53.2408, 80.0925, 67.2032], atol=2e-3), lab[-4]


def tiny_photos(n=4, size=(48, 64), seed=5):
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        base = F.interpolate(torch.rand(1, 3, size[0] // 6, size[1] // 6, generator=gen),
                             size=size, mode='bicubic', align_corners=False)[0]
        fine = F.interpolate(torch.rand(1, 1, size[0] // 2, size[1] // 2, generator=gen),
                             size=size, mode='bilinear', align_corners=False)[0]
        L = (base[:1] * 0.6 + fine * 0.4) * 100
        ab = (base[1:] - 0.5) * 120
        out.append(torch.cat([L, ab]).float())
    return out


@test
def synthetic_flow_is_exact():
    rng = np.random.default_rng(6)
    photos = tiny_photos(size=(96, 96))
    for _ in range(3):
        s = dvp_data.sample_synthetic(photos, 3, (24, 32), rng, max_shift=4.0)
        L = torch.from_numpy(s['L'])
        flow, valid = torch.from_numpy(s['flow']), torch.from_numpy(s['valid'])
        one = torch.ones(2, 1, 24, 32)
        warped = dvp_ops.dvp_local_apply(L[:-1], flow[1:], one, one)
        v = valid[1:]
        assert v.mean() > 0.3
        err = ((warped - L[1:]).abs() * v).sum() / v.sum()
        still = ((L[:-1] - L[1:]).abs() * v).sum() / v.sum()
        # bilinear re-sampling of the fine texture costs a little; no motion costs a lot
        assert err < 0.03 and err < 0.25 * still, (err, still)


def tiny_batch(rng, photos, B=2, K=3, S=(32, 32)):
    return dvp_data.make_batch([dvp_data.sample_synthetic(photos, K, S, rng, max_shift=4.0)
                                for _ in range(B)])


@test
def training_lowers_loss_and_exports():
    torch.manual_seed(0)
    cfg = dvp_model.LocalConfig(base=8, widths=[8, 12, 16, 16, 16], taps=7)
    net = dvp_model.LocalNet(cfg, seed=0).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    photos = tiny_photos()
    batch = tiny_batch(np.random.default_rng(7), photos)
    losses = []
    for _ in range(40):
        steps, local = dvp_train.unroll(net, batch, bf16=True, with_match=True)
        assert local['match_logits'].shape[2:] == (49, 4, 4)
        loss, _ = dvp_train.local_losses(steps, local, batch, w_match=0.1, radius=3)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    assert last < 0.8 * first, (first, last)
    # Export and reload: the file's graph computes the training module's function.
    ckpt = {'model': net.state_dict(), 'cfg': cfg.to_dict(), 'step': 40, 'stage': 'local',
            'meta': {'command': 'dvp_selftest', 'data': 'tiny generated sequences'}}
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'local.safetensors')
        for dtype in ('F16', 'BF16'):
            dvp_export.export_local(ckpt, path, dtype=dtype, verify=False)
            pair = dvp_export.test_pair(seed=1, size=(40, 56))
            if dtype == 'F16':
                dvp_export.verify_local(path, dvp_export.local_from_ckpt(ckpt), *pair, dtype)
            m = tg.load_model(path, expect_arch=dvp_model.ARCH_LOCAL)
            assert m.metadata['tinta.dvp.taps'] == '7' and m.dtype == dtype
            assert m.graph['outputs'] == ['disp', 'kv', 'kh', 'conf']
        # An F32 file rebuilds the training network exactly (--init-local,
        # --local-ckpt with a model file).
        dvp_export.export_local(ckpt, path, dtype='F32', verify=False)
        back = dvp_train.local_ckpt_from_model_file(path)
        assert back['cfg'] == cfg.to_dict() and back['step'] == 40
        net2 = dvp_model.LocalNet(cfg).to(memory_format=torch.channels_last)
        net2.load_state_dict(back['model'])
        g_prev, g_cur, _ = dvp_export.test_pair(seed=2, size=(40, 56))
        with torch.no_grad():
            a, b = net.eval()(g_prev, g_cur), net2.eval()(g_prev, g_cur)
        # Only summation order may differ (threads); a wrong or missing
        # weight moves these by orders of magnitude more. disp is in px.
        for k in ('disp', 'kv', 'kh', 'conf'):
            assert (a[k] - b[k]).abs().max() < (1e-3 if k == 'disp' else 1e-5), k


@test
def export_weights_compute_the_training_function():
    # the residual head of the soft-argmax variant is not scaled, the others are
    for radius, soft in ((0, False), (3, False), (3, True)):
        cfg = dvp_model.LocalConfig(base=8, widths=[8, 8, 8, 8, 8], taps=5, corr_radius=radius,
                                    soft_argmax=soft)
        net = dvp_model.LocalNet(cfg, seed=3)
        with torch.no_grad():
            for p in net.trainable_parameters():
                p.add_(torch.randn_like(p) * 0.05)
        g = tg.GraphModule(net.graph.to_dict(), net.export_weights())
        x, y = torch.rand(1, 1, 20, 36), torch.rand(1, 1, 20, 36)
        a, b = net(x, y), g(x, y)
        for k in a:
            assert (a[k] - b[k]).abs().max() < 1e-5, (radius, k)
        assert a['disp'].abs().max() > 0.01


@test
def cost_volume_is_a_correlation():
    # both forms: the correlation op and the former plain ops (corr_op False)
    for corr_op in (True, False):
        cfg = dvp_model.LocalConfig(base=8, widths=[8, 8, 8, 8, 8], taps=5, corr_radius=2,
                                    soft_argmax=True, corr_op=corr_op)
        net = dvp_model.LocalNet(cfg, seed=4)
        x = torch.rand(1, 1, 40, 64)
        y = torch.roll(x, (8, -16), (2, 3))
        o = net.net(x, y, outputs=['corr', 'feat3_p', 'feat3_c', 'corr_disp'])
        fp, fc = o['feat3_p'], o['feat3_c']
        R, k = 2, 5
        pad = F.pad(fp, (R, R, R, R))
        want = torch.stack([(fc * pad[:, :, i:i + fc.shape[2], j:j + fc.shape[3]]).mean(1)
                            for i in range(k) for j in range(k)], 1)
        assert (want - o['corr']).abs().max() < 1e-5
        # the soft-argmax's fixed weights: offsets times the 1/8 cell
        w = net.net.weight_dict()['corr_disp.weight'][:, :, 0, 0]
        assert w[:, 0].tolist() == [-16.0, -16.0] and w[:, k * k - 1].tolist() == [16.0, 16.0]
        assert not any(p.requires_grad for n, p in zip(net.net.weight_names, net.net.params)
                       if n.startswith('corr'))
        ops = [n['op'] for n in net.graph.to_dict()['nodes'] if n['name'] == 'corr']
        assert ops == (['correlation'] if corr_op else ['conv2d'])
    # configurations saved before the op existed mean the plain-op form
    d = cfg.to_dict()
    del d['corr_op']
    assert not dvp_model.LocalConfig.from_dict(d).corr_op


@test
def fusion_stage_lowers_loss_and_exports():
    """The fusion stage's recursion (unroll with make_fusion_step) on tiny
    generated sequences: a drifted start (the true chroma shifted), a
    'global' input that is right where a mask says so and noise elsewhere;
    the fused L1 must fall below both inputs' and the export must match."""
    torch.manual_seed(1)
    lcfg = dvp_model.LocalConfig(base=8, widths=[8, 8, 8, 8, 8], taps=5)
    lnet = dvp_model.LocalNet(lcfg, seed=0).eval()
    for p in lnet.parameters():
        p.requires_grad_(False)
    rng = np.random.default_rng(3)
    batch = tiny_batch(rng, tiny_photos(), B=4, K=4)
    ab = batch['ab']
    good = (torch.rand(ab.shape[0], ab.shape[1], 1, 1, 1) < 0.5).float()
    gen = torch.Generator().manual_seed(2)
    batch['ab_global'] = good * ab + (1 - good) * torch.randn(ab.shape, generator=gen) * 0.2
    batch['sim_global'] = good.expand(-1, -1, 1, ab.shape[3], ab.shape[4]).contiguous()
    batch['t_key'] = torch.zeros_like(batch['sim_global'])
    batch['l_global'] = batch['L']
    batch['ab_start'] = torch.roll(ab[:, 0], 3, 3)
    fnet = dvp_model.FusionNet(dvp_model.FusionConfig(widths=[8, 8, 8, 8]), seed=0)
    opt = torch.optim.Adam(fnet.trainable_parameters(), lr=3e-3)
    fuse = dvp_train.make_fusion_step(fnet, bf16=True)
    losses = []
    for _ in range(40):
        steps, _ = dvp_train.unroll(lnet, batch, bf16=True, fusion=fuse)
        loss = sum((st['ab'] - ab[:, st['t']]).abs().mean() for st in steps) / len(steps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    local = sum((st['ab_local'] - ab[:, st['t']]).abs().mean().item() for st in steps) / len(steps)
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    assert last < 0.8 * first, (first, last)
    assert last < local, (last, local)
    ckpt = {'model': fnet.state_dict(), 'cfg': fnet.cfg.to_dict(), 'step': 40, 'stage': 'fusion'}
    with tempfile.TemporaryDirectory() as d:
        diffs = dvp_export.export_fusion(ckpt, os.path.join(d, 'fusion.safetensors'))
        assert diffs['ab'][0] < 1e-4
        # without the residual: a convex blend of the two inputs, exactly
        path = os.path.join(d, 'blend.safetensors')
        dvp_export.export_fusion(ckpt, path, residual=False)
        m = tg.load_model(path, expect_arch=dvp_model.ARCH_FUSION)
        assert not any(k.startswith('res.') for k in m.weights)
        x = {name: torch.rand(1, c, 16, 24) for name, c in dvp_model.FUSION_INPUTS}
        out = m.module()(**x)
        lo = torch.minimum(x['ab_local'], x['ab_global']) - 1e-6
        hi = torch.maximum(x['ab_local'], x['ab_global']) + 1e-6
        assert bool(((out['ab'] >= lo) & (out['ab'] <= hi)).all())


@test
def features_stage_lowers_loss_and_exports():
    """dvp_features on a tiny SqueezeNet-shaped graph (conv1, fire3, fire5
    at strides 2, 4, 8) and a frame that is its keyframe shifted by one
    cell: the soft colour transfer's loss falls, conv1 stays frozen, and
    the export carries the BSD text and reloads."""
    g = tg.Graph()
    x = g.input('x', 3)
    c1 = g.conv2d('conv1', x, 8, 3, stride=2, activation='relu')
    p1 = g.maxpool('pool1', c1, 3, stride=2, ceil_mode=True)
    f3 = g.conv2d('fire3', p1, 8, 3, padding=1, activation='relu')
    p3 = g.maxpool('pool3', f3, 3, stride=2, ceil_mode=True)
    g.conv2d('fire5', p3, 16, 3, padding=1, activation='relu')
    g.output('conv1', 'fire3', 'fire5')
    weights = g.init_weights(torch.Generator().manual_seed(0), bias_std=0.1)
    rng = np.random.default_rng(0)
    gray = np.repeat(np.repeat(rng.integers(0, 256, (12, 16)), 8, 0), 8, 1).astype(np.uint8)
    ab = torch.from_numpy(np.repeat(np.repeat(rng.uniform(-60, 60, (2, 12, 16)), 8, 1), 8, 2)
                          .astype(np.float32))
    key_g, key_ab = torch.from_numpy(gray.astype(np.float32)), ab
    cur_g, cur_ab = torch.roll(key_g, 8, 1), torch.roll(key_ab, 8, 2)
    with tempfile.TemporaryDirectory() as d:
        base = os.path.join(d, 'base.safetensors')
        tg.save_model(base, g.to_dict(), weights, dvp_features.ARCH)
        net = dvp_features.FeatureNet(base)
        conv1 = net.net.weight_dict()['conv1.weight'].detach().clone()
        opt = torch.optim.Adam(net.trainable_parameters(), lr=1e-2)
        losses = []
        for _ in range(30):
            loss, _ = dvp_features.pair_loss(net, key_g, key_ab, cur_g[:64, 16:80], cur_ab,
                                             (0, 16))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3]), losses
        assert torch.equal(net.net.weight_dict()['conv1.weight'], conv1)
        ckpt = {'model': net.state_dict(), 'stage': 'features', 'step': 30,
                'cfg': dvp_features.Config(base).to_dict(), 'val_psnr': -1.0,
                'meta': {'command': 'selftest', 'val0': 2.0}}
        pt, lic, out = (os.path.join(d, n) for n in ('f.pt', 'LICENSE', 'f.safetensors'))
        torch.save(ckpt, pt)
        with open(lic, 'w') as f:
            f.write('BSD-2-Clause test text')
        dvp_features.main(['--export', pt, '-o', out, '--squeezenet-license', lic])
        m = tg.load_model(out, expect_arch=dvp_features.ARCH)
        assert m.metadata['license.squeezenet'] == 'BSD-2-Clause test text'
        assert m.dtype == 'F16' and set(m.graph['outputs']) == {'conv1', 'fire3', 'fire5'}


def main():
    torch.set_num_threads(2)
    t0 = time.time()
    passed = failed = 0
    for fn in TESTS:
        t = time.time()
        try:
            fn()
            passed += 1
            print('ok   %-36s %.1f s' % (fn.__name__, time.time() - t))
        except Exception:
            failed += 1
            print('FAIL %s' % fn.__name__)
            traceback.print_exc()
    print('dvp-selftest: %.0f s' % (time.time() - t0))
    print('dvp-selftest: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

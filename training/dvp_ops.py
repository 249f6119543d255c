"""The numeric operators the colorization model shares with the C engine.

  * `dvp_local_apply`: the local strategy's operator, adaptive separable
    convolution around a per-pixel displacement (the exact definition the C
    operator copies; `dvp_local_apply_naive` is the same formula as loops);
  * sRGB <-> CIE Lab in numpy with the engine's constants
    (engine/src/color/lab.c), and the half-resolution rule;
  * `rgb_psnr`: the evaluation protocol's PSNR on 8-bit RGB.

Everything here is float32 and deterministic; the networks live in
dvp_model.py.  Run the tests with /usr/bin/python3 training/dvp_selftest.py.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

# Network input scaling: L/100 and ab/110 (a,b of sRGB colors stay inside
# about +-110).
L_SCALE = 100.0
AB_SCALE = 110.0


# ---------------------------------------------------------------------------
# local operator

def _tap_weights(k, frac):
    """Per-pixel weights of the n+1 integer rows (or columns) that the n
    bilinear taps of a 1-D kernel touch: u_m = k_m (1 - f) + k_{m-1} f,
    with k_{-1} = k_n = 0.  k: (B, n, H, W), frac: (B, H, W)."""
    frac = frac.unsqueeze(1)
    zero = torch.zeros_like(k[:, :1])
    return torch.cat([k, zero], 1) * (1 - frac) + torch.cat([zero, k], 1) * frac


def dvp_local_apply(img, disp, kv, kh):
    """Adaptive separable convolution around a displacement.

    img (B, C, H, W), disp (B, 2, H, W) = (dy, dx) in pixels, kv and kh
    (B, n, H, W) with n odd (each pixel's vertical and horizontal 1-D
    kernels; the network makes them softmax-normalized, the operator does
    not require it).  With r = n // 2:

        out(y,x,c) = sum_{i,j=0}^{n-1} kv_i(y,x) kh_j(y,x)
                     * bilinear(img_c, y + dy(y,x) + i - r, x + dx(y,x) + j - r)

    bilinear(img, sy, sx) samples at pixel-centre coordinates (integer
    (sy, sx) = that pixel exactly) with the coordinates clamped to
    [0, H-1] x [0, W-1] (border replicate) -- grid_sample(align_corners=True,
    padding_mode='border') with grid = 2 pos / (size - 1) - 1.

    How it is computed (and how the C operator should compute it): every
    tap of a pixel is shifted by the same fractional part, so with
    y0 = floor(y + dy), fy = y + dy - y0 (x0, fx likewise) the n x n
    bilinear taps collapse into one (n+1) x (n+1) window of integer pixels:

        out(y,x,c) = sum_{m,l=0}^{n} u_m v_l img_c(clampH(y0 - r + m), clampW(x0 - r + l))
        u_m = kv_m (1 - fy) + kv_{m-1} fy,   v_l = kh_l (1 - fx) + kh_{l-1} fx
        (kv_{-1} = kv_n = kh_{-1} = kh_n = 0)

    Clamping each integer index (replicate padding) gives exactly the same
    value as clamping the sample coordinate, for every position, inside or
    outside the image.  The result is a convex combination of img's pixels
    when the kernels are (softmax), so recursion cannot blow up.

    Autograd flows to img, disp (through fy, fx) and the kernels; under
    autocast everything here runs in float32."""
    with torch.autocast('cpu', enabled=False):
        img, disp, kv, kh = img.float(), disp.float(), kv.float(), kh.float()
        B, C, H, W = img.shape
        n = kv.shape[1]
        r = n // 2
        ys = torch.arange(H, dtype=torch.float32, device=img.device).view(1, H, 1) + disp[:, 0]
        xs = torch.arange(W, dtype=torch.float32, device=img.device).view(1, 1, W) + disp[:, 1]
        y0, x0 = torch.floor(ys), torch.floor(xs)
        u = _tap_weights(kv, ys - y0)            # (B, n+1, H, W)
        v = _tap_weights(kh, xs - x0)
        offs = torch.arange(-r, r + 2, device=img.device).view(1, n + 1, 1, 1)
        rows = (y0.long().unsqueeze(1) + offs).clamp_(0, H - 1)   # (B, n+1, H, W)
        cols = (x0.long().unsqueeze(1) + offs).clamp_(0, W - 1)
        flat = img.reshape(B, C, H * W)
        cols = cols.reshape(B, 1, n + 1, H * W)
        v = v.reshape(B, 1, n + 1, H * W)
        out = None
        # One gather per window row: (n+1) gathers of (n+1) H W indices
        # keeps the index tensors small and the backward a scatter_add.
        for m in range(n + 1):
            idx = rows[:, m].reshape(B, 1, 1, H * W) * W + cols          # (B, 1, n+1, HW)
            idx = idx.expand(B, C, n + 1, H * W).reshape(B, C, -1)
            vals = torch.gather(flat, 2, idx).view(B, C, n + 1, H * W)
            row = (vals * v).sum(2) * u[:, m].reshape(B, 1, H * W)
            out = row if out is None else out + row
        return out.view(B, C, H, W)


def dvp_local_apply_grid(img, disp, kv, kh):
    """The definition written with grid_sample, n*n calls (slow; tests)."""
    B, C, H, W = img.shape
    n = kv.shape[1]
    r = n // 2
    ys = torch.arange(H, dtype=img.dtype).view(1, H, 1) + disp[:, 0]
    xs = torch.arange(W, dtype=img.dtype).view(1, 1, W) + disp[:, 1]
    out = torch.zeros_like(img)
    for i in range(n):
        for j in range(n):
            gy = 2 * (ys + i - r) / max(H - 1, 1) - 1
            gx = 2 * (xs + j - r) / max(W - 1, 1) - 1
            grid = torch.stack([gx, gy], -1)
            s = F.grid_sample(img, grid, mode='bilinear', padding_mode='border',
                              align_corners=True)
            out = out + (kv[:, i] * kh[:, j]).unsqueeze(1) * s
    return out


def dvp_local_apply_naive(img, disp, kv, kh):
    """The definition as plain loops in float64 numpy (tests only)."""
    img, disp, kv, kh = (t.detach().double().numpy() for t in (img, disp, kv, kh))
    B, C, H, W = img.shape
    n = kv.shape[1]
    r = n // 2

    def bilinear(b, c, sy, sx):
        sy = min(max(sy, 0.0), H - 1.0)
        sx = min(max(sx, 0.0), W - 1.0)
        y0, x0 = int(math.floor(sy)), int(math.floor(sx))
        y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
        fy, fx = sy - y0, sx - x0
        return ((1 - fy) * ((1 - fx) * img[b, c, y0, x0] + fx * img[b, c, y0, x1])
                + fy * ((1 - fx) * img[b, c, y1, x0] + fx * img[b, c, y1, x1]))

    out = np.zeros_like(img)
    for b in range(B):
        for y in range(H):
            for x in range(W):
                for c in range(C):
                    s = 0.0
                    for i in range(n):
                        for j in range(n):
                            s += kv[b, i, y, x] * kh[b, j, y, x] * bilinear(
                                b, c, y + disp[b, 0, y, x] + i - r, x + disp[b, 1, y, x] + j - r)
                    out[b, c, y, x] = s
    return torch.from_numpy(out)


# ---------------------------------------------------------------------------
# color: the engine's constants (engine/src/color/lab.c)

_EPS = 216.0 / 24389.0
_KAPPA = 24389.0 / 27.0
_WHITE = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)


def _srgb_to_linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(lin):
    lin = np.maximum(lin, 0.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


_LIN8 = _srgb_to_linear(np.arange(256) / 255.0)


def srgb8_to_lab(rgb):
    """uint8 (..., 3) sRGB -> float32 (..., 3) L, a, b."""
    lin = _LIN8[rgb]
    xyz = lin @ (_RGB_TO_XYZ / _WHITE[:, None]).T
    f = np.where(xyz > _EPS, np.cbrt(xyz), (_KAPPA * xyz + 16.0) / 116.0)
    lab = np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]),
                    200.0 * (f[..., 1] - f[..., 2])], -1)
    return lab.astype(np.float32)


def lab_to_srgb8(lab):
    """float (..., 3) Lab -> uint8 (..., 3) sRGB, nearest code as the engine's
    tinta_lab_to_srgb8 (clamped to [0, 1] in linear light)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], -1)
    xyz = np.where(f > 6.0 / 29.0, f ** 3, (f - 16.0 / 116.0) * (116.0 / _KAPPA)) * _WHITE
    lin = np.clip(xyz @ _XYZ_TO_RGB.T, 0.0, 1.0)
    return np.clip(np.floor(_linear_to_srgb(lin) * 255.0 + 0.5), 0, 255).astype(np.uint8)


def half_res(plane):
    """Full-resolution plane(s) (..., H, W) -> half resolution: the mean of
    each 2x2 block (a trailing odd row/column is dropped).  Training
    downsamples Lab planes this way; the engine should do the same."""
    H, W = plane.shape[-2] // 2 * 2, plane.shape[-1] // 2 * 2
    p = plane[..., :H, :W]
    return 0.25 * (p[..., 0::2, 0::2] + p[..., 1::2, 0::2] + p[..., 0::2, 1::2]
                   + p[..., 1::2, 1::2])


def upsample_ab(ab_half, size):
    """Half-resolution chroma (2, h, w) numpy -> (2, H, W): bilinear,
    align_corners=False (the graph's resize), as the engine upsamples."""
    t = torch.from_numpy(np.ascontiguousarray(ab_half, dtype=np.float32))[None]
    return F.interpolate(t, size=size, mode='bilinear', align_corners=False)[0].numpy()


def rgb_psnr(rgb_pred, rgb_true):
    mse = np.mean((rgb_pred.astype(np.float64) - rgb_true.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)

"""Reference outputs of a converted SqueezeNet (training/convert_squeezenet.py)
on a real image or video frame, for the C runtime's parity test: decodes
with the ffmpeg program to RGB24, runs the model in float64 with the
PyTorch twin, and writes input:x (1x3xHxW, RGB in [0, 255]) and
output:<name> for every graph output (NCHW float32).  --top5 prints the
classifier's top-5 ImageNet classes (synset_words.txt beside the ncnn
weights).

    /usr/bin/python3 training/squeezenet_reference.py IMAGE_OR_VIDEO OUT.safetensors \\
        --model squeezenet.safetensors [--frame N] [--size WxH] [--top5]

--size scales with ffmpeg's bilinear scaler first (the ncnn example
classifies the whole image at 227x227).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg  # noqa: E402
import convert_squeezenet  # noqa: E402


def probe_size(path):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                          'stream=width,height', '-of', 'csv=p=0', path],
                         check=True, capture_output=True, text=True).stdout
    w, h = out.strip().splitlines()[0].split(',')[:2]
    return int(w), int(h)


def decode_rgb(path, frame=0, size=None):
    """(H, W, 3) uint8 of one frame (frame index counted from 0)."""
    w, h = size or probe_size(path)
    filters = ['select=eq(n\\,%d)' % frame] if frame else []
    if size:
        filters.append('scale=%d:%d:flags=bilinear+accurate_rnd+full_chroma_int' % size)
    cmd = ['ffmpeg', '-v', 'error', '-i', path]
    if filters:
        cmd += ['-vf', ','.join(filters)]
    cmd += ['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    if len(raw) != w * h * 3:
        raise SystemExit('%s: got %d bytes for %dx%d RGB24 (frame %d exists?)'
                         % (path, len(raw), w, h, frame))
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('image')
    ap.add_argument('out')
    ap.add_argument('--model', required=True)
    ap.add_argument('--frame', type=int, default=0)
    ap.add_argument('--size', default=None, help='WxH')
    ap.add_argument('--top5', action='store_true')
    ap.add_argument('--synset', default=None, help='synset_words.txt (default: beside the '
                    'ncnn weights in the shared folder)')
    args = ap.parse_args()
    # float64 runs on the single-threaded reference BLAS; a second OpenMP
    # thread only adds wake-ups (2-10x slower when meson runs tests in parallel)
    torch.set_num_threads(1)
    t0 = time.time()
    size = tuple(int(v) for v in args.size.lower().split('x')) if args.size else None
    rgb = decode_rgb(args.image, args.frame, size)
    x = torch.from_numpy(rgb.astype(np.float64).transpose(2, 0, 1).copy())[None]
    model = tg.load_model(args.model)
    t1 = time.time()
    with torch.no_grad():
        out = model.module().double()(x)
    t2 = time.time()
    tensors = {'input:x': x.float()}
    tensors.update({'output:' + k: v.float().contiguous() for k, v in out.items()})
    tg.save_tensors(args.out, tensors, {'model_arch': model.arch, 'image': os.path.basename(
        args.image), 'frame': str(args.frame), 'reference': 'float64 GraphModule'})
    print('%s: %dx%d, %s -> %s (decode+load %.2f s, float64 run %.2f s)' % (
        os.path.basename(args.image), x.shape[3], x.shape[2], model.arch,
        ', '.join('%s %s' % (k, 'x'.join(map(str, v.shape[1:]))) for k, v in out.items()),
        t1 - t0, t2 - t1))
    if args.top5:
        if 'prob' not in out:
            raise SystemExit('--top5 needs the classifier model (output prob)')
        synset = args.synset or os.path.join(convert_squeezenet.default_ncnn_dir(),
                                             'synset_words.txt')
        labels = [line.strip().split(' ', 1)[1] for line in open(synset)]
        prob = out['prob'].view(-1)
        top = torch.topk(prob, 5)
        for p, i in zip(top.values.tolist(), top.indices.tolist()):
            print('   %.3f  %3d  %s' % (p, i, labels[i][:60]))


if __name__ == '__main__':
    main()

"""Makes the shipped model file tinta-dvp.safetensors: one bundle
(docs/model-format.md) with the three networks of the fused strategy,

    features  squeezenet1_1-features  SqueezeNet v1.1 conv1..fire5 (global matching),
                                      fine-tuned (training/dvp_features.py)
    local     tinta-dvp-local         the local propagation network
    fusion    tinta-dvp-fusion        the fusion and refinement network

so that one file (the engine's default, `--model FILE` to override) runs
every strategy.  Each part keeps the dtype and the metadata of its source
file (metadata keys prefixed with the part name).  The build runs this
(models/meson.build) on the three trained files committed in models/.

    /usr/bin/python3 training/dvp_bundle.py OUT --features F --local L --fusion U \
        [--squeezenet-license LICENSE-squeezenet-BSD-2-Clause.txt]

The SqueezeNet license text is copied into the file's metadata
(`license.squeezenet`), as BSD-2-Clause asks of binary redistributions:
from the features file's own `license.squeezenet` (dvp_features.py
--export puts it there), else from --squeezenet-license (a features file
converted straight from ../shared/pretrained).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tinta_graph as tg   # noqa: E402

PARTS = (('features', 'squeezenet1_1-features'), ('local', 'tinta-dvp-local'),
         ('fusion', 'tinta-dvp-fusion'))
NOTICE = ('The features part holds SqueezeNet v1.1 weights (conv1..fire5), BSD-2-Clause, '
          'fine-tuned by the Tinta project: the copyright notice, conditions and disclaimer '
          'are in license.squeezenet. The local and fusion networks were trained by the Tinta '
          'project (models/README.md).')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('output')
    for name, _ in PARTS:
        p.add_argument('--' + name, required=True)
    p.add_argument('--squeezenet-license', metavar='FILE')
    args = p.parse_args(argv)
    bsd = tg.load_model(args.features, expect_arch=PARTS[0][1]).metadata.get('license.squeezenet')
    if bsd is None:
        if not args.squeezenet_license:
            p.error('%s has no license.squeezenet: give --squeezenet-license' % args.features)
        with open(args.squeezenet_license, encoding='utf-8') as f:
            bsd = f.read()
    parts, meta = [], {'license': NOTICE, 'license.squeezenet': bsd}
    for name, arch in PARTS:
        m = tg.load_model(getattr(args, name), expect_arch=arch)
        dtype = m.dtype if m.dtype in tg.DTYPES else 'F32'
        parts.append((name, arch, m.graph, m.weights, dtype))
        for k, v in m.metadata.items():
            if not k.startswith('tinta.') and k != 'license.squeezenet':
                meta['%s.%s' % (name, k)] = v
            elif k.startswith('tinta.dvp.'):
                meta['tinta.part.%s.%s' % (name, k[len('tinta.'):])] = v
    tmp = args.output + '.tmp'
    tg.save_bundle(tmp, parts, extra_metadata=meta)
    for name, arch in PARTS:      # read back: every part loads
        tg.load_model(tmp, expect_arch=arch)
    os.replace(tmp, args.output)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""The evaluation table of the README and the model card: runs
`tinta-cli eval --json` for each strategy on the evaluation sequences and
prints one Markdown table (per sequence and mean; frames 1-24 / all
frames; ms per frame), plus the JSON files for the record.

    python3 tools/eval-table.py [--strategies copy,local,global,fused]
        [--cli build/engine/tinta-cli] [--out out/eval] SEQDIR...

Timing is the strategy's own time per frame (decode and scoring excluded),
as measured on this machine during the run: run it on a quiet machine."""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--strategies', default='copy,local,global,fused')
    p.add_argument('--cli', default=os.path.join(ROOT, 'build', 'engine', 'tinta-cli'))
    p.add_argument('--out', default=os.path.join(ROOT, 'out', 'eval'))
    p.add_argument('seqs', nargs='+')
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for s in args.strategies.split(','):
        path = os.path.join(args.out, '%s.json' % s)
        subprocess.run([args.cli, 'eval', '--strategy', s, '--json', path] + args.seqs,
                       check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            results[s] = json.load(f)
    names = [q['name'] for q in next(iter(results.values()))['sequences']]
    head = '| sequence | ' + ' | '.join(results) + ' |'
    print(head)
    print('|---|' + '---|' * len(results))

    def cell(r):
        return '%.2f / %.2f' % (r['psnr25'], r['psnr_all'])
    for i, n in enumerate(names):
        print('| %s | %s |' % (n, ' | '.join(cell(r['sequences'][i]) for r in results.values())))
    print('| **mean** | %s |' % ' | '.join('**%s**' % cell(r['mean']) for r in results.values()))
    print('| ms per frame | %s |' % ' | '.join('%.1f' % r['mean']['ms_per_frame']
                                               for r in results.values()))
    return 0


if __name__ == '__main__':
    sys.exit(main())

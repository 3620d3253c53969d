#!/usr/bin/env python3
"""semeval_pairs.py - SemEval-2022 Task 8 Arabic pairs for `tawam explain --json`.

The pairs file (../shared/data/semeval_ar_pairs.jsonl) has one pair a line with the
fields pair_id, split ("train"/"test"), overall (human similarity, 1 = very similar ...
4 = very dissimilar), text1 and text2 (truncated excerpts; the headline runs into the
body with no separator, and there is no date). Two modes:

  to-pairs   writes JSONL for `tawam explain --json`: lines 1-2 are pair 0's two
             articles, lines 3-4 pair 1's, and so on:
                 {"id": "p0-a", "text": ..., "pair_id": ...}
                 {"id": "p0-b", "text": ..., "pair_id": ...}
             With --date D both articles get "date": D (the file has no dates; use it
             when the engine wants a time).
  spearman   reads the engine's answers, one JSON line per pair in the same order, takes
             the numeric --field (default story_score; a dotted path such as a.b reaches
             into objects) and prints the Spearman rank correlation (average ranks for
             ties) with the human "overall" score. Since 1 = very similar, a good
             similarity score correlates NEGATIVELY: both rho and -rho are printed.

    python3 tools/semeval_pairs.py to-pairs --pairs ../shared/data/semeval_ar_pairs.jsonl \\
        [--out FILE] [--split all|train|test] [--date "2022-01-01 00:00:00"]
    python3 tools/semeval_pairs.py spearman --pairs ../shared/data/semeval_ar_pairs.jsonl \\
        --scores OUT.jsonl [--field story_score] [--split all|train|test] [--json]

Use the same --split in both modes. Exit status: 0 done, 2 bad usage or input (the number
of score lines differs from the number of pairs, a pair id in a score line is out of
order, or no usable score). Standard library only.
"""

import argparse
import json
import math
import re
import sys


def die(msg):
    print('semeval_pairs: ' + msg, file=sys.stderr)
    sys.exit(2)


def read_pairs(path, split):
    pairs = []
    try:
        f = open(path, encoding='utf-8')
    except OSError as e:
        die('cannot read %s: %s' % (path, e))
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                p = json.loads(line)
                float(p['overall'])
                p['text1'], p['text2']
            except (ValueError, KeyError, TypeError):
                die('%s line %d: not a pair with "overall", "text1" and "text2"' % (path, n))
            if split != 'all' and p.get('split') != split:
                continue
            pairs.append(p)
    return pairs


def to_pairs(args):
    pairs = read_pairs(args.pairs, args.split)
    out = open(args.out, 'w', encoding='utf-8') if args.out else sys.stdout
    for i, p in enumerate(pairs):
        for side, field in (('a', 'text1'), ('b', 'text2')):
            doc = {'id': 'p%d-%s' % (i, side), 'text': p[field]}
            # copy any title/date the file may carry (this release has none)
            for k in ('title', 'date'):
                for src in (k + side, k + ('1' if side == 'a' else '2'), k + '_' + side):
                    if src in p:
                        doc[k] = p[src]
                        break
            if args.date and 'date' not in doc:
                doc['date'] = args.date
            if 'pair_id' in p:
                doc['pair_id'] = p['pair_id']
            out.write(json.dumps(doc, ensure_ascii=False) + '\n')
    if args.out:
        out.close()
    print('semeval_pairs: %d pairs, %d articles' % (len(pairs), 2 * len(pairs)),
          file=sys.stderr)
    return 0


def average_ranks(xs):
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        r = (i + j) / 2 + 1          # mean of positions i..j, 1-based
        for k in range(i, j + 1):
            ranks[order[k]] = r
        i = j + 1
    return ranks


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None                  # a constant variable: undefined
    return sxy / math.sqrt(sxx * syy)


def spearman(x, y):
    return pearson(average_ranks(x), average_ranks(y))


def get_field(obj, path):
    for part in path.split('.'):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


PAIR_ID = re.compile(r'^p(\d+)-[ab]$')


def check_order(obj, want, n):
    """If the line names an article id like p7-a (at the top level or one level down),
    it must be pair `want`."""
    vals = []
    for v in obj.values():
        if isinstance(v, dict):
            vals.extend(v.values())
        elif isinstance(v, list):
            vals.extend(v)
        else:
            vals.append(v)
    for v in vals:
        if isinstance(v, str):
            m = PAIR_ID.match(v)
            if m and int(m.group(1)) != want:
                die('score line %d names %s, expected pair p%d' % (n, v, want))


def run_spearman(args):
    pairs = read_pairs(args.pairs, args.split)
    lines = []
    try:
        f = open(args.scores, encoding='utf-8')
    except OSError as e:
        die('cannot read %s: %s' % (args.scores, e))
    with f:
        for n, line in enumerate(f, 1):
            if line.strip():
                lines.append((n, line))
    if len(lines) != len(pairs):
        die('%s has %d score lines for %d pairs' % (args.scores, len(lines), len(pairs)))
    scores, human, skipped = [], [], []
    for i, ((n, line), p) in enumerate(zip(lines, pairs)):
        try:
            o = json.loads(line)
        except ValueError:
            skipped.append((i, 'bad JSON'))
            continue
        if not isinstance(o, dict):
            skipped.append((i, 'not an object'))
            continue
        check_order(o, i, n)
        v = get_field(o, args.field)
        if o.get('error') or isinstance(v, bool) or not isinstance(v, (int, float)) \
                or not math.isfinite(v):
            skipped.append((i, o.get('error') or 'no numeric "%s"' % args.field))
            continue
        scores.append(float(v))
        human.append(float(p['overall']))
    for i, why in skipped:
        print('semeval_pairs: pair %d skipped: %s' % (i, why), file=sys.stderr)
    if len(scores) < 2:
        die('fewer than two usable scores')
    rho = spearman(scores, human)
    # mean score per human level, to see the shape behind the number
    levels = {}
    for s, h in zip(scores, human):
        levels.setdefault(h, []).append(s)
    means = {('%g' % h): {'n': len(v), 'mean_score': sum(v) / len(v)}
             for h, v in sorted(levels.items())}
    # two-sided p from the t approximation is not in the stdlib; give the large-sample
    # normal one, z = rho * sqrt(n - 1), as a rough guide
    p = math.erfc(abs(rho) * math.sqrt(len(scores) - 1) / math.sqrt(2)) \
        if rho is not None else None
    res = {'n': len(scores), 'skipped': len(skipped), 'field': args.field,
           'split': args.split, 'rho': rho, 'neg_rho': -rho if rho is not None else None,
           'p_normal_approx': p, 'by_overall': means}
    if args.json:
        print(json.dumps(res))
        return 0
    if rho is None:
        print('n = %d (skipped %d): a constant score or constant human label, rho undefined'
              % (len(scores), len(skipped)))
        return 0
    print('n                                    %d pairs (%d skipped), split %s'
          % (len(scores), len(skipped), args.split))
    print('Spearman rho(%s, overall)  %+.4f   (1 = very similar, so good is NEGATIVE)'
          % (args.field, rho))
    print('-rho (higher = agrees with humans)   %+.4f' % -rho)
    print('two-sided p (normal approximation)   %.3g' % p)
    print('mean %s per human overall level:' % args.field)
    for h, m in means.items():
        print('  overall %-4s n=%-3d mean %.4f' % (h, m['n'], m['mean_score']))
    return 0


def main():
    ap = argparse.ArgumentParser(
        description='SemEval-2022 Arabic pairs: make tawam explain input, score Spearman.')
    sub = ap.add_subparsers(dest='mode', required=True)
    a = sub.add_parser('to-pairs', help='write JSONL, two lines per pair')
    a.add_argument('--pairs', required=True)
    a.add_argument('--out', help='output file (default stdout)')
    a.add_argument('--split', choices=('all', 'train', 'test'), default='all')
    a.add_argument('--date', help='give every article this "date" (the file has none)')
    b = sub.add_parser('spearman', help='Spearman correlation of scores with "overall"')
    b.add_argument('--pairs', required=True)
    b.add_argument('--scores', required=True, help='one JSON line per pair, in order')
    b.add_argument('--field', default='story_score')
    b.add_argument('--split', choices=('all', 'train', 'test'), default='all')
    b.add_argument('--json', action='store_true')
    args = ap.parse_args()
    return to_pairs(args) if args.mode == 'to-pairs' else run_spearman(args)


if __name__ == '__main__':
    sys.exit(main())

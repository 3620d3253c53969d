#!/usr/bin/env python3
"""story_score.py - score tawam's story clusters on labelled same-story pairs.

Reads tawam's output (one JSON line per input line: {"id", "dup", "story", ...}), the
labelled pairs (../shared/data/story_pairs_dev.jsonl: "a", "b", "label" 2 = same story,
1 = related but a different event, 0 = different; "event_a"/"event_b" describe them) and
the clustered documents (../shared/data/ant.jsonl, for "source" and "title"), and reports:

  - same-story recall: label-2 pairs that share a story cluster / label-2 pairs;
  - related merge rate: label-1 pairs that share a story cluster / label-1 pairs
    (label-0 pairs, when the file has any, are reported the same way);
  - random cross-outlet merge rate: --random pairs of documents from different sources,
    drawn uniformly, and the share of them in one story cluster; plus the exact expected
    rate from the cluster sizes per source, without sampling:
        sum over clusters of (cross-source member pairs) / (all cross-source pairs);
  - the largest cluster, the 5 largest, and the number of clusters of two or more;
  - with --show N: N missed label-2 pairs and N merged label-1 pairs, with their event
    descriptions and titles.

A prediction line with an "error" (or without the cluster field) counts as a singleton.

    python3 tools/story_score.py --pairs ../shared/data/story_pairs_dev.jsonl \\
        --docs ../shared/data/ant.jsonl --pred PRED.jsonl [--field story] \\
        [--random 200000] [--seed 1] [--json] [--show N]

Exit status: 0 scored; 2 when a pair id is missing from PRED, or on bad usage / input.
Standard library only.
"""

import argparse
import json
import math
import random
import sys
from collections import Counter, defaultdict


def c2(n):
    return n * (n - 1) // 2


def id_key(v):
    """Hashable key for a JSON id: strings as they are, anything else tagged."""
    return v if isinstance(v, str) else ('#', json.dumps(v, sort_keys=True))


def show_id(k):
    return k if isinstance(k, str) else k[1]


def die(msg, code=2):
    print('story_score: ' + msg, file=sys.stderr)
    sys.exit(code)


def read_pred(path, field):
    """Returns (cluster: id key -> cluster key, order: list of id keys, notes: dict)."""
    cluster, order = {}, []
    notes = Counter()
    try:
        f = open(path, encoding='utf-8')
    except OSError as e:
        die('cannot read --pred %s: %s' % (path, e))
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                notes['blank lines'] += 1
                continue
            try:
                o = json.loads(line)
            except ValueError:
                notes['bad JSON lines'] += 1
                continue
            if not isinstance(o, dict) or 'id' not in o or o['id'] is None:
                notes['lines without an id'] += 1
                continue
            k = id_key(o['id'])
            if k in cluster:
                notes['repeated ids (first kept)'] += 1
                continue
            order.append(k)
            if o.get('error'):
                notes['error lines (singletons)'] += 1
                cluster[k] = ('#single', n)
            elif o.get(field) is None:
                notes['lines without "%s" (singletons)' % field] += 1
                cluster[k] = ('#single', n)
            else:
                cluster[k] = id_key(o[field])
    return cluster, order, notes


def read_docs(path):
    """id key -> (source, title). Only the fields we need are kept."""
    meta = {}
    try:
        f = open(path, encoding='utf-8')
    except OSError as e:
        die('cannot read --docs %s: %s' % (path, e))
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict) and 'id' in d:
                k = id_key(d['id'])
                if k not in meta:
                    meta[k] = (str(d.get('source', '')), str(d.get('title', '')))
    return meta


def read_pairs(path):
    pairs = []
    try:
        f = open(path, encoding='utf-8')
    except OSError as e:
        die('cannot read --pairs %s: %s' % (path, e))
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                p = json.loads(line)
                p['_a'], p['_b'], p['label'] = id_key(p['a']), id_key(p['b']), int(p['label'])
            except (ValueError, KeyError, TypeError):
                die('--pairs line %d: not a pair with "a", "b" and "label"' % n)
            pairs.append(p)
    return pairs


def cross_source_rates(cluster, meta, n_random, seed):
    """Sampled and exact merge rates over pairs of documents from different sources.

    The universe is every document of --docs that has a prediction line."""
    docs = [(k, meta[k][0]) for k in cluster if k in meta]
    n = len(docs)
    per_source = Counter(s for _, s in docs)
    total_cross = (n * n - sum(v * v for v in per_source.values())) // 2
    # exact: per cluster, (m^2 - sum over sources of m_s^2) / 2 cross-source member pairs
    by_cluster = defaultdict(Counter)
    for k, s in docs:
        by_cluster[cluster[k]][s] += 1
    merged_cross = 0
    for srcs in by_cluster.values():
        m = sum(srcs.values())
        if m > 1:
            merged_cross += (m * m - sum(v * v for v in srcs.values())) // 2
    exact = merged_cross / total_cross if total_cross else 0.0

    sampled = hits = 0
    if n_random > 0 and total_cross > 0:
        rng = random.Random(seed)
        keys = [cluster[k] for k, _ in docs]
        srcs = [s for _, s in docs]
        # two independent uniform draws, rejected when the sources match: uniform over
        # ordered cross-source pairs, hence over unordered ones
        rand = rng.randrange
        while sampled < n_random:
            i, j = rand(n), rand(n)
            if srcs[i] == srcs[j]:
                continue
            sampled += 1
            if keys[i] == keys[j]:
                hits += 1
    rate = hits / sampled if sampled else None
    se = math.sqrt(rate * (1 - rate) / sampled) if sampled else None
    return {
        'docs': n,
        'sources': dict(sorted(per_source.items())),
        'cross_source_pairs': total_cross,
        'merged_cross_source_pairs': merged_cross,
        'exact_rate': exact,
        'sampled_pairs': sampled,
        'sampled_merged': hits,
        'sampled_rate': rate,
        'sampled_rate_se': se,
    }


def main():
    ap = argparse.ArgumentParser(
        description='Score tawam story clusters on labelled same-story pairs.')
    ap.add_argument('--pairs', required=True, help='labelled pairs (story_pairs_dev.jsonl)')
    ap.add_argument('--docs', required=True, help='the clustered documents (ant.jsonl)')
    ap.add_argument('--pred', required=True, help="tawam's output, one line per input line")
    ap.add_argument('--field', default='story', help='cluster field of PRED (default story)')
    ap.add_argument('--random', type=int, default=200000, metavar='N',
                    help='random cross-source pairs to sample (default 200000; 0 = none)')
    ap.add_argument('--seed', type=int, default=1, help='sampling seed (default 1)')
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    ap.add_argument('--show', type=int, default=0, metavar='N',
                    help='list N missed label-2 pairs and N merged label-1 pairs')
    args = ap.parse_args()
    if args.random < 0 or args.show < 0:
        die('--random and --show take a number >= 0')

    cluster, order, notes = read_pred(args.pred, args.field)
    meta = read_docs(args.docs)
    pairs = read_pairs(args.pairs)

    missing = sorted({show_id(k) for p in pairs for k in (p['_a'], p['_b'])
                      if k not in cluster})
    if missing:
        print('story_score: %d pair id(s) missing from %s:' % (len(missing), args.pred),
              file=sys.stderr)
        for i in missing[:20]:
            print('  ' + i, file=sys.stderr)
        if len(missing) > 20:
            print('  ... and %d more' % (len(missing) - 20), file=sys.stderr)
        return 2
    for what, n in sorted(notes.items()):
        print('story_score: %s: %d' % (what, n), file=sys.stderr)
    not_in_docs = sum(1 for k in order if k not in meta)
    if not_in_docs:
        print('story_score: %d prediction id(s) not in --docs (left out of the random '
              'cross-source figures)' % not_in_docs, file=sys.stderr)
    docs_not_pred = sum(1 for k in meta if k not in cluster)
    if docs_not_pred:
        print('story_score: %d --docs id(s) have no prediction line (left out)' % docs_not_pred,
              file=sys.stderr)

    sizes = Counter(cluster[k] for k in order)

    # labelled pairs
    by_label = defaultdict(lambda: [0, 0])       # label -> [pairs, sharing a cluster]
    missed_same, merged_related = [], []
    for p in pairs:
        same = cluster[p['_a']] == cluster[p['_b']]
        by_label[p['label']][0] += 1
        by_label[p['label']][1] += same
        if p['label'] == 2 and not same:
            missed_same.append(p)
        elif p['label'] == 1 and same:
            merged_related.append(p)

    def rate(label):
        n, s = by_label.get(label, (0, 0))
        return s / n if n else None

    cross = cross_source_rates(cluster, meta, args.random, args.seed)

    # clusters; a cluster is named by its field value (the earliest member's id)
    first_member = {}
    for k in order:
        first_member.setdefault(cluster[k], k)
    pos = {k: i for i, k in enumerate(order)}
    top = sorted(sizes.items(), key=lambda kv: (-kv[1], pos[first_member[kv[0]]]))[:5]
    top5 = []
    for c, m in top:
        singleton = isinstance(c, tuple) and c[0] == '#single'
        top5.append({'story': show_id(first_member[c] if singleton else c), 'size': m,
                     'title': meta.get(first_member[c], ('', ''))[1]})
    multi = [m for m in sizes.values() if m > 1]

    def pair_view(p):
        sa, ta = meta.get(p['_a'], ('?', '?'))
        sb, tb = meta.get(p['_b'], ('?', '?'))
        ca, cb = cluster[p['_a']], cluster[p['_b']]
        return {'pair': p.get('pair'), 'label': p['label'],
                'a': show_id(p['_a']), 'b': show_id(p['_b']),
                'source_a': sa, 'source_b': sb, 'title_a': ta, 'title_b': tb,
                'event_a': p.get('event_a', ''), 'event_b': p.get('event_b', ''),
                'cluster_size_a': sizes[ca], 'cluster_size_b': sizes[cb]}

    result = {
        'pred': args.pred,
        'field': args.field,
        'lines': len(order),
        'pairs': {str(l): {'pairs': n, 'sharing': s, 'rate': s / n if n else None}
                  for l, (n, s) in sorted(by_label.items())},
        'same_story_recall': rate(2),
        'related_merge_rate': rate(1),
        'random_cross_source': cross,
        'largest_cluster': top5[0]['size'] if top5 else 0,
        'largest_clusters': top5,
        'clusters_2plus': len(multi),
        'docs_in_clusters_2plus': sum(multi),
        'clusters': len(sizes),
    }
    if by_label.get(0):
        result['different_merge_rate'] = rate(0)
    if args.show:
        result['missed_same_story'] = [pair_view(p) for p in missed_same[:args.show]]
        result['merged_related'] = [pair_view(p) for p in merged_related[:args.show]]

    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0

    def fmt(x):
        return 'n/a' if x is None else '%.4f' % x

    n2, s2 = by_label.get(2, (0, 0))
    n1, s1 = by_label.get(1, (0, 0))
    print('prediction   %s (field "%s"), %d lines' % (args.pred, args.field, len(order)))
    print('same-story recall      %s  (%d of %d label-2 pairs share a story cluster)'
          % (fmt(rate(2)), s2, n2))
    print('related merge rate     %s  (%d of %d label-1 pairs share one; lower is better)'
          % (fmt(rate(1)), s1, n1))
    if by_label.get(0):
        n0, s0 = by_label[0]
        print('different merge rate   %s  (%d of %d label-0 pairs share one)'
              % (fmt(rate(0)), s0, n0))
    print('random cross-outlet merge rate (%d docs, %d sources, %d cross-source pairs)'
          % (cross['docs'], len(cross['sources']), cross['cross_source_pairs']))
    if cross['sampled_pairs']:
        print('  sampled   %s  (%d of %d random pairs, seed %d; s.e. %.2g)'
              % (fmt(cross['sampled_rate']), cross['sampled_merged'], cross['sampled_pairs'],
                 args.seed, cross['sampled_rate_se']))
    print('  exact     %.6f  (%d of %d cross-source pairs, from cluster sizes per source)'
          % (cross['exact_rate'], cross['merged_cross_source_pairs'],
             cross['cross_source_pairs']))
    print('clusters   %d of two or more, holding %d docs; %d clusters in all'
          % (len(multi), sum(multi), len(sizes)))
    print('largest    %d' % result['largest_cluster'])
    for t in top5:
        print('  %6d  %-36s %s' % (t['size'], t['story'], t['title'][:70]))

    def show_pairs(title, items, total):
        print()
        print('%s (%d of %d shown)' % (title, min(args.show, total), total))
        for v in items:
            print('- pair %s (label %d): clusters of %d and %d'
                  % (v['pair'], v['label'], v['cluster_size_a'], v['cluster_size_b']))
            print('    a %-36s %-9s %s' % (v['a'], v['source_a'], v['title_a']))
            print('      event: %s' % v['event_a'])
            print('    b %-36s %-9s %s' % (v['b'], v['source_b'], v['title_b']))
            print('      event: %s' % v['event_b'])

    if args.show:
        show_pairs('missed same-story pairs (label 2, different clusters)',
                   result['missed_same_story'], len(missed_same))
        show_pairs('merged related pairs (label 1, one cluster)',
                   result['merged_related'], len(merged_related))
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# score.py - score a tawam clustering (JSONL with "id" and a cluster field, default "dup")
# against ground truth from tools/perturb.py: pairwise precision, recall, F1 and the
# Adjusted Rand Index, plus (with --by-kind) recall per perturbation kind and sample
# false-positive merges.
# Why this way: all pair counts come from the contingency table (sum of C(n,2) over its
# cells, rows and columns), never from enumerating pairs, so scoring 1M documents costs a
# few dict updates per document. Standard library only.
#
#   python3 tools/score.py --truth DIR/truth.jsonl --pred DIR/pred.jsonl [--field dup]
#                          [--by-kind DIR/docs.jsonl] [--json]
# Exit status: 0 scored, 2 when truth ids are missing from the prediction (or bad input).

import argparse
import json
import sys
from collections import Counter, defaultdict


def c2(n):
    return n * (n - 1) // 2


def label_key(v):
    """Hashable key for any JSON cluster value (ids are usually strings)."""
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def read_jsonl(path, what):
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield n, json.loads(line)
            except ValueError:
                print('score: %s line %d: bad JSON, skipped' % (what, n), file=sys.stderr)
                yield n, None


def pair_scores(truth, pred):
    """truth, pred: dicts id -> hashable label over the same ids."""
    cells, rows, cols = Counter(), Counter(), Counter()
    for i, t in truth.items():
        p = pred[i]
        cells[(t, p)] += 1
        rows[t] += 1
        cols[p] += 1
    n = len(truth)
    tp = sum(c2(v) for v in cells.values())
    true_pairs = sum(c2(v) for v in rows.values())
    pred_pairs = sum(c2(v) for v in cols.values())
    fp, fn = pred_pairs - tp, true_pairs - tp
    # Conventions: with no predicted pairs precision is 1 (nothing wrongly merged); with no
    # true pairs recall is 1 (nothing to find); F1 is 0 when both P and R are 0.
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    all_pairs = c2(n)
    expected = true_pairs * pred_pairs / all_pairs if all_pairs else 0.0
    max_index = (true_pairs + pred_pairs) / 2
    # Identical trivial partitions (all singletons vs all singletons, one vs one) give 0/0;
    # they agree perfectly, so ARI is 1 (the sklearn convention).
    ari = (tp - expected) / (max_index - expected) if max_index != expected else 1.0
    return {
        'docs': n, 'true_clusters': len(rows), 'pred_clusters': len(cols),
        'largest_true': max(rows.values()) if rows else 0,
        'largest_pred': max(cols.values()) if cols else 0,
        'true_pairs': true_pairs, 'pred_pairs': pred_pairs,
        'tp': tp, 'fp': fp, 'fn': fn,
        'precision': precision, 'recall': recall, 'f1': f1, 'ari': ari,
    }


def kinds_of(doc):
    k = doc.get('kind', '')
    if isinstance(k, list):
        return [str(x) for x in k]
    return [x for x in str(k).split('+') if x]


def main():
    ap = argparse.ArgumentParser(description='Pairwise P/R/F1 and ARI of a clustering against ground truth.')
    ap.add_argument('--truth', required=True, help='truth.jsonl: {"id":..., "cluster":...} per line')
    ap.add_argument('--pred', required=True, help="tawam output JSONL (id + cluster field)")
    ap.add_argument('--field', default='dup', help='cluster field in the prediction (default dup)')
    ap.add_argument('--by-kind', metavar='DOCS', help='docs.jsonl from perturb.py: recall per kind, FP examples')
    ap.add_argument('--json', action='store_true', help='print one JSON object instead of tables')
    args = ap.parse_args()
    err = sys.stderr

    truth, bad = {}, 0
    for n, d in read_jsonl(args.truth, 'truth'):
        if d is None or 'id' not in d or 'cluster' not in d:
            bad += 1
            continue
        truth[label_key(d['id'])] = label_key(d['cluster'])
    if bad:
        print('score: %d unusable truth lines' % bad, file=err)
    if not truth:
        print('score: empty truth', file=err)
        return 2

    pred = {}
    errors, no_field, no_id, extra, dups = [], [], 0, 0, 0
    for n, d in read_jsonl(args.pred, 'pred'):
        if d is None or 'id' not in d:
            no_id += 1
            continue
        i = label_key(d['id'])
        if i not in truth:
            extra += 1
            continue
        if i in pred:
            dups += 1
            continue
        if 'error' in d:
            errors.append(i)
            pred[i] = ('\0error', i)          # its own singleton
        elif d.get(args.field) is None:
            no_field.append(i)
            pred[i] = ('\0nofield', i)
        else:
            pred[i] = label_key(d[args.field])
    missing = [i for i in truth if i not in pred]
    if errors:
        print('score: %d prediction lines carry "error" (counted as singletons), e.g. %s'
              % (len(errors), ', '.join(errors[:5])), file=err)
    if no_field:
        print('score: %d prediction lines lack field "%s" (counted as singletons), e.g. %s'
              % (len(no_field), args.field, ', '.join(no_field[:5])), file=err)
    if no_id:
        print('score: %d prediction lines without an id (ignored)' % no_id, file=err)
    if extra:
        print('score: %d prediction ids not in truth (ignored)' % extra, file=err)
    if dups:
        print('score: %d repeated prediction ids (first kept)' % dups, file=err)
    if missing:
        print('score: %d truth ids missing from the prediction, e.g. %s'
              % (len(missing), ', '.join(missing[:10])), file=err)
        return 2

    res = pair_scores(truth, pred)
    res['error_lines'] = len(errors)
    res['field'] = args.field

    if args.by_kind:
        docs = {}
        for n, d in read_jsonl(args.by_kind, 'docs'):
            if d is not None and 'id' in d:
                docs[label_key(d['id'])] = (kinds_of(d), str(d.get('title', ''))[:60])
        # recall per kind: does a copy share a predicted cluster with its base?
        per = defaultdict(lambda: [0, 0])
        for i, lab in truth.items():
            if i == lab or lab not in pred or i not in docs:
                continue
            hit = pred[i] == pred[lab]
            for k in ['(all copies)'] + docs[i][0]:
                per[k][0] += 1
                per[k][1] += hit
        # true singletons (traps) that got merged with anything
        size = Counter(pred.values())
        tsize = Counter(truth.values())
        singles = [i for i, lab in truth.items() if tsize[lab] == 1]
        merged_singles = sum(1 for i in singles if size[pred[i]] > 1)
        # false-positive merges: predicted clusters holding several true clusters,
        # worst first, at most 3 pairs from any one cluster, 10 in all
        members = defaultdict(list)
        for i in truth:
            members[pred[i]].append(i)
        bad_clusters = []
        for p, ids in members.items():
            if len(ids) < 2:
                continue
            by_true = Counter(truth[i] for i in ids)
            if len(by_true) < 2:
                continue
            fp_pairs = c2(len(ids)) - sum(c2(v) for v in by_true.values())
            bad_clusters.append((fp_pairs, p, ids))
        bad_clusters.sort(key=lambda x: -x[0])
        examples = []
        for fp_pairs, p, ids in bad_clusters:
            reps = []
            seen = set()
            for i in ids:
                if truth[i] not in seen:
                    seen.add(truth[i])
                    reps.append(i)
            taken = 0
            for a in range(len(reps)):
                for b in range(a + 1, len(reps)):
                    if taken >= 3 or len(examples) >= 10:
                        break
                    x, y = reps[a], reps[b]
                    examples.append({
                        'a': x, 'b': y, 'a_kind': '+'.join(docs.get(x, ([], ''))[0]) or '?',
                        'b_kind': '+'.join(docs.get(y, ([], ''))[0]) or '?',
                        'a_title': docs.get(x, ([], ''))[1], 'b_title': docs.get(y, ([], ''))[1],
                        'pred_cluster': p if isinstance(p, str) else str(p),
                        'pred_size': len(ids), 'fp_pairs_in_cluster': fp_pairs})
                    taken += 1
            if len(examples) >= 10:
                break
        res['by_kind'] = {k: {'copies': v[0], 'with_base': v[1], 'recall': v[1] / v[0] if v[0] else None}
                          for k, v in sorted(per.items())}
        res['true_singletons'] = len(singles)
        res['true_singletons_merged'] = merged_singles
        res['fp_clusters'] = len(bad_clusters)
        res['fp_examples'] = examples

    if args.json:
        print(json.dumps(res, ensure_ascii=False))
        return 0

    print('docs             %d' % res['docs'])
    print('true clusters    %d (largest %d)' % (res['true_clusters'], res['largest_true']))
    print('pred clusters    %d (largest %d)' % (res['pred_clusters'], res['largest_pred']))
    print('error lines      %d' % res['error_lines'])
    print('TP / FP / FN     %d / %d / %d  (pairs)' % (res['tp'], res['fp'], res['fn']))
    print('precision        %.4f' % res['precision'])
    print('recall           %.4f' % res['recall'])
    print('F1               %.4f' % res['f1'])
    print('ARI              %.4f' % res['ari'])
    if args.by_kind:
        print('\nrecall per kind (copy in the same predicted cluster as its base):')
        print('  %-14s %7s %7s %8s' % ('kind', 'copies', 'hits', 'recall'))
        for k, v in res['by_kind'].items():
            print('  %-14s %7d %7d %8s' % (k, v['copies'], v['with_base'],
                                           '%.4f' % v['recall'] if v['recall'] is not None else '-'))
        print('\ntrue singletons merged with something: %d / %d' % (res['true_singletons_merged'],
                                                                      res['true_singletons']))
        print('predicted clusters mixing true clusters: %d' % res['fp_clusters'])
        if res['fp_examples']:
            print('false-positive merges (up to 10, worst clusters first):')
            for e in res['fp_examples']:
                print('  %s [%s]  ~  %s [%s]   (pred cluster %s, size %d)'
                      % (e['a'], e['a_kind'], e['b'], e['b_kind'], e['pred_cluster'], e['pred_size']))
                print('      "%s"  ~  "%s"' % (e['a_title'], e['b_title']))
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""seed_story_check.py - do the two seed articles form one story, and only they?

Builds a test feed in a temporary directory (never inside the project):
  - the two seed articles of SHARED/corpus/*.txt (first line: title or dateline; the rest:
    text), as ids seed-000 and seed-001, sources seed-a and seed-b, dated from their own
    datelines (25 November 2025, no time given: 12:00; "الأربعاء 26 نوفمبر 2025 06:00 م":
    18:00);
  - the first --ant (40) Gaza-truce articles of SHARED/data/ant.jsonl, sorted by id (title
    or text holds غزة and one of هدنة / وقف إطلاق النار / التهدئة, after light folding),
    re-dated to random times within 22-28 November 2025;
  - every article of tests/story/gaza_week.jsonl (related-but-different distractors);
then shuffles the lines, runs `TAWAM cluster --mode story FEED` and checks that the two seeds
share a story cluster and that no other article is in it. Random choices use --seed.

    python3 tools/seed_story_check.py --tawam build/tawam [--shared ../shared] [--seed 1]
        [--ant 40] [--keep DIR] [--field story] [--mode story] [--tawam-arg ARG ...]

--keep DIR writes feed.jsonl and out.jsonl there (DIR must be outside the project).
Exit status: 0 the check passes, or SHARED is absent ("skip"); 1 the check fails; 2 the check
could not run (no tawam, tawam exited 2 or more, malformed output, bad fixtures).
Standard library only.
"""

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / 'tests' / 'story' / 'gaza_week.jsonl'

# fallback dates (the brief's), used when a seed's dateline cannot be read
DEFAULT_SEED_DATES = ['2025-11-25 12:00:00', '2025-11-26 09:00:00']
MONTHS = {'يناير': 1, 'فبراير': 2, 'مارس': 3, 'أبريل': 4, 'ابريل': 4, 'مايو': 5,
          'يونيو': 6, 'يوليو': 7, 'أغسطس': 8, 'اغسطس': 8, 'سبتمبر': 9, 'أكتوبر': 10,
          'اكتوبر': 10, 'نوفمبر': 11, 'ديسمبر': 12}
DATELINE = re.compile(r'(\d{1,2})\s+(%s)\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})\s*([مص])?)?'
                      % '|'.join(MONTHS))

DIACRITICS = re.compile('[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]')
FOLD = str.maketrans('أإآٱىة', 'اااايه')


def fold(s):
    return DIACRITICS.sub('', s).translate(FOLD)


def is_gaza_truce(title, text):
    s = fold(title + ' ' + text)
    return 'غزه' in s and ('هدنه' in s or 'وقف اطلاق النار' in s or 'التهدئه' in s)


def fail_run(msg):
    print('seed_story_check: ' + msg, file=sys.stderr)
    sys.exit(2)


def seed_date(lines, fallback):
    """Date from the first dateline in the first lines: '25 نوفمبر 2025' (noon when no time)
    or '26 نوفمبر 2025 06:00 م'."""
    for line in lines[:6]:
        m = DATELINE.search(line)
        if not m:
            continue
        day, month, year = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3))
        hour, minute = 12, 0
        if m.group(4):
            hour, minute = int(m.group(4)) % 12 if m.group(6) else int(m.group(4)), \
                int(m.group(5))
            if m.group(6) == 'م':
                hour += 12
        try:
            return datetime.datetime(year, month, day, hour, minute).strftime(
                '%Y-%m-%d %H:%M:%S')
        except ValueError:
            continue
    return fallback


def read_seeds(shared):
    files = sorted((shared / 'corpus').glob('*.txt'))
    seeds = []
    for i, path in enumerate(files[:2]):
        lines = path.read_text(encoding='utf-8').splitlines()
        title = lines[0].strip() if lines else ''
        text = '\n'.join(lines[1:]).strip()
        seeds.append({'id': 'seed-%03d' % i, 'source': 'seed-' + 'ab'[i],
                      'date': seed_date(lines, DEFAULT_SEED_DATES[i]),
                      'title': title, 'text': text, '_file': path.name})
    if len(files) > 2:
        print('seed_story_check: %d files in corpus/, using the first two' % len(files),
              file=sys.stderr)
    return seeds


def read_ant(shared, n, rng):
    matches = []
    with open(shared / 'data' / 'ant.jsonl', encoding='utf-8') as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if not isinstance(d, dict) or not isinstance(d.get('text'), str):
                continue
            if is_gaza_truce(str(d.get('title', '')), d['text']):
                matches.append(d)
    matches.sort(key=lambda d: str(d['id']))
    picked = matches[:n]
    start = datetime.datetime(2025, 11, 22)
    span = 7 * 86400                                       # 22 Nov 00:00 .. 28 Nov 23:59:59
    out = []
    for d in picked:
        when = start + datetime.timedelta(seconds=rng.randrange(span))
        out.append({'id': d['id'], 'source': d.get('source', ''),
                    'date': when.strftime('%Y-%m-%d %H:%M:%S'),
                    'title': d.get('title', ''), 'text': d['text'],
                    '_orig_date': d.get('date', '')})
    return out, len(matches)


def read_fixtures():
    docs = []
    try:
        f = open(FIXTURES, encoding='utf-8')
    except OSError as e:
        fail_run('cannot read %s: %s' % (FIXTURES, e))
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                d['id'], d['text']
            except (ValueError, KeyError, TypeError):
                fail_run('%s line %d: not an article' % (FIXTURES, n))
            docs.append(d)
    return docs


def inside_project(path):
    p = Path(path).resolve()
    return p == ROOT or ROOT in p.parents


def short(s, n=70):
    s = ' '.join(str(s).split())
    return s if len(s) <= n else s[:n - 1] + '…'


def main():
    ap = argparse.ArgumentParser(
        description='Check that the two seed articles form one story cluster, and only they.')
    ap.add_argument('--tawam', default=str(ROOT / 'build' / 'tawam'))
    ap.add_argument('--shared', default=str(ROOT.parent / 'shared'))
    ap.add_argument('--seed', type=int, default=1, help='re-dating and shuffling seed')
    ap.add_argument('--ant', type=int, default=40, help='Gaza-truce ANT articles (default 40)')
    ap.add_argument('--min-ant', type=int, default=30, help=argparse.SUPPRESS)
    ap.add_argument('--keep', metavar='DIR', help='keep feed.jsonl and out.jsonl in DIR')
    ap.add_argument('--field', default='story', help='cluster field (default story)')
    ap.add_argument('--mode', default='story', help='value of --mode (default story)')
    ap.add_argument('--tawam-arg', action='append', default=[], metavar='ARG',
                    help='extra argument for tawam cluster (repeatable)')
    args = ap.parse_args()

    shared = Path(args.shared)
    needed = [shared / 'corpus', shared / 'data' / 'ant.jsonl']
    if not all(p.exists() for p in needed) or len(list((shared / 'corpus').glob('*.txt'))) < 2:
        print('seed_story_check: skip: %s (the seed articles and ant.jsonl) is absent'
              % shared)
        return 0
    if args.keep and inside_project(args.keep):
        fail_run('--keep %s is inside the project; use a directory outside it' % args.keep)
    if not (os.path.isfile(args.tawam) and os.access(args.tawam, os.X_OK)):
        fail_run('no executable tawam at %s (build it, or pass --tawam)' % args.tawam)

    rng = random.Random(args.seed)
    seeds = read_seeds(shared)
    ant, n_matches = read_ant(shared, args.ant, rng)
    if len(ant) < min(args.min_ant, args.ant):
        fail_run('only %d Gaza-truce articles in ant.jsonl (want %d)'
                 % (len(ant), min(args.min_ant, args.ant)))
    distractors = read_fixtures()

    kind = {}
    for group, docs in (('seed', seeds), ('ant', ant), ('distractor', distractors)):
        for d in docs:
            if d['id'] in kind:
                fail_run('id %r appears twice in the feed' % d['id'])
            kind[d['id']] = group
    feed = seeds + ant + distractors
    rng.shuffle(feed)
    meta = {d['id']: d for d in feed}

    with tempfile.TemporaryDirectory(prefix='tawam-seed-') as tmp:
        outdir = Path(args.keep) if args.keep else Path(tmp)
        outdir.mkdir(parents=True, exist_ok=True)
        feed_path, out_path = outdir / 'feed.jsonl', outdir / 'out.jsonl'
        with open(feed_path, 'w', encoding='utf-8') as f:
            for d in feed:
                f.write(json.dumps({k: v for k, v in d.items() if not k.startswith('_')},
                                   ensure_ascii=False) + '\n')
        cmd = [args.tawam, 'cluster', '--mode', args.mode, '-q'] + args.tawam_arg + \
            [str(feed_path)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out_path.write_bytes(proc.stdout)
    shown_cmd = ' '.join(cmd[:-1] + ['FEED'])
    print('feed      %d seed articles, %d Gaza-truce ANT articles (first %d of %d matches by '
          'id, re-dated into 22-28 Nov 2025), %d distractors; shuffled, seed %d'
          % (len(seeds), len(ant), len(ant), n_matches, len(distractors), args.seed))
    for s in seeds:
        print('          %s = corpus/%s, dated %s' % (s['id'], s['_file'], s['date']))
    print('ran       %s  -> exit %d' % (shown_cmd, proc.returncode))
    if args.keep:
        print('kept      %s, %s' % (feed_path, out_path))
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode('utf-8', 'replace'))
        fail_run('tawam exited %d; no check done' % proc.returncode)

    # one output line per input line, in input order
    lines = proc.stdout.decode('utf-8', 'replace').splitlines()
    if len(lines) != len(feed):
        fail_run('tawam wrote %d lines for %d input lines' % (len(lines), len(feed)))
    cluster, errors = {}, {}
    for i, (line, d) in enumerate(zip(lines, feed)):
        try:
            o = json.loads(line)
        except ValueError:
            fail_run('output line %d is not JSON' % (i + 1))
        if not isinstance(o, dict) or o.get('id') != d['id']:
            fail_run('output line %d has id %r, input has %r'
                     % (i + 1, o.get('id') if isinstance(o, dict) else None, d['id']))
        if o.get('error') or o.get(args.field) is None:
            errors[d['id']] = o.get('error') or 'no "%s" field' % args.field
            cluster[d['id']] = ('#single', d['id'])
        else:
            v = o[args.field]
            cluster[d['id']] = v if isinstance(v, str) else json.dumps(v)
    members = {}
    for d in feed:
        members.setdefault(cluster[d['id']], []).append(d['id'])

    def label(c):
        return c[1] + ' (alone)' if isinstance(c, tuple) else c

    problems = []
    for s in seeds:
        if s['id'] in errors:
            problems.append('%s has an error: %s' % (s['id'], errors[s['id']]))
    seed_clusters = {cluster[s['id']] for s in seeds}
    if len(seed_clusters) > 1:
        problems.append('the seeds are in different story clusters: ' +
                        ', '.join('%s -> %s' % (s['id'], label(cluster[s['id']]))
                                  for s in seeds))
    intruders = sorted({m for c in seed_clusters for m in members[c]
                        if kind[m] != 'seed'}, key=str)
    if intruders:
        problems.append('%d other article(s) in a seed cluster: %s'
                        % (len(intruders), ', '.join(map(str, intruders))))

    print()
    for c in sorted(seed_clusters, key=str):
        ms = members[c]
        print('seed story cluster %s: %d member(s)' % (label(c), len(ms)))
        for m in ms:
            d = meta[m]
            flag = '' if kind[m] == 'seed' else '   <-- %s, should not be here' % kind[m]
            print('  %-36s %-13s %s  %s%s' % (m, short(d.get('source', ''), 13),
                                             d.get('date', ''), short(d.get('title', '')),
                                             flag))

    print()
    print('distractors (tests/story/gaza_week.jsonl), their story clusters:')
    for d in sorted(distractors, key=lambda d: str(d['id'])):
        c = cluster[d['id']]
        others = [m for m in members[c] if m != d['id']]
        state = 'IN THE SEED CLUSTER' if c in seed_clusters else \
            ('alone' if not others else 'with %d other(s)' % len(others))
        print('  %-8s %s  %-22s %s' % (d['id'], d.get('date', '')[:10], state,
                                       short(d.get('title', ''), 60)))
        if d['id'] in errors:
            print('           error: %s' % errors[d['id']])
        for m in others:
            print('           + %-34s %s' % (m, short(meta[m].get('title', ''), 60)))

    ant_multi = {}
    for d in ant:
        c = cluster[d['id']]
        if len(members[c]) > 1 and c not in seed_clusters:
            ant_multi.setdefault(c, members[c])
    print()
    print('ANT Gaza-truce articles: %d in a seed cluster, %d in story clusters of two or '
          'more (fine: their own 2018 stories)'
          % (sum(1 for d in ant if cluster[d['id']] in seed_clusters), len(ant_multi)))
    for c, ms in sorted(ant_multi.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        print('  story %s: %d members' % (label(c), len(ms)))
        for m in ms:
            dd = meta[m]
            orig = '  (originally %s)' % dd['_orig_date'][:16] if dd.get('_orig_date') else ''
            print('    %-36s %-9s %s%s' % (m, dd.get('source', ''),
                                          short(dd.get('title', ''), 50), orig))
    if errors:
        print()
        print('%d line(s) with errors: %s' % (len(errors), ', '.join(map(str, errors))))

    print()
    if problems:
        print('FAIL')
        for p in problems:
            print('  - ' + p)
        return 1
    print('PASS: the two seed articles share a story cluster and nothing else is in it')
    return 0


if __name__ == '__main__':
    sys.exit(main())

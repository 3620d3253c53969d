#!/usr/bin/env python3
"""show_clusters.py — prints tawam's clusters as groups of titles, for people.

`tawam cluster` writes one JSON line per article (machine-friendly); this
joins that output with the input's titles and prints every cluster of two
or more articles, largest first. Usage:
    python3 tools/show_clusters.py INPUT.jsonl OUTPUT.jsonl [--field dup]
"""
import argparse
import collections
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--field", default="dup")
    ap.add_argument("--title-field", default="title")
    ap.add_argument("--source-field", default="source")
    args = ap.parse_args()
    meta = {}
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict) and "id" in d:
                meta[json.dumps(d["id"])] = (d.get(args.source_field, ""), d.get(args.title_field, ""))
    groups = collections.defaultdict(list)
    errors = 0
    with open(args.output, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if o.get("error"):
                errors += 1
                continue
            groups[json.dumps(o[args.field])].append(json.dumps(o["id"]))
    multi = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: -len(g))
    singles = sum(1 for g in groups.values() if len(g) == 1)
    for g in multi:
        print(f"cluster of {len(g)}:")
        for i in g:
            src, title = meta.get(i, ("", ""))
            print(f"  {json.loads(i)!s:<16} {src:<16} {title}")
    print(f"{len(multi)} clusters of two or more, {singles} articles on their own, {errors} lines with errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

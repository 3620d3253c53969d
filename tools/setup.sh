#!/usr/bin/env bash
# setup.sh — the README's first command: installs what is missing (Debian
# packages), builds tawam with its tests, and clusters the bundled corpus.
# Safe to run again: it installs nothing already there and rebuilds only
# what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="build-essential cmake pkg-config libxxhash-dev libicu-dev libhyperscan-dev libcmocka-dev libcjson-dev python3"
missing=""
for p in $PKGS; do
    dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo > /dev/null || { echo "setup: need root or sudo to install:$missing" >&2; exit 1; }
        SUDO=sudo
    fi
    echo "setup: installing$missing"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTAWAM_BUILD_TESTS=ON > /dev/null
cmake --build build -j "$(nproc)"

echo
echo "== build/tawam cluster --strip corpus/boilerplate.txt corpus/news.jsonl"
build/tawam cluster --stats --strip corpus/boilerplate.txt corpus/news.jsonl | tee build/demo.jsonl
echo
echo "== near-copy clusters, with titles"
python3 tools/show_clusters.py corpus/news.jsonl build/demo.jsonl --field dup
echo
echo "== story clusters (independent rewrites of one event), with titles"
python3 tools/show_clusters.py corpus/news.jsonl build/demo.jsonl --field story

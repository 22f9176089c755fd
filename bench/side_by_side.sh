#!/usr/bin/env bash
# Side-by-side CPU timing of `mmssl bench` and its PyTorch reference (bench/pytorch/m3_reference.py)
# on this machine, in one run, alternating the two. See bench/README.md.
#
# Usage:
#   cargo build --release                        # once: this script builds nothing
#   bash bench/side_by_side.sh [--repeats R] [--rounds K] [--warmup W]
#   bash bench/side_by_side.sh --summarise RAW   # re-print the ratios of a saved raw file
#
# Environment:
#   MMSSL_BIN          the mmssl binary (default target/release/mmssl, relative to the repo root)
#   MMSSL_BENCH_VENV   the Python venv with torch (default $HOME/.cache/mmssl-bench-venv);
#                      created, and torch installed into it, when missing
#   MMSSL_BENCH_THREADS  thread counts to compare (default "1 2")
#
# Per thread count t and round k it runs `RAYON_NUM_THREADS=t $MMSSL_BIN bench --json` and
# `python bench/pytorch/m3_reference.py --threads t` (the order flips every round), then prints,
# per step and t, the ratio mmssl median / PyTorch median with its min / median / max over the K
# rounds. Not part of `cargo test` or CI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPEATS=10
ROUNDS=3
WARMUP=2
SUMMARISE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) REPEATS="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --summarise) SUMMARISE="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "side_by_side.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# Ratios of medians per step and thread count, over rounds. Reads the raw file: one line per
# run, "IMPL<TAB>THREADS<TAB>ROUND<TAB>JSON".
summarise() {
    python3 - "$1" <<'PY'
import json, statistics, sys
from collections import defaultdict

runs = defaultdict(dict)  # (threads, round) -> impl -> {step: median_ms}
for line in open(sys.argv[1]):
    impl, threads, rnd, blob = line.rstrip("\n").split("\t", 3)
    result = json.loads(blob)
    if result.get("threads") != int(threads):
        print(f"warning: {impl} round {rnd} asked for {threads} threads, reports {result.get('threads')}")
    runs[(int(threads), int(rnd))][impl] = {t["name"]: t["median_ms"] for t in result["timings"]}

steps = ["supervised step", "ssl step (2 views)", "inference"]
print()
print("ratio = mmssl median_ms / PyTorch median_ms, same machine, same run (< 1: mmssl faster)")
print(f"{'step':<20} {'threads':>7} {'rounds':>6} {'min':>7} {'median':>7} {'max':>7}"
      f"   {'mmssl ms (med)':>14} {'torch ms (med)':>14}")
for step in steps:
    for threads in sorted({t for t, _ in runs}):
        pairs = [v for (t, _), v in sorted(runs.items())
                 if t == threads and "mmssl" in v and "pytorch" in v
                 and step in v["mmssl"] and step in v["pytorch"]]
        if not pairs:
            continue
        ratios = [p["mmssl"][step] / p["pytorch"][step] for p in pairs]
        ours = statistics.median(p["mmssl"][step] for p in pairs)
        theirs = statistics.median(p["pytorch"][step] for p in pairs)
        print(f"{step:<20} {threads:>7} {len(ratios):>6} {min(ratios):>7.2f} "
              f"{statistics.median(ratios):>7.2f} {max(ratios):>7.2f}   {ours:>14.1f} {theirs:>14.1f}")
PY
}

if [ -n "$SUMMARISE" ]; then
    summarise "$SUMMARISE"
    exit 0
fi

MMSSL_BIN="${MMSSL_BIN:-target/release/mmssl}"
if [ ! -x "$MMSSL_BIN" ]; then
    echo "side_by_side.sh: no mmssl binary at $MMSSL_BIN: run 'cargo build --release' first" \
         "(or set MMSSL_BIN)" >&2
    exit 1
fi

VENV="${MMSSL_BENCH_VENV:-$HOME/.cache/mmssl-bench-venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
    echo "creating the venv $VENV"
    python3 -m venv "$VENV"
fi
if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "installing torch into $VENV (CPU wheel index first, then PyPI)"
    "$PY" -m pip install --disable-pip-version-check --timeout 30 --retries 1 \
            torch numpy --index-url https://download.pytorch.org/whl/cpu \
        || "$PY" -m pip install --disable-pip-version-check torch numpy
fi

echo "== machine"
lscpu | grep -m1 'Model name' || true
echo "cores (nproc): $(nproc)   CPU(s) (lscpu): $(lscpu | awk -F: '/^CPU\(s\)/ {gsub(/ /, "", $2); print $2; exit}')"
echo "load: $(uptime)"
echo "mmssl: $MMSSL_BIN   torch: $("$PY" -c 'import torch; print(torch.__version__)')"
echo "repeats $REPEATS, warm-up $WARMUP, rounds $ROUNDS"

RAW="$(mktemp "${TMPDIR:-/tmp}/mmssl-side-by-side.XXXXXX.tsv")"

run_mmssl() {  # threads round
    local out
    out="$(RAYON_NUM_THREADS="$1" "$MMSSL_BIN" bench --json --repeats "$REPEATS" --warmup "$WARMUP")"
    printf 'mmssl\t%s\t%s\t%s\n' "$1" "$2" "$out" >> "$RAW"
    echo "  round $2, threads $1: mmssl done"
}

run_pytorch() {  # threads round
    local out
    out="$(OMP_NUM_THREADS="$1" MKL_NUM_THREADS="$1" "$PY" bench/pytorch/m3_reference.py \
        --threads "$1" --repeats "$REPEATS" --warmup "$WARMUP")"
    printf 'pytorch\t%s\t%s\t%s\n' "$1" "$2" "$out" >> "$RAW"
    echo "  round $2, threads $1: pytorch done"
}

echo "== runs (raw results: $RAW)"
for t in ${MMSSL_BENCH_THREADS:-1 2}; do
    for k in $(seq 1 "$ROUNDS"); do
        if [ $((k % 2)) -eq 1 ]; then
            run_mmssl "$t" "$k"; run_pytorch "$t" "$k"
        else
            run_pytorch "$t" "$k"; run_mmssl "$t" "$k"
        fi
    done
done

echo "load after: $(uptime)"
summarise "$RAW"
echo
echo "raw results: $RAW (re-print with: bash bench/side_by_side.sh --summarise $RAW)"

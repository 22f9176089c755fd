#!/bin/bash
# The `full` reproduction as a Slurm job array: N shards, each on its own node, each into its own
# results folder; a last job merges the stores and writes the report. Submit with
#
#   sbatch --array=1-16 docs/slurm-array.sh          # 16 shards
#   sbatch --dependency=afterok:<array job id> --export=MERGE=1,SHARDS=16 docs/slurm-array.sh
#
# Adjust the resources to your cluster; every shard needs the same build and the same profile.
#SBATCH --job-name=mmssl-full
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=48:00:00
#SBATCH --output=logs/mmssl-%A_%a.out
set -euo pipefail

PROFILE=${PROFILE:-full}
BIN=${BIN:-target/release/mmssl}          # built once: cargo build --release --features reports

if [[ "${MERGE:-0}" == 1 ]]; then
    # Merge the shards' stores, then let reproduce find every run done and write the report.
    stores=()
    for k in $(seq 1 "$SHARDS"); do stores+=("results/$PROFILE-shard$k"); done
    "$BIN" results merge "${stores[@]}" --out "results/$PROFILE"
    "$BIN" reproduce --profile "$PROFILE" --out "results/$PROFILE"
    exit
fi

K=$SLURM_ARRAY_TASK_ID
N=$SLURM_ARRAY_TASK_COUNT
# One run per core (each run computes on one thread); --no-report: the merge job writes it.
"$BIN" reproduce --profile "$PROFILE" --shard "$K/$N" --jobs "$SLURM_CPUS_PER_TASK" \
    --out "results/$PROFILE-shard$K" --no-report --quiet

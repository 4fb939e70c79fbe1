#!/bin/bash
# A sweep as a Slurm job array: task i runs shard i (SLURM_ARRAY_TASK_ID; the count from
# SLURM_ARRAY_TASK_COUNT, the first index from SLURM_ARRAY_TASK_MIN) on a shared file system.
#   sbatch .ci/sweep/slurm-array.sh            # the shards
#   sbatch --dependency=afterany:JOBID --wrap "node bin/crossab.js check --from $ROOT --db $ROOT/library.duckdb"
# A failed or cancelled task is resubmitted with `sbatch --array=I .ci/sweep/slurm-array.sh`: alone in
# its array it is shard 0 of 1, so it runs every unit not finished yet and leaves finished ones untouched
# (resubmit once the other tasks have ended: a unit another task is still running would be run twice).
# Tested on a real one-node Slurm 22.05 (test/sweep/slurm.test.ts; the cluster: .ci/slurm/start.sh).
#SBATCH --job-name=crossab-sweep
#SBATCH --array=0-9
#SBATCH --cpus-per-task=2
#SBATCH --mem=12G
#SBATCH --time=02:00:00
set -euo pipefail
ROOT=${ROOT:-$PWD/sweep}
# Every task plans the same sweep: idempotent, so there is no separate plan job.
# shellcheck disable=SC2086 # SCENARIOS is a glob
node bin/crossab.js sweep plan ${SCENARIOS:-scenarios/library/*.json} --seeds "${SEEDS:-5}" --root "$ROOT" > /dev/null
node bin/crossab.js sweep run "$ROOT" --workers "${SLURM_CPUS_PER_TASK:-2}"

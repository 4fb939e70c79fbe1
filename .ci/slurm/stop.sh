#!/usr/bin/env bash
# Stops the one-node cluster .ci/slurm/start.sh started (its jobs first), and munge.
set -uo pipefail
command -v scancel >/dev/null 2>&1 && scancel --full --quiet --user=root 2>/dev/null
for daemon in slurmd slurmctld munged; do pkill -x "$daemon"; done
for _ in $(seq 1 20); do
  pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || pgrep -x munged >/dev/null || exit 0
  sleep 0.5
done
echo "slurm: a daemon did not stop" >&2
exit 1

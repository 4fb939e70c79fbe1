#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the sweep's tests against the real engine: Debian's
# slurm-wlm (slurmctld and slurmd) with munge, sized from what slurmd finds (`slurmd -C`). Run as root
# (.ci/run does); idempotent. Stop it with .ci/slurm/stop.sh.
# Where cgroups cannot be delegated (containers), processes are tracked through /proc
# (proctrack/linuxproc) and tasks are not bound (task/none); there is no accounting database, so
# finished jobs are read with `scontrol show job` while they are kept (MinJobAge, one hour) and
# `sacct` has nothing to say.
set -euo pipefail
conf=/etc/slurm/slurm.conf
marker="# written by crossab's .ci/slurm/start.sh"
need=()
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
  echo "slurm: $conf exists and is not ours; not touching a real cluster's configuration" >&2
  exit 2
fi
# munge authenticates every Slurm message: one key, readable by munge alone.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged
fi
munge -n | unmunge >/dev/null
host=$(hostname -s)
node=$(slurmd -C | head -1)
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > "$conf" <<CONF
$marker: a one-node cluster on $host.
ClusterName=crossab
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=3600
$node State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
# Up when the node reports idle (or busy, if jobs were queued before).
for _ in $(seq 1 60); do
  state=$(sinfo --noheader --format=%t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) echo "slurm: one node ($node) is $state"; exit 0 ;; esac
  sleep 1
done
echo "slurm: the node did not come up (sinfo says '${state:-nothing}'); see /var/log/slurm/" >&2
exit 1

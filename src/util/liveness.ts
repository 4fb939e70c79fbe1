// Whether the process that wrote something is still running. A PID alone can be reused by an
// unrelated process after the writer died, so where the system exposes it (Linux /proc) a PID is
// paired with that process's start time and boot: a reused PID has another start time.
import { readFileSync } from 'node:fs';

/** `boot:start-ticks` of a process, or null where /proc is not available (the PID alone is used). */
export function processStamp(pid: number = process.pid): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTicks ? `${boot}:${startTicks}` : null;
  } catch {
    return null;
  }
}

/** True when process `pid` exists and, if a stamp was recorded for it, is still the same process. */
export function isAlive(pid: number | null | undefined, stamp?: string | null): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!stamp) return true;
  const now = processStamp(pid);
  return now === null || now === stamp;
}

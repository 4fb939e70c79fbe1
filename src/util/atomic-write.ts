// Files appear whole or not at all: written under a temporary name beside the target, then renamed.
// A process killed mid-write leaves its temporary file behind; the next write to the same target
// removes the ones whose writer is gone.
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isAlive } from './liveness.js';

export const tempPath = (target: string): string => `${target}.tmp-${process.pid}`;

/** Remove `target.tmp-PID` files (and the old `target.tmp`) left by writers that are no longer running. */
export function removeStaleTemps(target: string): void {
  const dir = dirname(target);
  const prefix = `${basename(target)}.tmp`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const pid = /^-(\d+)$/.exec(rest)?.[1];
    if (rest === '' || (pid && Number(pid) !== process.pid && !isAlive(Number(pid)))) rmSync(join(dir, name), { force: true });
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  removeStaleTemps(target);
  const tmp = tempPath(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

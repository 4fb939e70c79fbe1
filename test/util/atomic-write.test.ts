// Files appear whole or not at all: the target is written under a temporary name and renamed; a
// temporary left by a writer that is gone is removed by the next write, a live writer's is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemps, tempPath, writeFileAtomic } from '../../src/util/atomic-write.js';

test("a write leaves the target whole and no temporary; a dead writer's temporary is removed, a live one's kept", () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-atomic-'));
  const target = join(dir, 'out.json');
  writeFileAtomic(target, '{"a":1}');
  assert.equal(readFileSync(target, 'utf8'), '{"a":1}');
  assert.deepEqual(readdirSync(dir), ['out.json']);
  // A process that has exited: its PID is free (or another process's, which the check tells apart by start time only on /proc).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(`${target}.tmp-${dead}`, 'half');
  writeFileSync(`${target}.tmp`, 'old style');
  writeFileSync(`${target}.tmp-${process.ppid}`, 'a live writer');
  removeStaleTemps(target);
  assert.ok(!existsSync(`${target}.tmp`) && !existsSync(`${target}.tmp-${dead}`), 'stale temporaries removed');
  assert.ok(existsSync(`${target}.tmp-${process.ppid}`), "a running writer's temporary is left alone");
  assert.equal(tempPath(target), `${target}.tmp-${process.pid}`);
  // A write that fails leaves neither the temporary nor a changed target.
  assert.throws(() => writeFileAtomic(join(dir, 'missing', 'x.json'), 'x'));
  assert.equal(readFileSync(target, 'utf8'), '{"a":1}');
});

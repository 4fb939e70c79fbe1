// Whether a writer is still running: this process is, an exited one is not, and a PID whose start
// time no longer matches its stamp is another process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isAlive, processStamp } from '../../src/util/liveness.js';

test('alive: this process, with or without its stamp; not alive: an exited process, a reused PID, no PID', () => {
  assert.ok(isAlive(process.pid));
  const stamp = processStamp();
  assert.ok(isAlive(process.pid, stamp));
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  assert.ok(!isAlive(dead), 'an exited process is not running (its PID is not reused within the test)');
  if (stamp) assert.ok(!isAlive(process.pid, `${stamp}0`), 'another start time: another process');
  for (const pid of [null, undefined, 0, -3, 1.5]) assert.equal(isAlive(pid), false);
});

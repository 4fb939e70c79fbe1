// The shipped Slurm array script against a real Slurm (a one-node cluster: .ci/slurm/start.sh): the
// file a user submits, with only the settings it documents (ROOT, SCENARIOS, SEEDS) and sbatch's
// own command-line options. Its merged result must be a single-process check to the last digit, and
// a cancelled array task, resubmitted, must leave the units it finished untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';
import { hasTool } from '../helpers/tools.js';
import { judged, tinySweepScenario } from '../helpers/sweeps.js';

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: env ?? process.env, timeout: 60_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the job (every task of an array) has left the queue. */
async function drained(job: string, seconds = 600): Promise<void> {
  for (let t = 0; t < seconds * 5; t++) {
    if (sh('squeue', ['--noheader', '--jobs', job, '--format=%i']) === '') return;
    await sleep(200);
  }
  assert.fail(`job ${job} still queued after ${seconds} s`);
}

/** Each array task's final state, from the controller (no accounting database: sacct is off). */
function states(job: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of sh('scontrol', ['show', 'job', job, '--oneliner']).split('\n')) {
    const task = /ArrayTaskId=(\d+)/.exec(block)?.[1];
    const state = /JobState=(\w+)/.exec(block)?.[1];
    if (task && state) out[task] = state;
  }
  return out;
}

test('the shipped Slurm array script on a real Slurm: sbatch, a cancelled task resubmitted, merged into exactly the single-process check', async (t) => {
  if (!hasTool(t, 'slurm')) return;
  const dir = mkdtempSync(join(tmpdir(), 'crossab-slurm-real-'));
  // Three strategies over two epochs: a unit lasts long enough to be cancelled in the middle.
  const file = tinySweepScenario(dir, 'tiny-slurm-real', ['separate', 'shared-bottom', 'mmoe'], 2);
  const sweep = join(dir, 'sweep');
  const env = cliEnv({ ROOT: sweep, SCENARIOS: file, SEEDS: '1,2,3' });
  const submit = (array: string) =>
    sh('sbatch', ['--parsable', `--array=${array}`, `--output=${join(dir, 'slurm-%A_%a.out')}`, '.ci/sweep/slurm-array.sh'], env).split(';')[0];

  // Two shards over three units: task 0 runs units 0 and 2, task 1 runs unit 1.
  const job = submit('0-1');
  const units = join(sweep, '_units');
  const done = () => (existsSync(units) ? readdirSync(units).filter((f) => f.endsWith('.done.json')) : []);
  const running = () => (existsSync(units) ? readdirSync(units).filter((f) => f.endsWith('.running.json')) : []);
  // Cancel task 0 once it has finished one unit and started its next.
  const plan = () => JSON.parse(readFileSync(join(sweep, 'sweep.json'), 'utf8')) as { units: { key: string }[] };
  let cancelledAt: string[] = [];
  for (let k = 0; k < 3000; k++) {
    if (existsSync(join(sweep, 'sweep.json'))) {
      const keys = plan().units.map((u) => u.key);
      const first = `${keys[0]}.done.json`;
      const third = `${keys[2]}.running.json`;
      if (done().includes(first) && running().includes(third)) {
        sh('scancel', [`${job}_0`]);
        cancelledAt = done();
        break;
      }
    }
    await sleep(100);
  }
  assert.ok(cancelledAt.length > 0, 'task 0 finished its first unit and started its second');
  await drained(job);
  const first = states(job);
  assert.equal(first['0'], 'CANCELLED', JSON.stringify(first));
  assert.equal(first['1'], 'COMPLETED', JSON.stringify(first));
  const keys = plan().units.map((u) => u.key);
  assert.ok(!done().includes(`${keys[2]}.done.json`), 'the cancelled unit is not done');
  const status = JSON.parse(crossab(['sweep', 'status', sweep, '--json']).stdout);
  assert.equal(status.done, 2, JSON.stringify(status));

  // What the finished units wrote, byte for byte and by time, before the resubmission.
  const finished = done().flatMap((m) => [
    join(units, m),
    ...JSON.parse(readFileSync(join(units, m), 'utf8')).files.map((f: { path: string }) => join(sweep, f.path)),
  ]);
  const before = finished.map((f) => ({ f, mtime: statSync(f).mtimeMs, bytes: readFileSync(f) }));
  const again = submit('0');
  await drained(again);
  assert.deepEqual(states(again), { '0': 'COMPLETED' });
  for (const b of before) {
    assert.equal(statSync(b.f).mtimeMs, b.mtime, `${b.f} was rewritten`);
    assert.ok(readFileSync(b.f).equals(b.bytes), `${b.f} changed`);
  }
  const log = readFileSync(join(dir, `slurm-${again}_0.out`), 'utf8');
  // Resubmitted alone, the task is shard 0 of 1: it runs what is unfinished and skips the rest.
  assert.match(log, /^shard 0\/1: 1 units run, 2 finished already, 0 failed/m);

  const from = crossab(['check', '--from', sweep, '--db', join(dir, 'merged.duckdb'), '--json', '--allow-inconclusive']);
  assert.equal(from.code, 0, from.stderr);
  const single = crossab(['check', file, '--seeds', '1,2,3', '--db', join(dir, 'single.duckdb'), '--json', '--allow-inconclusive']);
  assert.equal(single.code, 0, single.stderr);
  assert.deepEqual(judged(from.stdout), judged(single.stdout), 'the same verdicts and per-seed values to the last digit');
});

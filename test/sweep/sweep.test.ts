import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root as repo } from '../helpers/scenarios.js';
import { judged, tinySweepScenario } from '../helpers/sweeps.js';

const run = (args: string[]) => {
  const child = spawn(process.execPath, [join(repo, 'bin/crossab.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
  return { child, done };
};

test('a sweep run as 1, 2 or 3 local shard processes merges into exactly the single-process check; a shard killed mid-way and rerun recomputes only its unfinished units', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-sweep-'));
  const file = tinySweepScenario(dir, 'tiny-sweep', ['separate', 'shared-bottom'], 1);
  const seeds = ['--seeds', '1,2,3'];
  const single = crossab(['check', file, ...seeds, '--db', join(dir, 'single.duckdb'), '--json', '--allow-inconclusive']);
  assert.equal(single.code, 0, single.stderr);
  const expected = judged(single.stdout);

  for (const n of [1, 2, 3]) {
    const root = join(dir, `sweep${n}`);
    const plan = crossab(['sweep', 'plan', file, ...seeds, '--root', root]);
    assert.equal(plan.code, 0, plan.stderr);
    if (n === 1) {
      // Kill the lone shard once its first unit is done, while the second trains.
      const first = run(['sweep', 'run', root, '--workers', '1']);
      const units = join(root, '_units');
      while (!(existsSync(units) && readdirSync(units).some((f) => f.endsWith('.done.json')))) await new Promise((r) => setTimeout(r, 100));
      first.child.kill('SIGKILL');
      await first.done;
      const doneFile = readdirSync(units).find((f) => f.endsWith('.done.json'))!;
      const before = statSync(join(units, doneFile)).mtimeMs;
      const status = crossab(['sweep', 'status', root, '--json']);
      const st = JSON.parse(status.stdout);
      assert.equal(status.code, 1, 'status exits 1 while units are unfinished');
      assert.equal(st.done, 1, status.stdout);
      assert.equal(st.done + st.interrupted + st.missing, 3, status.stdout);
      // A unit killed while it stored leaves its private store: one of a dead process, and one whose writer (this test) lives.
      const open = st.units_by_state.find((u: { state: string }) => u.state !== 'done').key;
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const work = join(root, '_work');
      mkdirSync(work, { recursive: true });
      for (const f of [`${open}-${dead}.duckdb`, `${open}-${dead}.duckdb.wal`, `${open}-${process.pid}.duckdb`]) writeFileSync(join(work, f), 'x');
      const rerun = await run(['sweep', 'run', root, '--workers', '1']).done;
      assert.equal(rerun.code, 0, rerun.err);
      assert.match(rerun.out, /2 units run, 1 finished already, 0 failed/);
      assert.equal(statSync(join(units, doneFile)).mtimeMs, before, 'the finished unit was not recomputed');
      assert.match(crossab(['sweep', 'run', root]).stdout, /0 units run, 3 finished already/, 'a finished sweep reruns nothing');
      assert.deepEqual(readdirSync(work), [`${open}-${process.pid}.duckdb`], "the rerun removed the dead unit's store and kept the live one's");
      rmSync(join(work, `${open}-${process.pid}.duckdb`));
      assert.equal(crossab(['sweep', 'status', root]).code, 0, 'status exits 0 once every unit is done');
    } else {
      const shards = await Promise.all(Array.from({ length: n }, (_, i) => run(['sweep', 'run', root, '--shard', `${i}/${n}`, '--workers', '1']).done));
      for (const r of shards) assert.equal(r.code, 0, r.err);
    }
    const db = join(dir, `merged${n}.duckdb`);
    const merged = crossab(['sweep', 'merge', root, '--db', db]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /^3 runs merged/);
    assert.match(crossab(['sweep', 'merge', root, '--db', db]).stdout, /^0 runs merged .* 3 there already/, 'merging twice adds nothing');
    const from = crossab(['check', '--from', root, '--db', db, '--json', '--allow-inconclusive']);
    assert.equal(from.code, 0, from.stderr);
    assert.ok(
      JSON.parse(from.stdout).scenarios[0].runs.every((r: { reused: boolean }) => r.reused),
      'check --from trains nothing',
    );
    assert.deepEqual(judged(from.stdout), expected, `${n} shards: the same verdicts and values to the last digit`);
  }

  // A done unit whose file has gone is named, and nothing is merged.
  const gone = join(dir, 'sweep3');
  const doneMarker = JSON.parse(readFileSync(join(gone, '_units', readdirSync(join(gone, '_units')).find((f) => f.endsWith('.done.json'))!), 'utf8'));
  rmSync(join(gone, doneMarker.files[1].path));
  const broken = crossab(['sweep', 'merge', gone, '--db', join(dir, 'broken.duckdb')]);
  assert.equal(broken.code, 2, broken.stderr);
  assert.match(broken.stderr, /is marked done but its file .* is missing; delete .* and rerun its shard/);
  assert.equal(crossab(['runs', '--db', join(dir, 'broken.duckdb'), '--json']).stdout.includes('tiny-sweep'), false, 'nothing merged');

  // An unfinished sweep: merge lists what is missing and exits 1; check --from names the seeds and exits 2.
  const partial = join(dir, 'partial');
  crossab(['sweep', 'plan', file, ...seeds, '--root', partial]);
  const none = crossab(['sweep', 'merge', partial, '--db', join(dir, 'partial.duckdb')]);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /3 of 3 units are not finished/);
  const judge = crossab(['check', '--from', partial, '--db', join(dir, 'partial.duckdb')]);
  assert.equal(judge.code, 2);
  assert.match(judge.stderr, /no run of seeds 1, 2, 3/);
  assert.equal(judge.stderr.trim().split('\n').length, 2, judge.stderr);
  assert.ok(JSON.parse(readFileSync(join(partial, 'sweep.json'), 'utf8')).units.length === 3);
});

test('sweep: bad input is one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-sweep-bad-'));
  for (const args of [
    ['sweep', 'frobnicate'],
    ['sweep', 'run', dir],
    ['sweep', 'status', 's3://bucket/sweep'],
    ['sweep', 'run', 's3://bucket/sweep'],
    ['sweep', 'plan', join(repo, 'scenarios/tiny.json'), '--root', 'gs://bucket/sweep'],
    ['sweep', 'run', dir, '--shard', '3/2'],
    ['sweep', 'plan'],
    ['sweep', 'status', dir, '--db', 'x.duckdb'],
  ]) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
  }
  // Object storage is read through DuckDB's httpfs; where DuckDB has none (this machine), the line says so.
  assert.match(crossab(['sweep', 'status', 's3://bucket/sweep']).stderr, /needs DuckDB's httpfs extension/);
  assert.match(crossab(['sweep', 'run', 's3://bucket/sweep']).stderr, /shards write to a folder/);
});

test('the Slurm example runs its array task as its shard (index from SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-slurm-'));
  const file = tinySweepScenario(dir, 'tiny-slurm', ['separate', 'shared-bottom'], 1, [
    { metric: 'auc', strategy: 'shared-bottom', domain: 'all', atLeast: 0.5 },
  ]);
  const root = join(dir, 'sweep');
  const env = { ...process.env, ROOT: root, SCENARIOS: file, SEEDS: '1,2', SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '2' };
  const r = spawnSync('bash', [join(repo, '.ci/sweep/slurm-array.sh')], { cwd: repo, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^shard 1\/2: 1 units run/m);
  const status = JSON.parse(crossab(['sweep', 'status', root, '--json']).stdout);
  assert.deepEqual(
    status.units_by_state.map((u: { seed: number; state: string }) => [u.seed, u.state]),
    [
      [1, 'missing'],
      [2, 'done'],
    ],
  );
  // report --from merges what has finished and names what has not.
  const html = join(dir, 'half.html');
  const rep = crossab(['report', '--from', root, '--db', join(dir, 'report.duckdb'), '--out', html]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stderr, /1 runs merged .*; 1 of 2 units unfinished: tiny-slurm seed 1 \(missing\)/);
  assert.match(readFileSync(html, 'utf8'), /tiny-slurm/);
});

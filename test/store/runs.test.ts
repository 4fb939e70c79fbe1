import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'crossab-store-'));
}

/** Start `crossab run` and resolve once its run row exists (the "run … →" line), with the child. */
function startRun(db: string, extra: string[] = []) {
  const child = spawn(process.execPath, [join(root, 'bin/crossab.js'), 'run', scenarioPath('tiny'), '--db', db, ...extra], { cwd: tmp() });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  const started = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /run (\S+) →/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before starting: ${stderr}`)));
  });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { child, started, done, out: () => stdout, err: () => stderr };
}

const query = (db: string, sql: string) => {
  const r = crossab(['query', sql, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};

test('run --json stores a complete run whose rows match what it printed', () => {
  const db = join(tmp(), 'a.duckdb');
  const r = crossab(['run', scenarioPath('tiny'), '--db', db, '--json', '--seed', '3']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const k of ['run_id', 'db', 'offline', 'ab']) assert.ok(k in out, k);
  assert.ok(out.offline['shared-bottom'].auc.overall > 0.6);
  const row = out.ab.find((x: { arm: string; domain: string; segment: string }) => x.arm === 'shared-bottom' && x.domain === 'all' && x.segment === 'all');
  for (const k of ['arm', 'domain', 'segment', 'ctr', 'lift', 'ci_low', 'ci_high', 'p_value', 'true_lift']) assert.ok(k in row, k);
  assert.ok(row.ci_low <= row.lift && row.lift <= row.ci_high);
  const [run] = query(db, `SELECT status, seed, fingerprint, backend FROM runs WHERE run_id = '${out.run_id}'`);
  assert.deepEqual(run, { status: 'complete', seed: 3, fingerprint: out.fingerprint, backend: out.backend });
  const [stored] = query(
    db,
    `SELECT lift, true_lift FROM ab_lifts WHERE run_id = '${out.run_id}' AND arm = 'shared-bottom' AND metric = 'ctr' AND domain = 'all' AND segment = 'all'`,
  );
  assert.ok(Math.abs(Number(stored.lift) - row.lift) < 1e-12);
  const [{ n }] = query(db, `SELECT count(*)::INT AS n FROM offline_metrics WHERE run_id = '${out.run_id}' AND strategy = 'oracle'`);
  assert.ok(Number(n) > 10);
  // The mixture models' gates as printed: tiny trains mmoe (a gate per domain over 3 experts).
  const gates = query(
    db,
    `SELECT strategy, domain, gate, expert, weight FROM expert_gates WHERE run_id = '${out.run_id}' ORDER BY strategy, domain, gate, expert`,
  );
  assert.equal(gates.length, out.expert_gates.length);
  assert.ok(gates.some((g) => g.strategy === 'mmoe' && g.gate === 'gate0' && g.domain === 'head'));
  const printed = out.expert_gates.find(
    (g: { strategy: string; domain: string; gate: string; expert: number }) =>
      g.strategy === gates[0].strategy && g.domain === gates[0].domain && g.gate === gates[0].gate && g.expert === gates[0].expert,
  );
  assert.equal(Number(gates[0].weight), printed.weight);
  const [{ v }] = query(db, 'SELECT max(version) AS v FROM schema_version');
  assert.equal(Number(v), 12);
});

test('a killed run leaves status running (shown as interrupted), no results, and earlier runs untouched', async () => {
  const db = join(tmp(), 'k.duckdb');
  assert.equal(crossab(['run', scenarioPath('tiny'), '--db', db, '--json']).code, 0);
  const before = query(db, 'SELECT run_id, status, (SELECT count(*) FROM ab_results a WHERE a.run_id = r.run_id)::INT AS n FROM runs r');
  const r = startRun(db);
  const id = await r.started;
  r.child.kill('SIGKILL');
  await r.done;
  const runs = JSON.parse(crossab(['runs', '--db', db, '--json']).stdout) as { run_id: string; status: string }[];
  assert.equal(runs.find((x) => x.run_id === id)?.status, 'interrupted');
  assert.deepEqual(query(db, `SELECT count(*)::INT AS n FROM ab_results WHERE run_id = '${id}'`), [{ n: 0 }]);
  assert.deepEqual(query(db, `SELECT count(*)::INT AS n FROM offline_metrics WHERE run_id = '${id}'`), [{ n: 0 }]);
  const after = query(db, `SELECT run_id, status, (SELECT count(*) FROM ab_results a WHERE a.run_id = r.run_id)::INT AS n FROM runs r WHERE run_id <> '${id}'`);
  assert.deepEqual(after, before);
  // The dead run's PID reused by a live process (this test's): its start time tells them apart.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { processStamp } = await import('../../src/util/liveness.js');
  const statusWith = async (stamp: string | null) => {
    const inst = await DuckDBInstance.create(db);
    const con = await inst.connect();
    await con.run(`UPDATE runs SET pid = ${process.pid}, pid_stamp = ${stamp === null ? 'NULL' : `'${stamp}'`} WHERE run_id = '${id}'`);
    con.closeSync();
    inst.closeSync();
    return (JSON.parse(crossab(['runs', '--db', db, '--json']).stdout) as { run_id: string; status: string }[]).find((x) => x.run_id === id)?.status;
  };
  assert.ok(processStamp(), 'this system has /proc');
  assert.equal(await statusWith('another-boot:12345'), 'interrupted');
  assert.equal(await statusWith(processStamp()), 'running');
  assert.equal(await statusWith(null), 'running', 'a run stored before start times were recorded falls back to the PID');
});

test('Ctrl-C (SIGINT) marks the run cancelled and exits 130', async () => {
  const db = join(tmp(), 'c.duckdb');
  const r = startRun(db);
  const id = await r.started;
  r.child.kill('SIGINT');
  assert.equal(await r.done, 130);
  assert.deepEqual(query(db, `SELECT status FROM runs WHERE run_id = '${id}'`), [{ status: 'cancelled' }]);
  assert.deepEqual(query(db, `SELECT count(*)::INT AS n FROM training_curves WHERE run_id = '${id}'`), [{ n: 0 }]);
});

test('two runs writing one file at the same time both complete', async () => {
  const db = join(tmp(), 'two.duckdb');
  const a = startRun(db, ['--seed', '1']);
  const b = startRun(db, ['--seed', '2']);
  const [ca, cb] = await Promise.all([a.done, b.done]);
  assert.equal(ca, 0, a.err());
  assert.equal(cb, 0, b.err());
  const rows = query(db, 'SELECT seed, status FROM runs ORDER BY seed');
  assert.deepEqual(rows, [
    { seed: 1, status: 'complete' },
    { seed: 2, status: 'complete' },
  ]);
});

test('bad database paths and writing SQL get one line and exit 2; the file is unchanged', () => {
  const dir = tmp();
  const notDb = join(dir, 'not.duckdb');
  writeFileSync(notDb, 'this is not a database');
  const cases: [string[], RegExp][] = [
    [['run', scenarioPath('tiny'), '--db', notDb], /is not a DuckDB file/],
    [['run', scenarioPath('tiny'), '--db', join(dir, 'missing/x.duckdb')], /does not exist/],
    [['runs', '--db', join(dir, 'none.duckdb')], /no database at/],
    [['query', 'SELECT 1', '--db', join(dir, 'none.duckdb')], /no database at/],
    [['run', scenarioPath('tiny'), '--strategies', 'separate,nonsense', '--db', join(dir, 'y.duckdb')], /unknown strategy 'nonsense'/],
    [['run', scenarioPath('tiny'), '--arms', 'separate', '--db', join(dir, 'y.duckdb')], /at least two arms/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(readFileSync(notDb, 'utf8'), 'this is not a database');
  const db = join(dir, 'q.duckdb');
  assert.equal(
    crossab(['run', scenarioPath('tiny'), '--db', db, '--json', '--strategies', 'id-feature,shared-bottom', '--arms', 'id-feature,shared-bottom']).code,
    0,
  );
  copyFileSync(db, join(dir, 'copy.duckdb'));
  for (const sql of ['DELETE FROM runs', 'DROP TABLE runs', "UPDATE runs SET status = 'failed'", 'CREATE TABLE x (a INT)']) {
    const r = crossab(['query', sql, '--db', db]);
    assert.equal(r.code, 2, sql);
    assert.match(r.stderr, /only statements that read are allowed/);
  }
  assert.deepEqual(query(db, 'SELECT status FROM runs'), [{ status: 'complete' }]);
});

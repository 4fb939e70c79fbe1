// The store's migrations: an old store is upgraded in place, a newer one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'crossab-store-'));
}

test('migrations: a version-1 database is upgraded on open; a newer schema is refused with one line', async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { openDb } = await import('../../src/store/db.js');
  const dir = tmp();
  // A database as crossab 0.1's first schema left it.
  const path = join(dir, 'v1.duckdb');
  const inst = await DuckDBInstance.create(path);
  const con = await inst.connect();
  await con.run('CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)');
  await con.run(`CREATE TABLE runs (
      run_id VARCHAR PRIMARY KEY, scenario VARCHAR NOT NULL, scenario_json VARCHAR NOT NULL, seed INTEGER NOT NULL,
      backend VARCHAR NOT NULL, version VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, strategies VARCHAR NOT NULL,
      arms VARCHAR, control VARCHAR, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
      status VARCHAR NOT NULL, pid INTEGER, wall_seconds DOUBLE, error VARCHAR)`);
  await con.run(
    "INSERT INTO runs VALUES ('old-run', 'tiny', '{}', 1, 'wasm', '0.1.0', 'f', 'separate', NULL, NULL, now(), NULL, 'running', 4194305, NULL, NULL)",
  );
  await con.run(
    'CREATE TABLE ab_assignment (run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, strategy VARCHAR NOT NULL, share DOUBLE, users INTEGER, srm_chi2 DOUBLE, srm_p_value DOUBLE)',
  );
  await con.run("INSERT INTO ab_assignment VALUES ('old', 'a', 'separate', 0.5, 10, 0.1, 0.9)");
  // The version-1 tables that later versions alter (schema 4 adds columns to both).
  await con.run(`CREATE TABLE ab_results (
      run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, strategy VARCHAR NOT NULL, domain VARCHAR NOT NULL, segment VARCHAR NOT NULL,
      users INTEGER, impressions BIGINT, clicks BIGINT, ctr DOUBLE, conversions BIGINT, cvr DOUBLE, expected_ctr DOUBLE)`);
  await con.run(`CREATE TABLE ab_lifts (
      run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, control VARCHAR NOT NULL, metric VARCHAR NOT NULL, domain VARCHAR NOT NULL,
      segment VARCHAR NOT NULL, lift DOUBLE, ci_low DOUBLE, ci_high DOUBLE, p_value DOUBLE, true_lift DOUBLE, covered BOOLEAN)`);
  await con.run("INSERT INTO ab_lifts VALUES ('old', 'b', 'a', 'ctr', 'all', 'all', 0.1, -0.1, 0.3, 0.4, 0.05, true)");
  // ...and those schema 8 adds a column to (auc_se, serve_seconds).
  await con.run(`CREATE TABLE offline_metrics (
      run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, target VARCHAR NOT NULL, scope VARCHAR NOT NULL, key VARCHAR NOT NULL,
      n INTEGER, auc DOUBLE, gauc DOUBLE, logloss DOUBLE, mean_predicted DOUBLE, mean_observed DOUBLE)`);
  await con.run("INSERT INTO offline_metrics VALUES ('old', 'separate', 'click', 'overall', 'all', 100, 0.7, 0.6, 0.3, 0.1, 0.1)");
  await con.run('CREATE TABLE training_runs (run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, seconds DOUBLE, samples_per_s DOUBLE, best_epoch INTEGER)');
  // ...and training_curves, which schema 10 gives a domain.
  await con.run(
    'CREATE TABLE training_curves (run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, epoch INTEGER NOT NULL, loss DOUBLE, valid_auc DOUBLE, seconds DOUBLE)',
  );
  await con.run("INSERT INTO training_curves VALUES ('old', 'separate', 1, 0.4, 0.7, 1.5)");
  await con.run('INSERT INTO schema_version VALUES (1, now())');
  con.closeSync();
  inst.closeSync();
  // Readers never migrate: an old store is listed as it is (its dead run shown as interrupted).
  const listed = crossab(['runs', '--db', path, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(
    JSON.parse(listed.stdout).map((r: { run_id: string; status: string }) => [r.run_id, r.status]),
    [['old-run', 'interrupted']],
  );
  const db = await openDb(path);
  const cols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'ab_assignment'")).getRows().map((r) => r[0]);
  const versions = (await db.con.runAndReadAll('SELECT version FROM schema_version ORDER BY version')).getRows().map((r) => r[0]);
  const kept = (await db.con.runAndReadAll('SELECT count(*)::INT FROM ab_assignment')).getRows()[0][0];
  const runCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'")).getRows().map((r) => r[0]);
  const liftCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'ab_lifts'")).getRows().map((r) => r[0]);
  const oldLift = (await db.con.runAndReadAll("SELECT lift, mde FROM ab_lifts WHERE run_id = 'old'")).getRows()[0];
  const welchLift = (await db.con.runAndReadAll("SELECT lift, dof, abs_ci_low, ci_low_adjusted FROM ab_lifts WHERE run_id = 'old'")).getRows()[0];
  const decisionCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'ab_decisions'"))
    .getRows()
    .map((r) => r[0]);
  const decisions = (
    await db.con.runAndReadAll("SELECT count(*)::INT FROM duckdb_tables() WHERE table_name IN ('ab_decisions', 'ab_grades', 'ab_looks')")
  ).getRows()[0][0];
  const opeTables = (
    await db.con.runAndReadAll("SELECT count(*)::INT FROM duckdb_tables() WHERE table_name IN ('ope_estimates', 'offline_online', 'offline_online_pairs')")
  ).getRows()[0][0];
  const logTables = (
    await db.con.runAndReadAll("SELECT count(*)::INT FROM duckdb_tables() WHERE table_name IN ('log_datasets', 'log_files', 'log_rows', 'log_items')")
  ).getRows()[0][0];
  const movingTables = (
    await db.con.runAndReadAll("SELECT count(*)::INT FROM duckdb_tables() WHERE table_name IN ('ab_long_term', 'feedback_rounds')")
  ).getRows()[0][0];
  const gateCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'expert_gates'"))
    .getRows()
    .map((r) => r[0]);
  const designCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'feedback_designs'"))
    .getRows()
    .map((r) => r[0]);
  const oldMetric = (await db.con.runAndReadAll("SELECT auc, auc_se FROM offline_metrics WHERE run_id = 'old'")).getRows()[0];
  const trainCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'training_runs'"))
    .getRows()
    .map((r) => r[0]);
  const gradeCols = (await db.con.runAndReadAll("SELECT column_name FROM information_schema.columns WHERE table_name = 'ab_grades'"))
    .getRows()
    .map((r) => r[0]);
  const oldCurve = (await db.con.runAndReadAll("SELECT loss, domain FROM training_curves WHERE run_id = 'old'")).getRows()[0];
  await db.con.run('INSERT INTO schema_version VALUES (99, now())');
  db.close();
  assert.ok(cols.includes('max_user_share'));
  assert.ok(runCols.includes('pid_stamp'));
  assert.ok(runCols.includes('salt'));
  assert.ok(['se_log', 'tested', 'family', 'p_adjusted', 'mde', 'power', 'users_needed'].every((c) => liftCols.includes(c)));
  assert.ok(
    ['cuped_lift', 'cuped_ci_low', 'variance_reduction', 'seq_ci_low', 'seq_p_adjusted'].every((c) => liftCols.includes(c)),
    'schema 5',
  );
  assert.deepEqual(oldLift, [0.1, null], 'an old row keeps its values; the new columns are NULL');
  assert.equal(decisions, 3);
  assert.equal(opeTables, 3, 'schema 6: off-policy estimates and offline ↔ online consistency');
  assert.equal(logTables, 4, 'schema 7: imported logs');
  assert.equal(movingTables, 2, 'schema 8: the long-term readout and feedback rounds');
  assert.deepEqual(oldMetric, [0.7, null], 'schema 8: an old AUC has no standard error');
  assert.ok(trainCols.includes('serve_seconds'));
  assert.deepEqual(welchLift, [0.1, null, null, null], "schema 9: Welch's tests and adjusted intervals are NULL on an old row");
  assert.ok(decisionCols.includes('guardrail_power'), 'schema 9');
  assert.ok(
    ['true_return', 'oracle_return', 'return_share'].every((c) => gradeCols.includes(c)),
    "schema 10: the grades' true return",
  );
  assert.deepEqual(oldCurve, [0.4, null], 'schema 10: an old curve keeps its values and has no domain');
  assert.ok(
    ['design', 'global_lift', 'bias', 'coverage'].every((c) => designCols.includes(c)),
    'schema 11: the designs of a test inside the feedback loops',
  );
  assert.ok(
    ['strategy', 'domain', 'gate', 'expert', 'weight', 'entropy', 'dead_share'].every((c) => gateCols.includes(c)),
    "schema 12: the mixture models' gates",
  );
  assert.deepEqual(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(kept, 1);
  await assert.rejects(openDb(path), /schema version 99 is newer than this crossab's/);
});

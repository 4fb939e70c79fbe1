// The store's schema, versioned. Each migration runs once, in order, in its own transaction; the
// applied version is kept in schema_version. Tables are documented in the README.
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import { transaction } from './transaction.js';

const MIGRATIONS: string[][] = [
  // 1: runs, offline metrics, training, the A/B readout and the world's shape (for reports).
  [
    `CREATE TABLE runs (
      run_id VARCHAR PRIMARY KEY, scenario VARCHAR NOT NULL, scenario_json VARCHAR NOT NULL, seed INTEGER NOT NULL,
      backend VARCHAR NOT NULL, version VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, strategies VARCHAR NOT NULL,
      arms VARCHAR, control VARCHAR, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
      status VARCHAR NOT NULL CHECK (status IN ('running', 'complete', 'cancelled', 'failed')),
      pid INTEGER, wall_seconds DOUBLE, error VARCHAR)`,
    `CREATE TABLE offline_metrics (
      run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, target VARCHAR NOT NULL, scope VARCHAR NOT NULL, key VARCHAR NOT NULL,
      n INTEGER, auc DOUBLE, gauc DOUBLE, logloss DOUBLE, mean_predicted DOUBLE, mean_observed DOUBLE)`,
    `CREATE TABLE training_curves (
      run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, epoch INTEGER NOT NULL, loss DOUBLE, valid_auc DOUBLE, seconds DOUBLE)`,
    `CREATE TABLE training_runs (
      run_id VARCHAR NOT NULL, strategy VARCHAR NOT NULL, seconds DOUBLE, samples_per_s DOUBLE, best_epoch INTEGER)`,
    `CREATE TABLE ab_results (
      run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, strategy VARCHAR NOT NULL, domain VARCHAR NOT NULL, segment VARCHAR NOT NULL,
      users INTEGER, impressions BIGINT, clicks BIGINT, ctr DOUBLE, conversions BIGINT, cvr DOUBLE, expected_ctr DOUBLE)`,
    `CREATE TABLE ab_lifts (
      run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, control VARCHAR NOT NULL, metric VARCHAR NOT NULL, domain VARCHAR NOT NULL,
      segment VARCHAR NOT NULL, lift DOUBLE, ci_low DOUBLE, ci_high DOUBLE, p_value DOUBLE, true_lift DOUBLE, covered BOOLEAN)`,
    `CREATE TABLE ab_assignment (
      run_id VARCHAR NOT NULL, arm VARCHAR NOT NULL, strategy VARCHAR NOT NULL, share DOUBLE, users INTEGER, srm_chi2 DOUBLE, srm_p_value DOUBLE)`,
    `CREATE TABLE world_domains (
      run_id VARCHAR NOT NULL, domain VARCHAR NOT NULL, share DOUBLE, impressions INTEGER, ctr DOUBLE, cvr DOUBLE, tail BOOLEAN)`,
    `CREATE TABLE world_features (
      run_id VARCHAR NOT NULL, feature VARCHAR NOT NULL, kind VARCHAR NOT NULL, source VARCHAR NOT NULL, domain VARCHAR NOT NULL, present BOOLEAN)`,
    `CREATE TABLE world_user_activity (
      run_id VARCHAR NOT NULL, impressions INTEGER NOT NULL, users INTEGER NOT NULL)`,
  ],
  // 2: the largest share of an arm's impressions made by one user (a warning sign for the intervals).
  ['ALTER TABLE ab_assignment ADD COLUMN max_user_share DOUBLE'],
  // 3: which process a 'running' run belongs to beyond its PID (a PID can be reused after a crash).
  ['ALTER TABLE runs ADD COLUMN pid_stamp VARCHAR'],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The store's schema version; null when the file has no crossab schema (a new file, or someone else's). */
export async function storeVersion(con: DuckDBConnection): Promise<number | null> {
  const found = (await con.runAndReadAll("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'")).getRowObjects();
  if (Number(found[0].n) === 0) return null;
  const rows = (await con.runAndReadAll('SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version')).getRowObjects();
  return Number(rows[0].v);
}

/** Refuse what this crossab cannot read: no crossab schema, or a newer one. */
export async function checkReadable(con: DuckDBConnection, path: string): Promise<void> {
  const v = await storeVersion(con);
  if (v === null) throw new UserError(`database '${path}' is a DuckDB file but not a crossab store; choose another path with --db`);
  if (v > SCHEMA_VERSION) throw new UserError(`database schema version ${v} is newer than this crossab's (${SCHEMA_VERSION}); upgrade crossab or use another --db`);
}

export async function migrate(con: DuckDBConnection, path = 'database'): Promise<number> {
  if ((await storeVersion(con)) === null) {
    const tables = (await con.runAndReadAll('SELECT count(*)::INTEGER AS n FROM duckdb_tables()')).getRowObjects();
    // Tables but no crossab schema: someone else's DuckDB file, which crossab must not add to.
    if (Number(tables[0].n) > 0) throw new UserError(`database '${path}' is a DuckDB file but not a crossab store; choose another path with --db`);
  }
  await con.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)');
  const current = (await storeVersion(con))!;
  if (current > SCHEMA_VERSION) throw new UserError(`database schema version ${current} is newer than this crossab's (${SCHEMA_VERSION}); upgrade crossab or use another --db`);
  for (let v = current; v < SCHEMA_VERSION; v++) {
    await transaction(con, async () => {
      for (const sql of MIGRATIONS[v]) await con.run(sql);
      await con.run(`INSERT INTO schema_version VALUES (${v + 1}, now())`);
    });
  }
  return SCHEMA_VERSION;
}

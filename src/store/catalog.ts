// Which runs the store holds: the list `crossab runs` prints, the runs `check` may reuse, a baseline's
// record. Kept apart from the writers so that listing runs loads neither the world nor the models.
import { openDb, rowsOf, type Db } from './db.js';
import { sqlString } from './columns.js';
import type { StoredRow } from './tables.js';
import { isAlive } from '../util/liveness.js';

/** A stored run's seed and the scenario it ran (for `check --baseline`). */
export async function runRecord(db: Db, runId: string): Promise<{ seed: number; scenarioJson: string }> {
  const [row] = await rowsOf<Pick<StoredRow<'runs'>, 'seed' | 'scenario_json'>>(db, `SELECT seed, scenario_json FROM runs WHERE run_id = ${sqlString(runId)}`);
  return { seed: Number(row.seed), scenarioJson: String(row.scenario_json) };
}

/** Complete runs of a scenario with this seed (assigned with the seed as salt), code version, backend and data (any, when null), newest first: candidates for reuse. */
export async function completeRuns(dbPath: string, w: { scenario: string; seed: number; version: string; backend: string; fingerprint: string | null }) {
  const db = await openDb(dbPath);
  try {
    return await rowsOf<Pick<StoredRow<'runs'>, 'run_id' | 'scenario_json' | 'strategies' | 'arms' | 'control'> & { graded: number | null }>(
      db,
      `SELECT run_id, scenario_json, strategies, arms, control,
        (SELECT max(assignments) FROM ab_grades g WHERE g.run_id = runs.run_id) AS graded FROM runs
      WHERE status = 'complete' AND scenario = ${sqlString(w.scenario)} AND seed = ${w.seed} AND version = ${sqlString(w.version)}
        AND backend = ${sqlString(w.backend)}${w.fingerprint === null ? '' : ` AND fingerprint = ${sqlString(w.fingerprint)}`}
        AND coalesce(salt, seed) = seed
      ORDER BY finished_at DESC, run_id DESC`,
    );
  } finally {
    db.close();
  }
}

export type ListedRun = Omit<StoredRow<'runs'>, 'scenario_json' | 'error' | 'pid_stamp' | 'status'> & { status: string };

/**
 * Every run, oldest first, with a 'running' run whose process is gone shown as 'interrupted' (it was
 * killed without a chance to record it). Reading never migrates: a store from before schema 3 has no
 * pid_stamp, and its PIDs alone decide.
 */
export async function listRuns(dbPath: string): Promise<ListedRun[]> {
  const db = await openDb(dbPath, { readOnly: true });
  let rows: (ListedRun & { pid_stamp: string | null })[];
  try {
    const [{ n }] = (
      await db.con.runAndReadAll("SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'pid_stamp'")
    ).getRowObjects();
    const stamp = Number(n) > 0 ? 'pid_stamp' : 'NULL AS pid_stamp';
    rows = await rowsOf<ListedRun & { pid_stamp: string | null }>(
      db,
      `SELECT run_id, scenario, seed, backend, version, fingerprint, status, pid,
      strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, wall_seconds, strategies, arms, control, ${stamp}
      FROM runs ORDER BY started_at, run_id`,
    );
  } finally {
    db.close();
  }
  return rows.map(({ pid_stamp, ...r }) => (r.status === 'running' && !isAlive(Number(r.pid), pid_stamp) ? { ...r, status: 'interrupted' } : r));
}

// A run's stored rows, read back from DuckDB for reports (nothing here recomputes a metric).
import type { Db } from './db.js';
import { sqlString } from './columns.js';
import { UserError } from '../util/errors.js';

export type Row = Record<string, string | number | boolean | null>;

export interface RunData {
  run: Row;
  offline: Row[];
  curves: Row[];
  training: Row[];
  abResults: Row[];
  abLifts: Row[];
  assignment: Row[];
  domains: Row[];
  features: Row[];
  activity: Row[];
}

async function rows(db: Db, sql: string): Promise<Row[]> {
  return (await db.con.runAndReadAll(sql)).getRowObjectsJson() as Row[];
}

/** 'latest' or an ID; only complete runs can be reported. */
export async function resolveRunId(db: Db, id: string): Promise<string> {
  if (id === 'latest') {
    const r = await rows(db, "SELECT run_id FROM runs WHERE status = 'complete' ORDER BY finished_at DESC, run_id DESC LIMIT 1");
    if (!r.length) throw new UserError(`no complete run in '${db.path}'; run 'crossab run' first`);
    return String(r[0].run_id);
  }
  const r = await rows(db, `SELECT status FROM runs WHERE run_id = ${sqlString(id)}`);
  if (!r.length) throw new UserError(`no run '${id}' in '${db.path}'; 'crossab runs' lists them`);
  if (r[0].status !== 'complete') throw new UserError(`run '${id}' is ${r[0].status}, not complete; only complete runs have results`);
  return id;
}

export async function loadRun(db: Db, id: string): Promise<RunData> {
  const w = `WHERE run_id = ${sqlString(id)}`;
  const [run] = await rows(db, `SELECT run_id, scenario, seed, backend, version, fingerprint, strategies, arms, control,
    strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, wall_seconds, status FROM runs ${w}`);
  return {
    run,
    offline: await rows(db, `SELECT * FROM offline_metrics ${w} ORDER BY strategy, target, scope, key`),
    curves: await rows(db, `SELECT * FROM training_curves ${w} ORDER BY strategy, epoch`),
    training: await rows(db, `SELECT * FROM training_runs ${w} ORDER BY strategy`),
    abResults: await rows(db, `SELECT * FROM ab_results ${w} ORDER BY arm, domain, segment`),
    abLifts: await rows(db, `SELECT * FROM ab_lifts ${w} ORDER BY arm, metric, domain, segment`),
    assignment: await rows(db, `SELECT * FROM ab_assignment ${w} ORDER BY arm`),
    domains: await rows(db, `SELECT * FROM world_domains ${w}`),
    features: await rows(db, `SELECT * FROM world_features ${w}`),
    activity: await rows(db, `SELECT * FROM world_user_activity ${w} ORDER BY impressions`),
  };
}

// A run's life in the store: a 'running' row at the start, then every result row and the switch to
// 'complete' in one transaction at the end, so readers never see a partial run as complete. A run
// that is interrupted is marked 'cancelled' (Ctrl-C, SIGTERM) or stays 'running' (kill -9, crash);
// `crossab runs` shows the latter as 'interrupted' once its process is gone (the PID and the
// process's start time, so a reused PID does not keep a dead run 'running').
import { randomBytes } from 'node:crypto';
import type { OfflineResults } from '../experiment/stages.js';
import type { ReplayResult } from '../abtest/replay.js';
import { featureCoverage } from '../world/layout.js';
import { summarise } from '../world/summary.js';
import type { World } from '../world/world.js';
import { tailDomains } from '../metrics/offline.js';
import { openDb } from './db.js';
import { transaction } from './transaction.js';
import { appendRows } from './rows.js';
import { sqlString } from './columns.js';
import { processStamp } from '../util/liveness.js';

export interface RunMeta {
  runId: string;
  scenario: string;
  scenarioJson: string;
  seed: number;
  backend: string;
  version: string;
  fingerprint: string;
  strategies: string[];
  arms: string[] | null;
  control: string | null;
}

export function newRunId(scenario: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
  return `${scenario}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function startRun(dbPath: string, m: RunMeta): Promise<void> {
  const db = await openDb(dbPath);
  try {
    const prep = await db.con.prepare(`INSERT INTO runs (run_id, scenario, scenario_json, seed, backend, version, fingerprint, strategies, arms, control, started_at, status, pid, pid_stamp)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), 'running', $11, $12)`);
    prep.bind([m.runId, m.scenario, m.scenarioJson, m.seed, m.backend, m.version, m.fingerprint, m.strategies.join(','), m.arms?.join(',') ?? null, m.control, process.pid, processStamp()]);
    await prep.run();
  } finally {
    db.close();
  }
}

export async function markRun(dbPath: string, runId: string, status: 'cancelled' | 'failed', error?: string): Promise<void> {
  const db = await openDb(dbPath, { waitSeconds: 10 });
  try {
    await db.con.run(`UPDATE runs SET status = '${status}', finished_at = now(), error = ${error ? sqlString(error.slice(0, 2000)) : 'NULL'}
      WHERE run_id = ${sqlString(runId)} AND status = 'running'`);
  } finally {
    db.close();
  }
}

/** Activity histogram: how many users made n training impressions, for n ≥ 1. */
function userActivity(w: World): { impressions: number; users: number }[] {
  const hist = new Map<number, number>();
  for (const c of w.userTrainCount) if (c > 0) hist.set(c, (hist.get(c) ?? 0) + 1);
  return [...hist.entries()].sort((a, b) => a[0] - b[0]).map(([impressions, users]) => ({ impressions, users }));
}

export async function finishRun(
  dbPath: string, runId: string, w: World, offline: OfflineResults, ab: ReplayResult | null, wallSeconds: number,
): Promise<void> {
  const db = await openDb(dbPath);
  const id = { run_id: runId };
  try {
    await transaction(db.con, async () => {
      const metrics = [...Object.values(offline.strategies), offline.oracle, offline.constant].flatMap((m) => m.rows);
      await appendRows(db.con, 'offline_metrics', [['run_id', 'varchar'], ['strategy', 'varchar'], ['target', 'varchar'], ['scope', 'varchar'], ['key', 'varchar'],
        ['n', 'integer'], ['auc', 'double'], ['gauc', 'double'], ['logloss', 'double'], ['predicted', 'double'], ['observed', 'double']],
      metrics.map((r) => ({ ...id, ...r })));
      await appendRows(db.con, 'training_curves', [['run_id', 'varchar'], ['strategy', 'varchar'], ['epoch', 'integer'], ['loss', 'double'], ['validAuc', 'double'], ['seconds', 'double']],
        offline.trained.flatMap((t) => t.curve.map((c) => ({ ...id, strategy: t.strategy, ...c }))));
      await appendRows(db.con, 'training_runs', [['run_id', 'varchar'], ['strategy', 'varchar'], ['seconds', 'double'], ['samplesPerSecond', 'double'], ['bestEpoch', 'integer']],
        offline.trained.map((t) => ({ ...id, strategy: t.strategy, seconds: t.seconds, samplesPerSecond: t.samplesPerSecond, bestEpoch: t.bestEpoch })));
      if (ab) {
        await appendRows(db.con, 'ab_results', [['run_id', 'varchar'], ['arm', 'varchar'], ['strategy', 'varchar'], ['domain', 'varchar'], ['segment', 'varchar'],
          ['users', 'integer'], ['impressions', 'bigint'], ['clicks', 'bigint'], ['ctr', 'double'], ['conversions', 'bigint'], ['cvr', 'double'], ['expectedCtr', 'double']],
        ab.results.map((r) => ({ ...id, ...r })));
        await appendRows(db.con, 'ab_lifts', [['run_id', 'varchar'], ['arm', 'varchar'], ['control', 'varchar'], ['metric', 'varchar'], ['domain', 'varchar'], ['segment', 'varchar'],
          ['lift', 'double'], ['ciLow', 'double'], ['ciHigh', 'double'], ['pValue', 'double'], ['trueLift', 'double'], ['covered', 'boolean']],
        ab.lifts.map((r) => ({ ...id, ...r })));
        await appendRows(db.con, 'ab_assignment', [['run_id', 'varchar'], ['arm', 'varchar'], ['strategy', 'varchar'], ['share', 'double'], ['users', 'integer'], ['chi2', 'double'], ['pValue', 'double'], ['maxUserShare', 'double']],
          ab.arms.map((a, k) => ({ ...id, arm: a.name, strategy: a.strategy, share: a.share, users: ab.srm.users[k], chi2: ab.srm.chi2, pValue: ab.srm.pValue, maxUserShare: ab.srm.maxUserShare[k] })));
      }
      const sum = summarise(w);
      const tail = tailDomains(w);
      await appendRows(db.con, 'world_domains', [['run_id', 'varchar'], ['name', 'varchar'], ['share', 'double'], ['impressions', 'integer'], ['ctr', 'double'], ['cvr', 'double'], ['tail', 'boolean']],
        sum.domains.map((d, k) => ({ ...id, ...d, tail: tail[k] })));
      const byFeature = featureCoverage(w.layout);
      const feat = (name: string) => [...w.layout.categorical, ...w.layout.numeric].find((f) => f.name === name)!;
      await appendRows(db.con, 'world_features', [['run_id', 'varchar'], ['feature', 'varchar'], ['kind', 'varchar'], ['source', 'varchar'], ['domain', 'varchar'], ['present', 'boolean']],
        byFeature.flatMap((f) => w.layout.domains.map((d) => ({ ...id, feature: f.name, kind: f.kind, source: feat(f.name).source, domain: d, present: f.domains.includes(d) }))));
      await appendRows(db.con, 'world_user_activity', [['run_id', 'varchar'], ['impressions', 'integer'], ['users', 'integer']], userActivity(w).map((r) => ({ ...id, ...r })));
      const upd = await db.con.run(`UPDATE runs SET status = 'complete', finished_at = now(), wall_seconds = ${wallSeconds} WHERE run_id = ${sqlString(runId)} AND status = 'running'`);
      if (upd.rowsChanged !== 1) throw new Error(`run ${runId} is no longer 'running' in the store; its results were not written`);
    });
  } finally {
    db.close();
  }
}

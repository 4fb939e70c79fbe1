// A run's life in the store: a 'running' row at the start, then every result row and the switch to
// 'complete' in one transaction at the end, so readers never see a partial run as complete. A run
// that is interrupted is marked 'cancelled' (Ctrl-C, SIGTERM) or stays 'running' (kill -9, crash);
// `crossab runs` shows the latter as 'interrupted' once its process is gone (the PID and the
// process's start time, so a reused PID does not keep a dead run 'running').
import { randomBytes } from 'node:crypto';
import type { OfflineResults } from '../train/parallel.js';
import type { ReplayResult } from '../abtest/readout.js';
import type { OpeResult } from '../ope/evaluate.js';
import type { Consistency } from '../ope/consistency.js';
import type { DomainDecision } from '../abtest/decide.js';
import type { DomainGrade } from '../abtest/grade.js';
import { featureCoverage } from '../world/layout.js';
import { summarise } from '../world/summary.js';
import type { World } from '../world/world.js';
import { tailDomains } from '../world/traffic.js';
import { openDb } from './db.js';
import { transaction } from './transaction.js';
import type { FeedbackRound } from '../abtest/feedback.js';
import type { DesignGrade } from '../abtest/interference.js';
import { appendTable } from './tables.js';
import { sqlString } from './columns.js';
import { processStamp } from '../util/liveness.js';

export interface RunMeta {
  runId: string;
  scenario: string;
  scenarioJson: string;
  seed: number;
  salt: number;
  backend: string;
  version: string;
  fingerprint: string;
  strategies: string[];
  arms: string[] | null;
  control: string | null;
}

export function newRunId(scenario: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `${scenario}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function startRun(dbPath: string, m: RunMeta): Promise<void> {
  const db = await openDb(dbPath);
  try {
    const prep =
      await db.con.prepare(`INSERT INTO runs (run_id, scenario, scenario_json, seed, backend, version, fingerprint, strategies, arms, control, started_at, status, pid, pid_stamp, salt)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), 'running', $11, $12, $13)`);
    prep.bind([
      m.runId,
      m.scenario,
      m.scenarioJson,
      m.seed,
      m.backend,
      m.version,
      m.fingerprint,
      m.strategies.join(','),
      m.arms?.join(',') ?? null,
      m.control,
      process.pid,
      processStamp(),
      m.salt,
    ]);
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
  dbPath: string,
  runId: string,
  w: World,
  offline: OfflineResults,
  ope: (OpeResult & { consistency: Consistency }) | null,
  ab: ReplayResult | null,
  decisions: DomainDecision[],
  grades: DomainGrade[],
  wallSeconds: number,
  feedback: FeedbackRound[] = [],
  designs: DesignGrade[] = [],
): Promise<void> {
  const db = await openDb(dbPath);
  const id = { run_id: runId };
  try {
    await transaction(db.con, async () => {
      const metrics = [...Object.values(offline.strategies), offline.oracle, offline.constant].flatMap((m) => m.rows);
      await appendTable(
        db.con,
        'offline_metrics',
        metrics.map((r) => ({ ...id, ...r })),
      );
      await appendTable(
        db.con,
        'training_curves',
        offline.trained.flatMap((t) => t.curve.map((c) => ({ ...id, strategy: t.strategy, ...c }))),
      );
      await appendTable(
        db.con,
        'expert_gates',
        offline.trained.flatMap((t) => t.experts.map((e) => ({ ...id, strategy: t.strategy, ...e }))),
      );
      await appendTable(
        db.con,
        'training_runs',
        offline.trained.map((t) => ({
          ...id,
          strategy: t.strategy,
          seconds: t.seconds,
          samplesPerSecond: t.samplesPerSecond,
          bestEpoch: t.bestEpoch,
          serveSeconds: t.serveSeconds,
        })),
      );
      if (ope) {
        const run = { ...id, logger: ope.logger, rewardModel: ope.rewardModel, reference: ope.reference };
        await appendTable(
          db.con,
          'ope_estimates',
          ope.rows.map((r) => ({ ...run, ...r })),
        );
        await appendTable(
          db.con,
          'offline_online',
          ope.consistency.signals.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'offline_online_pairs',
          ope.consistency.pairs.map((r) => ({ ...id, ...r })),
        );
      }
      if (ab) {
        await appendTable(
          db.con,
          'ab_results',
          ab.results.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'ab_lifts',
          ab.lifts.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'feedback_rounds',
          feedback.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'feedback_designs',
          designs.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'ab_long_term',
          ab.longTerm.map((r) => ({ ...id, ...r })),
        );
        await appendTable(
          db.con,
          'ab_looks',
          ab.looks.flatMap((look, l) => look.cells.map((c) => ({ ...id, look: l + 1, time: look.time, users: look.users, ...c }))),
        );
        await appendTable(
          db.con,
          'ab_assignment',
          ab.arms.map((a, k) => ({
            ...id,
            arm: a.name,
            strategy: a.strategy,
            share: a.share,
            users: ab.srm.users[k],
            chi2: ab.srm.chi2,
            pValue: ab.srm.pValue,
            maxUserShare: ab.srm.maxUserShare[k],
          })),
        );
      }
      await appendTable(
        db.con,
        'ab_decisions',
        decisions.map((d) => ({ ...id, ...d })),
      );
      await appendTable(
        db.con,
        'ab_grades',
        grades.map((g) => ({ ...id, ...g })),
      );
      const sum = summarise(w);
      const tail = tailDomains(w);
      await appendTable(
        db.con,
        'world_domains',
        sum.domains.map((d, k) => ({ ...id, ...d, tail: tail[k] })),
      );
      const byFeature = featureCoverage(w.layout);
      const feat = (name: string) => [...w.layout.categorical, ...w.layout.numeric].find((f) => f.name === name)!;
      await appendTable(
        db.con,
        'world_features',
        byFeature.flatMap((f) =>
          w.layout.domains.map((d) => ({ ...id, feature: f.name, kind: f.kind, source: feat(f.name).source, domain: d, present: f.domains.includes(d) })),
        ),
      );
      await appendTable(
        db.con,
        'world_user_activity',
        userActivity(w).map((r) => ({ ...id, ...r })),
      );
      const upd = await db.con.run(
        `UPDATE runs SET status = 'complete', finished_at = now(), wall_seconds = ${wallSeconds} WHERE run_id = ${sqlString(runId)} AND status = 'running'`,
      );
      if (upd.rowsChanged !== 1) throw new Error(`run ${runId} is no longer 'running' in the store; its results were not written`);
    });
  } finally {
    db.close();
  }
}

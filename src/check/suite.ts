// A check, start to finish, for any number of scenarios: plan each (its runs, its expectations, its
// seeds) before anything trains, make sure one complete stored run exists per seed, then judge each
// expectation on the paired per-seed values, or compare the runs with a baseline metric by metric.
import { basename } from 'node:path';
import { DEFAULT_ASSIGNMENTS } from '../scenario/blocks.js';
import { familyOf } from '../scenario/metrics.js';
import type { Scenario } from '../scenario/schema.js';
import { parseScenario } from '../scenario/load.js';
import { UserError } from '../util/errors.js';
import type { Listener } from '../util/events.js';
import { openDb } from '../store/db.js';
import { resolveRunId } from '../store/run-data.js';
import { runRecord } from '../store/catalog.js';
import { planRun, type RunPlan } from '../experiment/plan.js';
import type { RunHandle } from '../experiment/cancel.js';
import { DEFAULT_WORKERS } from '../train/parallel.js';
import { claims, claimValue, type Claim } from './expectations.js';
import { ensureRuns, type SeedRun } from './runs.js';
import { judge } from './judge.js';
import type { CaseResult } from './junit.js';
import { compareWithBaseline, moveCase, type Tolerances } from './baseline.js';
import { domainEvidence, type DomainEvidence } from './evidence.js';

const DEFAULT_SEED_COUNT = 3;

/** Seeds from --seeds: an explicit list, or a count from the scenario's seed. */
export interface SeedChoice {
  list?: number[];
  count?: number;
}

export interface Judged extends CaseResult {
  /** The expectation judged; none for a baseline comparison. */
  claim?: Claim;
  values: number[];
  mean: number;
  ciLow: number;
  ciHigh: number;
}

export interface ScenarioResult {
  scenario: string;
  file: string;
  runs: SeedRun[];
  judged: Judged[];
  /** Per domain, the A/B decisions over the seeds beside the offline evidence (none against a baseline or without an abtest block). */
  evidence: DomainEvidence[];
  seconds: number;
}

export interface Baseline {
  runId: string;
  seed: number;
  scenario: Scenario;
}

export interface ScenarioPlan {
  file: string;
  scenario: Scenario;
  run: RunPlan;
  claims: Claim[];
  seeds: number[];
}

export interface CheckPlan {
  baseline: Baseline | null;
  scenarios: ScenarioPlan[];
}

function seedsFor(s: Scenario, flag: SeedChoice, fallback?: number[]): number[] {
  if (flag.list) return flag.list;
  if (flag.count) return Array.from({ length: flag.count }, (_, k) => s.seed + k);
  return fallback ?? s.check?.seeds ?? Array.from({ length: DEFAULT_SEED_COUNT }, (_, k) => s.seed + k);
}

/** The stored run a baseline comparison starts from: its seed and scenario. */
export async function loadBaseline(dbPath: string, id: string): Promise<Baseline> {
  const db = await openDb(dbPath, { readOnly: true });
  try {
    const runId = await resolveRunId(db, id);
    const r = await runRecord(db, runId);
    return { runId, seed: r.seed, scenario: parseScenario(JSON.parse(r.scenarioJson), `baseline ${runId}`) };
  } finally {
    db.close();
  }
}

/** Everything that can be wrong with the input, found before the first run starts. */
export async function planCheck(
  files: { file: string; scenario: Scenario }[],
  o: { db: string; backend?: string; workers?: number; seeds: SeedChoice; baseline: Baseline | null },
): Promise<CheckPlan> {
  const workers = o.workers ?? DEFAULT_WORKERS;
  const scenarios: ScenarioPlan[] = [];
  for (const { file, scenario } of files) {
    const run = await planRun({ scenario, db: o.db, backend: o.backend, workers, poolSize: workers > 1 ? workers : undefined });
    const cs = o.baseline ? [] : claims(scenario, run.names, basename(file));
    if (!o.baseline && cs.length === 0)
      throw new UserError(`check: ${basename(file)} has no expectations; add an "expectations" list or use --baseline RUN_ID`);
    scenarios.push({ file, scenario, run, claims: cs, seeds: seedsFor(scenario, o.seeds, o.baseline ? [o.baseline.seed] : undefined) });
  }
  return { baseline: o.baseline, scenarios };
}

/** Assignments each run of a scenario must grade: its check block's, when an expectation judges the decisions; else none. */
export function gradeFor(p: ScenarioPlan): number {
  return p.claims.some((c) => familyOf(c.expectation.metric) === 'grade') ? (p.scenario.check?.assignments ?? DEFAULT_ASSIGNMENTS) : 0;
}

/** Run what the store does not hold yet and judge every scenario of the plan. */
export async function runCheck(
  plan: CheckPlan,
  o: { db: string; fresh: boolean; workers?: number; tolerances: Tolerances; handle: RunHandle; reuseOnly?: string },
  onEvent: Listener,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const { baseline } = plan;
  for (const p of plan.scenarios) {
    const t0 = performance.now();
    const runs = await ensureRuns(
      p.scenario,
      p.seeds,
      {
        db: o.db,
        plan: p.run,
        fresh: o.fresh,
        exclude: baseline ? [baseline.runId] : [],
        handle: o.handle,
        workers: o.workers,
        grade: gradeFor(p),
        reuseOnly: o.reuseOnly,
      },
      onEvent,
    );
    const judged: Judged[] = [];
    let evidence: DomainEvidence[] = [];
    const db = await openDb(o.db, { readOnly: true });
    try {
      if (baseline) {
        const moves = await compareWithBaseline(
          db,
          baseline.runId,
          runs.map((r) => r.runId),
          o.tolerances,
        );
        for (const m of moves) judged.push({ ...moveCase(m, o.tolerances), values: [m.candidate], mean: m.delta, ciLow: NaN, ciHigh: NaN });
      }
      for (const c of p.claims) {
        const vals: number[] = [];
        for (const r of runs) vals.push(await claimValue(db, r.runId, c, p.scenario));
        const e = c.expectation;
        const j = judge(vals, { atLeast: e.atLeast, atMost: e.atMost, over: e.over, confidence: e.confidence });
        judged.push({ ...j, claim: c, name: c.label, detail: runs.map((r, k) => `seed ${r.seed} (run ${r.runId}): ${vals[k]}`).join('\n') });
      }
      if (!baseline) evidence = await domainEvidence(db, p.scenario, runs);
    } finally {
      db.close();
    }
    results.push({ scenario: p.scenario.name, file: p.file, runs, judged, evidence, seconds: (performance.now() - t0) / 1000 });
  }
  return results;
}

/** Passed, failed and inconclusive counts, and the exit code: 1 on a failure or (unless allowed) an inconclusive result. */
export function tally(results: ScenarioResult[], allowInconclusive: boolean): { passed: number; failed: number; inconclusive: number; code: number } {
  const every = results.flatMap((r) => r.judged);
  const failed = every.filter((j) => j.verdict === 'fail').length;
  const inconclusive = every.filter((j) => j.verdict === 'inconclusive').length;
  const passed = every.length - failed - inconclusive;
  return { passed, failed, inconclusive, code: failed > 0 || (inconclusive > 0 && !allowInconclusive) ? 1 : 0 };
}

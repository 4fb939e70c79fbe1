// The whole job as one function: generate, train, evaluate, replay, store, report, with progress
// events. The `run` command and the terminal dashboard both call it; neither does work of its own.
import type { Scenario } from '../scenario/schema.js';
import type { Listener, Stage } from '../util/events.js';
import { resolveArms } from '../abtest/arms.js';
import type { ReplayResult } from '../abtest/replay.js';
import { abTest, prepare, resolveStrategies, stage, trainAndEvaluate, type OfflineResults, type Prepared } from './stages.js';
import { openDb } from '../store/db.js';
import { finishRun, markRun, newRunId, startRun } from '../store/runs.js';
import { selectBackend, type BackendName } from '../tf/backend.js';
import { VERSION } from '../util/version.js';
import { admit } from './budget.js';
import { writeReport } from '../commands/report.js';
import { DEFAULT_WORKERS, type TrainingPool } from '../train/parallel.js';

export interface RunOptions {
  scenario: Scenario;
  seed?: number;
  strategies?: string[];
  arms?: string[];
  control?: string;
  aa?: boolean;
  db: string;
  backend?: string;
  report: boolean;
  /** Worker threads for training (default: one per core). */
  workers?: number;
  /** The world, when the caller generated it already (check does, to look for a stored run first). */
  prepared?: Prepared;
  /** Training workers shared with other runs (check's seeds) and this run's place in their queue. */
  pool?: TrainingPool;
  priority?: number;
  /** Aborting it cancels the run: training stops at once and nothing more is stored. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  runId: string;
  seed: number;
  backend: BackendName;
  prepared: Prepared;
  offline: OfflineResults;
  ab: ReplayResult;
  reportPath: string | null;
  /** Seconds per stage, the whole run's wall time and the process's peak resident memory. */
  stages: Partial<Record<Stage, number>>;
  wallSeconds: number;
  peakRssMb: number;
}

/** Handle on a run in progress: what to mark if it is interrupted. */
export interface RunHandle {
  runId: string | null;
  db: string;
  /** Set while the final transaction is written: an interrupt then waits for it. */
  finishing: Promise<unknown> | null;
  /** Other runs in progress under this handle (check's seeds that run at once). */
  others?: Set<RunHandle>;
}

/** Validate everything cheap first (strategies, arms, memory, database) so bad input fails before training. */
export async function checkRun(o: RunOptions): Promise<{ names: string[]; arms: ReturnType<typeof resolveArms> }> {
  const base = resolveStrategies(o.scenario, o.strategies);
  const arms = resolveArms(o.scenario, base, { arms: o.arms, control: o.control, aa: o.aa });
  const names = [...new Set([...base, ...arms.arms.map((a) => a.strategy)])];
  resolveStrategies(o.scenario, names);
  const workers = o.pool ? o.pool.size : Math.min(o.workers ?? DEFAULT_WORKERS, names.length);
  admit(o.scenario, { strategies: names, arms: arms.arms.length, copies: 1 + (workers > 1 || o.pool ? workers : 0), workers, backend: await selectBackend(o.backend) }, `scenario '${o.scenario.name}'`);
  (await openDb(o.db)).close();
  return { names, arms };
}

export async function executeRun(o: RunOptions, listener: Listener, handle: RunHandle = { runId: null, db: o.db, finishing: null }): Promise<RunOutcome> {
  const stages: Partial<Record<Stage, number>> = {};
  const onEvent: Listener = (e) => {
    if (e.type === 'stage' && e.status === 'end') stages[e.stage] = (stages[e.stage] ?? 0) + e.seconds!;
    listener(e);
  };
  const { names, arms } = await checkRun(o);
  const backend = await selectBackend(o.backend);
  onEvent({ type: 'backend', backend });
  const seed = o.seed ?? o.scenario.seed;
  const t0 = performance.now();
  const prepared = o.prepared ?? (await prepare(o.scenario, seed, onEvent));
  const runId = newRunId(o.scenario.name);
  await startRun(o.db, {
    runId, scenario: o.scenario.name, scenarioJson: JSON.stringify(o.scenario), seed, backend, version: VERSION,
    fingerprint: prepared.world.fingerprint, strategies: names, arms: arms.arms.map((a) => a.name), control: arms.arms[arms.control].name,
  });
  handle.runId = runId;
  onEvent({ type: 'run', runId, db: o.db });
  try {
    const offline = await trainAndEvaluate(prepared, names, seed, onEvent, { workers: o.workers ?? DEFAULT_WORKERS, candidates: arms.arms.map((a) => a.strategy), pool: o.pool, priority: o.priority, signal: o.signal });
    o.signal?.throwIfAborted();
    const ab = await abTest(prepared, offline, arms.arms, arms.control, seed, onEvent);
    o.signal?.throwIfAborted();
    handle.finishing = stage('store', onEvent, () => finishRun(o.db, runId, prepared.world, offline, ab, (performance.now() - t0) / 1000));
    await handle.finishing;
    // The report reads the stored run back: it shows what the store holds, nothing recomputed.
    const reportPath = o.report ? (await stage('report', onEvent, () => writeReport(o.db, [runId]))).html : null;
    onEvent({ type: 'done', runId, report: reportPath, verdict: verdict(ab) });
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    return { runId, seed, backend, prepared, offline, ab, reportPath, stages, wallSeconds: (performance.now() - t0) / 1000, peakRssMb };
  } catch (e) {
    if (!handle.finishing) await markRun(o.db, runId, o.signal?.aborted ? 'cancelled' : 'failed', o.signal?.aborted ? 'interrupted' : (e as Error).message).catch(() => {});
    throw e;
  }
}

/** Mark an interrupted run cancelled (or let its final write finish). */
export async function cancelRun(handle: RunHandle): Promise<'cancelled' | 'finished' | 'not started'> {
  if (handle.others?.size) {
    const what = await Promise.all([...handle.others].map((h) => cancelRun(h)));
    return what.includes('cancelled') ? 'cancelled' : what.includes('finished') ? 'finished' : 'not started';
  }
  if (handle.finishing) {
    await handle.finishing.catch(() => {});
    return 'finished';
  }
  if (!handle.runId) return 'not started';
  await markRun(handle.db, handle.runId, 'cancelled', 'interrupted').catch(() => {});
  return 'cancelled';
}

/**
 * Run `fn` with Ctrl-C / SIGTERM recording the handle's run as cancelled (never half-written) and
 * exiting 130; while the final transaction is being written the signal waits for it.
 */
export async function withCancellation<T>(handle: RunHandle, fn: () => Promise<T>): Promise<T> {
  const onSignal = (sig: NodeJS.Signals) => {
    void cancelRun(handle).then((what) => {
      const ids = handle.others?.size ? [...handle.others].map((h) => h.runId).filter(Boolean).join(', ') : handle.runId ?? '';
      process.stderr.write(`crossab: ${sig}: run ${ids} ${what}\n`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One line: which arm the A/B test favours overall, and whether the truth agrees. */
export function verdict(ab: ReplayResult): string {
  const overall = ab.lifts.filter((l) => l.metric === 'ctr' && l.domain === 'all' && l.segment === 'all');
  const sig = overall.filter((l) => l.pValue < 0.05).sort((a, b) => b.lift - a.lift);
  const best = sig[0];
  const truthBest = [...overall].sort((a, b) => b.trueLift - a.trueLift)[0];
  if (!best) return `no arm differs significantly from ${ab.control} overall${truthBest && truthBest.trueLift > 0 ? ` (truth: ${truthBest.arm} ${(100 * truthBest.trueLift).toFixed(1)}% better)` : ''}`;
  const dir = best.lift > 0 ? 'beats' : 'loses to';
  return `${best.arm} ${dir} ${ab.control} by ${(100 * best.lift).toFixed(1)}% CTR (p=${best.pValue.toFixed(3)}); true lift ${(100 * best.trueLift).toFixed(1)}%${best.covered ? '' : ' — the interval missed it'}`;
}

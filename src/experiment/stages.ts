// One run from scenario to results, as a sequence of stages that emit progress events.
import type { Scenario } from '../scenario/schema.js';
import { silent, type Listener, type Stage } from '../util/events.js';
import { DEFAULT_STRATEGIES, strategy } from '../models/registry.js';
import { buildDataset, type Dataset } from '../data/dataset.js';
import { buildHistory, type History } from '../data/history.js';
import { candidatesOf, trainAll, type CandidateDataset, type TrainedResult, type TrainingPool } from '../train/parallel.js';
import { activeBackend, selectBackend } from '../tf/backend.js';
import { constantPredictions, evaluate, groupsOf, oraclePredictions, type StrategyMetrics } from '../metrics/offline.js';
import { generateWorld, periodRows, type World } from '../world/world.js';
import { UserError } from '../util/errors.js';
import { candidateTruth, replay, type Arm, type ReplayResult } from '../abtest/replay.js';

export interface Prepared {
  world: World;
  ds: Dataset;
  history: History;
  split: { train: Int32Array; valid: Int32Array; test: Int32Array };
  /** The replay candidates as model inputs, built on first use. */
  candidates?: CandidateDataset;
}

export interface OfflineResults {
  strategies: Record<string, StrategyMetrics>;
  oracle: StrategyMetrics;
  constant: StrategyMetrics;
  trained: TrainedResult[];
}

export interface TrainOptions {
  /** Worker threads for training (1: this thread). */
  workers?: number;
  /** Strategies whose replay-candidate scores to keep (the A/B arms). */
  candidates?: Iterable<string>;
  /** A worker pool shared with other runs, and this run's place in its queue. */
  pool?: TrainingPool;
  priority?: number;
  signal?: AbortSignal;
}

export async function stage<T>(name: Stage, onEvent: Listener, fn: () => T | Promise<T>, detail?: string): Promise<T> {
  onEvent({ type: 'stage', stage: name, status: 'start', detail });
  const t0 = performance.now();
  const out = await fn();
  onEvent({ type: 'stage', stage: name, status: 'end', seconds: (performance.now() - t0) / 1000, detail });
  return out;
}

/** Strategy names to train: the flag, else the scenario's list, else the defaults; validated. */
export function resolveStrategies(scenario: Scenario, flag?: string[]): string[] {
  const names = flag ?? scenario.strategies ?? [...new Set([...DEFAULT_STRATEGIES, ...(scenario.abtest?.arms ?? [])])];
  if (names.length === 0) throw new UserError('no strategies to train');
  for (const n of names) strategy(n);
  return names;
}

export async function prepare(scenario: Scenario, seed: number, onEvent: Listener = silent): Promise<Prepared> {
  return trainingInputs(await stage('generate', onEvent, () => generateWorld(scenario, seed)));
}

/** The model inputs of a generated world: the encoded dataset, per-user history, period rows. */
export function trainingInputs(world: World): Prepared {
  const ds = buildDataset(world);
  const history = buildHistory(ds, world.users.count);
  const split = { train: periodRows(world.logged, 'train'), valid: periodRows(world.logged, 'valid'), test: periodRows(world.logged, 'test') };
  return { world, ds, history, split };
}

export async function trainAndEvaluate(p: Prepared, names: string[], seed: number, onEvent: Listener = silent, o: TrainOptions = {}): Promise<OfflineResults> {
  const { world, ds, split } = p;
  const strategies: Record<string, StrategyMetrics> = {};
  const groups = groupsOf(world, ds, split.test);
  const backend = activeBackend() ?? (await selectBackend());
  const workers = o.workers ?? 1;
  const trained = await stage('train', onEvent, () => trainAll(p, names, seed, { workers, backend, candidates: new Set(o.candidates ?? []), pool: o.pool, priority: o.priority, signal: o.signal }, onEvent),
    o.pool ? `${o.pool.size} shared workers` : workers > 1 ? `${Math.min(workers, names.length)} workers` : undefined);
  await stage('evaluate', onEvent, () => {
    for (const t of trained) {
      strategies[t.strategy] = evaluate(t.strategy, t.test, world, ds, split.test, groups);
      onEvent({ type: 'offline', strategy: t.strategy, auc: strategies[t.strategy].auc });
    }
  });
  return {
    strategies,
    oracle: evaluate('oracle', oraclePredictions(world), world, ds, split.test, groups),
    constant: evaluate('constant', constantPredictions(ds, split.train), world, ds, split.test, groups),
    trained,
  };
}

/** The A/B replay of trained strategies over the world's replay period. */
export async function abTest(p: Prepared, off: OfflineResults, arms: Arm[], control: number, salt: number, onEvent: Listener = silent): Promise<ReplayResult> {
  return stage('replay', onEvent, () => {
    const cds = candidatesOf(p);
    const truth = candidateTruth(p.world, cds);
    const scores = new Map(off.trained.filter((t) => t.candidates).map((t) => [t.strategy, t.candidates!]));
    return replay(p.world, cds, truth, scores, { arms, control, salt, positionBias: p.world.scenario.abtest?.positionBias ?? null });
  });
}

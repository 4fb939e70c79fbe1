// One run from scenario to results, as a sequence of stages that emit progress events.
import type { Scenario } from './scenario/schema.js';
import { silent, type Listener, type Stage } from './events.js';
import { DEFAULT_STRATEGIES, strategy } from './strategies/registry.js';
import { buildDataset, type Dataset } from './train/data.js';
import { buildHistory, type History } from './train/history.js';
import { fitStrategy, type Trained } from './train/trainer.js';
import { constantPredictions, evaluate, groupsOf, oraclePredictions, type StrategyMetrics } from './evaluate/offline.js';
import { generateWorld, periodRows, type World } from './world/world.js';
import { UserError } from './errors.js';
import { buildCandidateDataset } from './train/data.js';
import { candidateTruth, replay, type Arm, type ReplayResult } from './abtest/replay.js';

export interface Prepared {
  world: World;
  ds: Dataset;
  history: History;
  split: { train: Int32Array; valid: Int32Array; test: Int32Array };
}

export interface OfflineResults {
  strategies: Record<string, StrategyMetrics>;
  oracle: StrategyMetrics;
  constant: StrategyMetrics;
  trained: Trained[];
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
  const world = await stage('generate', onEvent, () => generateWorld(scenario, seed));
  const ds = buildDataset(world);
  const history = buildHistory(ds, world.users.count);
  const split = { train: periodRows(world.logged, 'train'), valid: periodRows(world.logged, 'valid'), test: periodRows(world.logged, 'test') };
  return { world, ds, history, split };
}

export async function trainAndEvaluate(p: Prepared, names: string[], seed: number, onEvent: Listener = silent): Promise<OfflineResults> {
  const { world, ds, history, split } = p;
  const trained: Trained[] = [];
  const strategies: Record<string, StrategyMetrics> = {};
  const groups = groupsOf(world, ds, split.test);
  await stage('train', onEvent, async () => {
    for (const name of names) {
      const t = await fitStrategy(strategy(name), ds, split, history, world.scenario.training, seed, onEvent);
      trained.push(t);
    }
  });
  await stage('evaluate', onEvent, () => {
    for (const t of trained) {
      strategies[t.strategy] = evaluate(t.strategy, t.predict(split.test), world, ds, split.test, groups);
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

export function disposeTrained(r: OfflineResults): void {
  r.trained.forEach((t) => t.dispose());
}

/** The A/B replay of trained strategies over the world's replay period. */
export async function abTest(p: Prepared, off: OfflineResults, arms: Arm[], control: number, salt: number, onEvent: Listener = silent): Promise<ReplayResult> {
  return stage('replay', onEvent, () => {
    const cds = buildCandidateDataset(p.world, p.ds);
    const truth = candidateTruth(p.world, cds);
    const trained = new Map(off.trained.map((t) => [t.strategy, t]));
    return replay(p.world, cds, truth, trained, { arms, control, salt, positionBias: p.world.scenario.abtest?.positionBias ?? null });
  });
}

// Steps 2 and 4–6 of an experiment, each timed as a stage: generate the world, train and evaluate
// every strategy, estimate them off-policy from the logs, and replay the A/B test of the arms.
import type { Scenario } from '../scenario/schema.js';
import { silent, type Listener, type Stage } from '../util/events.js';
import { generateWorld } from '../world/world.js';
import { candidatesOf, testCandidatesOf, trainingInputs, type TrainingInputs } from '../data/inputs.js';
import { activeBackend, selectBackend } from '../tf/backend.js';
import { constantPredictions, evaluate, groupsOf, oraclePredictions, type StrategyMetrics } from '../metrics/offline.js';
import { trainAll, type OfflineResults, type ReplayShard, type TrainingPool } from '../train/parallel.js';
import { rankedReplay, servedReplay } from '../abtest/replay.js';
import { servedBySlates } from '../abtest/served.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { positionCurve } from '../data/slates.js';
import { policyScores } from '../abtest/policy-arm.js';
import type { RetrainLoop } from '../train/feedback-retrain.js';
import type { Arm, ReplayResult } from '../abtest/readout.js';
import { DEFAULT_DECISION_RULES } from '../scenario/blocks.js';
import { offPolicyEvaluation } from '../ope/evaluate.js';
import { offlineOnline, type OffPolicy } from '../ope/consistency.js';

/** Time one step, with a start and an end event. */
export async function stage<T>(name: Stage, onEvent: Listener, fn: () => T | Promise<T>, detail?: string): Promise<T> {
  onEvent({ type: 'stage', stage: name, status: 'start', detail });
  const t0 = performance.now();
  const out = await fn();
  onEvent({ type: 'stage', stage: name, status: 'end', seconds: (performance.now() - t0) / 1000, detail });
  return out;
}

/** 2. Generate the world of (scenario, seed) and encode it for the models. */
export async function generate(scenario: Scenario, seed: number, onEvent: Listener = silent): Promise<TrainingInputs> {
  return trainingInputs(await stage('generate', onEvent, () => generateWorld(scenario, seed)));
}

export interface TrainOptions {
  /** Worker threads for training (1: this thread). */
  workers?: number;
  /** Strategies whose replay-candidate scores to keep (the A/B arms). */
  candidates?: Iterable<string>;
  /** A streamed replay: the shard whose chunks they rank (default: all of them). */
  shard?: ReplayShard;
  /** scenario.feedback with arms 'retrain': per strategy, the arms whose feedback loops it runs (retrainLoops). */
  retrain?: ReadonlyMap<string, RetrainLoop[]>;
  /** A worker pool shared with other runs, and this run's place in its queue. */
  pool?: TrainingPool;
  priority?: number;
  signal?: AbortSignal;
}

/** 4. Train every strategy and 5. evaluate each on the test period, with the oracle and the constant floor. */
export async function trainAndEvaluate(
  p: TrainingInputs,
  names: string[],
  seed: number,
  onEvent: Listener = silent,
  o: TrainOptions = {},
): Promise<OfflineResults> {
  const { world, ds, split } = p;
  const strategies: Record<string, StrategyMetrics> = {};
  const groups = groupsOf(world, ds, split.test);
  const backend = activeBackend() ?? (await selectBackend());
  const workers = o.workers ?? 1;
  const trained = await stage(
    'train',
    onEvent,
    () =>
      trainAll(
        p,
        names,
        seed,
        { workers, backend, candidates: new Set(o.candidates ?? []), shard: o.shard, retrain: o.retrain, pool: o.pool, priority: o.priority, signal: o.signal },
        onEvent,
      ),
    o.pool ? `${o.pool.size} shared workers` : workers > 1 ? `${Math.min(workers, names.length)} workers` : undefined,
  );
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

/**
 * The Direct Method's reward model: the scenario's choice, else the strategy of least log loss on the
 * logged test rows — DM needs calibrated probabilities, which AUC does not judge (on the tiny world
 * the best-AUC model under-predicted its own top items' CTR by half). A choice among a handful of
 * models on the rows OPE reads; no weight depends on it.
 */
export function rewardModelOf(scenario: Scenario, off: OfflineResults): string {
  if (scenario.ope?.rewardModel) return scenario.ope.rewardModel;
  const names = off.trained.map((t) => t.strategy);
  return names.reduce((a, b) => (off.strategies[b].logloss < off.strategies[a].logloss ? b : a));
}

/** 5b. Off-policy evaluation of every trained strategy on the logged test period, lifts over `reference`, and offline ↔ online consistency. */
export async function offPolicy(p: TrainingInputs, off: OfflineResults, reference: string, alpha: number, onEvent: Listener = silent): Promise<OffPolicy> {
  return stage('ope', onEvent, () => {
    const ope = offPolicyEvaluation(p.world, testCandidatesOf(p), {
      scores: new Map(off.trained.map((t) => [t.strategy, t.testCandidates])),
      rewardModel: rewardModelOf(p.world.scenario, off),
      reference,
      positionBias: p.world.scenario.abtest?.positionBias ?? null,
      alpha,
    });
    return { ...ope, consistency: offlineOnline(off.strategies, ope, p.world.layout.domains) };
  });
}

/**
 * 6. The A/B replay of the trained arms over the world's replay period, and the same test under
 * other assignments (`readout(salt)`: the slates are ranked once), for grading the decisions.
 */
export async function abTest(
  p: TrainingInputs,
  off: OfflineResults,
  arms: Arm[],
  control: number,
  salt: number,
  onEvent: Listener = silent,
  ranked?: ReadonlyMap<string, Uint16Array>,
): Promise<ReplayResult & { readout: (salt: number, lean?: boolean) => ReplayResult; scores: Map<string, Float32Array>; click: Float32Array }> {
  return stage('replay', onEvent, () => {
    const w = p.world;
    const rules = w.scenario.abtest?.decisions ?? DEFAULT_DECISION_RULES;
    const cfg = { arms, control, positionBias: w.scenario.abtest?.positionBias ?? null, rules };
    if (!w.replay) {
      // Streamed: the workers (or the shards, `ranked`) ranked the requests chunk by chunk; what comes back is each slate's choice.
      const slates = new Map(ranked ?? off.trained.filter((t) => t.slates).map((t) => [t.strategy, t.slates!]));
      const readout = servedReplay(w, servedBySlates(w, slates, arms, positionCurve(cfg.positionBias)), cfg);
      return { ...readout(salt), readout, scores: new Map(), click: new Float32Array(0) };
    }
    const cds = candidatesOf(p);
    const truth = candidateTruth(w, cds);
    const scores = new Map(off.trained.filter((t) => t.candidates).map((t) => [t.strategy, t.candidates!]));
    for (const [name, policy] of Object.entries(w.scenario.abtest?.policies ?? {}))
      if (arms.some((a) => a.strategy === name))
        scores.set(name, policyScores(w, name, policy, policy.kind === 'explore' ? scores.get(policy.strategy) : undefined));
    const readout = rankedReplay(w, truth, scores, cfg);
    return { ...readout(salt), readout, scores, click: truth.click };
  });
}

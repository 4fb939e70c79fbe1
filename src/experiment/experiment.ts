// One experiment, from a scenario to stored results, as numbered steps:
//   1. plan      — strategies, arms, the memory budget and the store: all that can be wrong, found first
//   2. generate  — the seeded world (users, items, logged traffic, the truth) and its model inputs
//   3. record    — the run enters the store as 'running'
//   4. train     — every strategy, on worker threads
//   5. evaluate  — offline metrics on the test period, with the oracle's ceiling and a constant floor;
//                  5b: off-policy estimates of every strategy from the logged test period, and how
//                  well each offline signal predicts the true online ordering
//   6. replay    — the A/B test of the arms over the replay period, and a decision per domain,
//                  both graded against the truth (6b, on request: over re-randomised assignments)
//   7. store     — every result and the switch to 'complete', in one transaction
//   8. report    — the HTML report, read back from the store
// `run`, `check` and the dashboard all call executeRun; `train` calls steps 1, 2, 4 and 5 alone.
import type { Scenario } from '../scenario/schema.js';
import { silent, type Listener, type Stage } from '../util/events.js';
import { UserError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { generateWorld, streamsReplay } from '../world/world.js';
import { ScenarioError } from '../scenario/load.js';
import { armModel } from '../scenario/rules.js';
import { candidatesOf, testCandidatesOf, trainingInputs, type TrainingInputs } from '../data/inputs.js';
import { activeBackend, engineName, selectBackend, type BackendName } from '../tf/backend.js';
import { checkStrategySettings, DEFAULT_STRATEGIES } from '../models/registry.js';
import { constantPredictions, evaluate, groupsOf, oraclePredictions, type StrategyMetrics } from '../metrics/offline.js';
import { DEFAULT_WORKERS, trainAll, type OfflineResults, type ReplayShard, type TrainingPool } from '../train/parallel.js';
import { resolveArms } from '../abtest/arms.js';
import { rankedReplay, servedBySlates, servedReplay } from '../abtest/replay.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { positionCurve } from '../data/slates.js';
import { policyScores, slateMarginals } from '../abtest/policy-arm.js';
import { feedbackStage, retrainLoops } from './feedback-stage.js';
import type { RetrainLoop } from '../train/feedback-retrain.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { safeFileName } from '../util/file-name.js';
import type { Arm, ReplayResult } from '../abtest/readout.js';
import { gradeDecisions } from '../abtest/grade.js';
import { summaryTable, type RunResults } from '../report/run-text.js';
import { decide } from '../abtest/decide.js';
import { DEFAULT_DECISION_RULES } from '../scenario/blocks.js';
import { offPolicyEvaluation } from '../ope/evaluate.js';
import { offlineOnline, type OffPolicy } from '../ope/consistency.js';
import { openDb } from '../store/db.js';
import { finishRun, markRun, newRunId, startRun } from '../store/runs.js';
import { writeReport } from '../report/write.js';
import { admit } from './budget.js';
import { newHandle, type RunHandle } from './cancel.js';
import { mergeShards, shardIdentity, writeShard } from './replay-shards.js';

/** An 80-column terminal less the dashboard's two-column margin. */
const NARROW_SUMMARY = 78;

export interface RunOptions {
  scenario: Scenario;
  seed?: number;
  /** The assignment salt (default: the seed), so one world can be re-randomised. */
  salt?: number;
  /** Re-randomise the assignment this many times to grade the decisions (0: no grading). */
  grade?: number;
  strategies?: string[];
  arms?: string[];
  control?: string;
  aa?: boolean;
  db: string;
  backend?: string;
  report: boolean;
  /** Worker threads for training (default: one per core). */
  workers?: number;
  /** Step 1 done already (check plans each scenario once for all its seeds). */
  plan?: RunPlan;
  /** The world, when the caller generated it already (check does, to look for a stored run first). */
  inputs?: TrainingInputs;
  /** Training workers shared with other runs (check's seeds) and this run's place in their queue. */
  pool?: TrainingPool;
  priority?: number;
  /** Aborting it cancels the run: training stops at once and nothing more is stored. */
  signal?: AbortSignal;
  /** Write each arm's replay slates as a policy file here (`readout --policy` takes them as targets on real logs). */
  policyOut?: string;
  /** A streamed replay ranked by shards (rankReplayShard): read the arms' slates from their files in this folder instead of ranking. */
  replayFrom?: string;
}

export interface RunPlan {
  /** Every strategy trained: the list asked for and every arm's. */
  names: string[];
  arms: ReturnType<typeof resolveArms>;
  backend: BackendName;
  /** What the numbers depend on, as runs, shards, reuse and sweeps compare it (backend.ts: engineName). */
  engine: string;
}

export interface RunOutcome extends RunResults {
  backend: string; // RunPlan's engine
  inputs: TrainingInputs;
  stages: Partial<Record<Stage, number>>;
}

/** Time one step, with a start and an end event. */
export async function stage<T>(name: Stage, onEvent: Listener, fn: () => T | Promise<T>, detail?: string): Promise<T> {
  onEvent({ type: 'stage', stage: name, status: 'start', detail });
  const t0 = performance.now();
  const out = await fn();
  onEvent({ type: 'stage', stage: name, status: 'end', seconds: (performance.now() - t0) / 1000, detail });
  return out;
}

/** An arm that serves one of the scenario's policies (abtest.policies), not a trained strategy. */
export const isPolicy = (scenario: Scenario, arm: string): boolean => Object.hasOwn(scenario.abtest?.policies ?? {}, arm);

/** The trained strategies an arm needs candidate scores of: its own, or for an 'explore' policy the strategy it explores around. */
const armStrategies = (scenario: Scenario, arm: string): string[] => [armModel(scenario, arm)].filter((m) => m !== null);

/** Strategy names to train: the flag, else the scenario's list, else the defaults with the scenario's arms; each known and able to train with the scenario's settings. */
export function resolveStrategies(scenario: Scenario, flag?: string[]): string[] {
  const names = flag ?? scenario.strategies ?? [...new Set([...DEFAULT_STRATEGIES, ...(scenario.abtest?.arms ?? []).filter((a) => !isPolicy(scenario, a))])];
  if (names.length === 0) throw new UserError('no strategies to train');
  checkStrategySettings(scenario, names, `scenario '${scenario.name}'`);
  return names;
}

/**
 * 1. Plan: validate everything cheap (strategies, arms, memory, database) so bad input fails before
 * training. `poolSize`: the shared training pool the runs will use, when there is one.
 */
export async function planRun(o: Omit<RunOptions, 'report'> & { poolSize?: number; sharded?: boolean }): Promise<RunPlan> {
  const base = resolveStrategies(o.scenario, o.strategies);
  const arms = resolveArms(o.scenario, base, { arms: o.arms, control: o.control, aa: o.aa });
  const names = [...new Set([...base, ...arms.arms.flatMap((a) => armStrategies(o.scenario, a.strategy))])];
  resolveStrategies(o.scenario, names);
  if (streamsReplay(o.scenario)) refuseStreamed(o.scenario, arms.arms, o.policyOut);
  else if (o.replayFrom || o.sharded)
    throw new UserError(
      `${o.replayFrom ? '--replay-from' : '--replay-shard'}: only a streamed replay is ranked in shards, and this scenario holds its replay (set traffic.streamReplay to true)`,
    );
  const rm = o.scenario.ope?.rewardModel;
  if (rm && !names.includes(rm)) throw new UserError(`ope.rewardModel '${rm}' is not a trained strategy (trained: ${names.join(', ')})`);
  const pooled = o.pool?.size ?? o.poolSize;
  const workers = pooled ?? Math.min(o.workers ?? DEFAULT_WORKERS, names.length);
  const backend = await selectBackend(o.backend);
  admit(
    o.scenario,
    { strategies: names, arms: arms.arms.length, copies: 1 + (workers > 1 || pooled ? workers : 0), workers, backend },
    `scenario '${o.scenario.name}'`,
  );
  // A shard stores nothing; a merge opens the store once its shards are found sound (a refusal leaves no new file).
  if (!o.sharded && !o.replayFrom) (await openDb(o.db)).close();
  return { names, arms, backend, engine: engineName(backend) };
}

/**
 * A streamed replay keeps each arm's slates, never every candidate's score: what needs the scores of
 * all candidates at once (a policy arm built on them, a feedback loop, adapting while serving, the
 * slates' marginals for --policy-out, the dynamics' paths) is refused before anything runs.
 */
function refuseStreamed(s: Scenario, arms: Arm[], policyOut: string | undefined): void {
  const why = 'the replay streams (traffic.streamReplay, or more than 16,777,216 replay candidates)';
  const policy = arms.find((a) => isPolicy(s, a.strategy));
  const needs: [boolean, string][] = [
    [!!s.dynamics, 'dynamics'],
    [!!s.feedback, 'feedback'],
    [!!policy, `abtest.policies.${policy?.strategy}`],
    [arms.some((a) => a.strategy === 'maml-serve'), "the arm 'maml-serve'"],
    [!!policyOut, '--policy-out'],
  ];
  const hit = needs.find(([on]) => on);
  if (hit)
    throw new ScenarioError(
      `${hit[1]} needs every replay candidate's score at once, and ${why}; set traffic.streamReplay to false (and keep the replay small) or leave ${hit[1]} out`,
    );
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

/**
 * Each arm's slates on the replay requests as a policy file (kind 'table', items by the log's ids
 * when the world was fitted to a log): how a strategy trained here would serve that log's catalogue,
 * for `crossab readout --policy` to estimate on the real log.
 */
export function writeArmPolicies(dir: string, w: TrainingInputs['world'], scores: Map<string, Float32Array>, arms: Arm[]): string[] {
  mkdirSync(dir, { recursive: true });
  return [...new Set(arms.map((a) => a.strategy))].map((strategy) => {
    const domains = Object.fromEntries(
      slateMarginals(w, scores.get(strategy)!).map((m) => {
        const ids = w.scenario.truth.fitted?.domains[m.domain]?.itemIds ?? Array.from({ length: m.items }, (_, j) => String(j));
        const probabilities = Array.from({ length: m.items }, (_, j) => Array.from({ length: m.positions }, (_, k) => m.p[j * m.positions + k]));
        return [m.domain, { items: ids, probabilities }];
      }),
    );
    const path = join(dir, `${safeFileName(strategy)}.policy.json`);
    const spec = {
      $comment: `The slates of '${strategy}' on the replay requests of scenario '${w.scenario.name}' (seed ${w.seed}): per domain, each item's share of requests at each position.`,
      kind: 'table',
      arm: strategy,
      domains,
    };
    writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
    return path;
  });
}

/**
 * One shard of a streamed replay (replay-shards.ts): plan, generate, train the arms' strategies only
 * (the rest are the merging run's), rank this shard's chunks with their models, write the slates to
 * `dir`. Nothing is stored: the run that merges the shards (`replayFrom`) is the run.
 */
export async function rankReplayShard(
  o: Omit<RunOptions, 'report' | 'replayFrom'> & { shard: ReplayShard; dir: string },
  onEvent: Listener,
): Promise<{ path: string; chunks: number; of: number; seconds: number }> {
  const t0 = performance.now();
  const { arms, engine } = o.plan ?? (await planRun({ ...o, sharded: true }));
  onEvent({ type: 'backend', backend: engine });
  const seed = o.seed ?? o.scenario.seed;
  const inputs = o.inputs ?? (await generate(o.scenario, seed, onEvent));
  const id = shardIdentity(o.scenario, seed, inputs.world.fingerprint, engine, arms.arms);
  const offline = await trainAndEvaluate(inputs, id.strategies, seed, onEvent, {
    workers: o.workers ?? DEFAULT_WORKERS,
    candidates: id.strategies,
    shard: o.shard,
    signal: o.signal,
  });
  const trained = id.strategies.map((n) => offline.trained.find((t) => t.strategy === n)!);
  const chunks = Array.from(trained[0].slateChunks!);
  const path = writeShard(o.dir, { ...id, index: o.shard.index, count: o.shard.count, chunks }, new Map(trained.map((t) => [t.strategy, t.slates!])));
  return { path, chunks: chunks.filter((c) => c > 0).length, of: chunks.length, seconds: (performance.now() - t0) / 1000 };
}

/** The whole experiment, steps 1 to 8. `handle` says what to mark cancelled if the process is interrupted. */
export async function executeRun(o: RunOptions, listener: Listener, handle: RunHandle = newHandle(o.db)): Promise<RunOutcome> {
  const stages: Partial<Record<Stage, number>> = {};
  const onEvent: Listener = (e) => {
    if (e.type === 'stage' && e.status === 'end') stages[e.stage] = (stages[e.stage] ?? 0) + e.seconds!;
    listener(e);
  };
  // 1. plan
  const { names, arms, engine } = o.plan ?? (await planRun(o));
  onEvent({ type: 'backend', backend: engine });
  const seed = o.seed ?? o.scenario.seed;
  const salt = o.salt ?? seed;
  const t0 = performance.now();
  // 2. generate
  const inputs = o.inputs ?? (await generate(o.scenario, seed, onEvent));
  // A sharded replay's slates, checked before anything is stored.
  const ranked = o.replayFrom ? mergeShards(o.replayFrom, shardIdentity(o.scenario, seed, inputs.world.fingerprint, engine, arms.arms)) : undefined;
  // 3. record
  const runId = newRunId(o.scenario.name);
  await startRun(o.db, {
    runId,
    scenario: o.scenario.name,
    scenarioJson: JSON.stringify(o.scenario),
    seed,
    salt,
    backend: engine,
    version: VERSION,
    fingerprint: inputs.world.fingerprint,
    strategies: names,
    arms: arms.arms.map((a) => a.name),
    control: arms.arms[arms.control].name,
  });
  handle.runId = runId;
  onEvent({ type: 'run', runId, db: o.db });
  try {
    // 4. train, 5. evaluate
    const offline = await trainAndEvaluate(inputs, names, seed, onEvent, {
      workers: o.workers ?? DEFAULT_WORKERS,
      candidates: ranked ? [] : arms.arms.flatMap((a) => armStrategies(o.scenario, a.strategy)),
      retrain: retrainLoops(o.scenario, arms.arms, { salt, assignments: o.grade }),
      pool: o.pool,
      priority: o.priority,
      signal: o.signal,
    });
    o.signal?.throwIfAborted();
    const rules = o.scenario.abtest?.decisions ?? DEFAULT_DECISION_RULES;
    // 5b. off-policy evaluation and offline ↔ online consistency
    // Off-policy lifts are over the control's strategy; a policy control has no model, so the first trained strategy stands in.
    const control = arms.arms[arms.control].strategy;
    const ope = await offPolicy(inputs, offline, isPolicy(o.scenario, control) ? names[0] : control, rules.alpha, onEvent);
    // 6. replay
    const ab = await abTest(inputs, offline, arms.arms, arms.control, salt, onEvent, ranked);
    const decisions = decide(ab, inputs.world.layout.domains, rules);
    // 6c. feedback loops: every arm and each learner deployed to the whole replay period in rounds
    const fb = o.scenario.feedback;
    const { rounds: feedback, designs } = fb
      ? await stage(
          'feedback',
          onEvent,
          () => feedbackStage(inputs, offline, ab, arms.arms, fb, { salt, assignments: o.grade, alpha: rules.alpha }),
          `${fb.rounds} rounds`,
        )
      : { rounds: [], designs: [] };
    if (o.policyOut) writeArmPolicies(o.policyOut, inputs.world, ab.scores, arms.arms);
    // 6b. grade the decision procedure over re-randomised assignments of the same world and models
    const grades = o.grade
      ? await stage('grade', onEvent, () => gradeDecisions((s) => ab.readout(s, true), inputs.world.layout.domains, rules, o.grade!), `${o.grade} assignments`)
      : [];
    o.signal?.throwIfAborted();
    // 7. store
    handle.finishing = stage('store', onEvent, () =>
      finishRun(o.db, runId, inputs.world, offline, ope, ab, decisions, grades, (performance.now() - t0) / 1000, feedback, designs),
    );
    await handle.finishing;
    // 8. report: read back from the store, so it shows what the store holds.
    const reportPath = o.report ? (await stage('report', onEvent, () => writeReport(o.db, [runId]))).html : null;
    onEvent({
      type: 'done',
      runId,
      report: reportPath,
      summary: summaryTable(decisions, ab, rules).split('\n'),
      narrowSummary: summaryTable(decisions, ab, rules, NARROW_SUMMARY).split('\n'),
      decided: decisions.every((d) => d.decision === 'ship' || d.decision === 'keep'),
    });
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    return {
      runId,
      seed,
      salt,
      backend: engine,
      inputs,
      offline,
      ope,
      ab,
      decisions,
      feedback,
      designs,
      grades,
      rules,
      reportPath,
      stages,
      wallSeconds: (performance.now() - t0) / 1000,
      peakRssMb,
    };
  } catch (e) {
    if (!handle.finishing)
      await markRun(o.db, runId, o.signal?.aborted ? 'cancelled' : 'failed', o.signal?.aborted ? 'interrupted' : (e as Error).message).catch(() => {});
    throw e;
  }
}

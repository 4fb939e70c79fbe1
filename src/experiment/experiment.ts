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
// Step 1 is plan.ts, steps 2 and 4–6 are steps.ts; this file runs them in order, stores and reports.
// `run`, `check` and the dashboard all call executeRun; `train` calls steps 1, 2, 4 and 5 alone.
import type { Listener, Stage } from '../util/events.js';
import { VERSION } from '../util/version.js';
import type { TrainingInputs } from '../data/inputs.js';
import { DEFAULT_WORKERS, type ReplayShard } from '../train/parallel.js';
import { slateMarginals } from '../abtest/policy-arm.js';
import { feedbackStage, retrainLoops } from './feedback-stage.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { safeFileName } from '../util/file-name.js';
import type { Arm } from '../abtest/readout.js';
import { gradeDecisions } from '../abtest/grade.js';
import { summaryTable, type RunResults } from '../report/run-text.js';
import { decide } from '../abtest/decide.js';
import { DEFAULT_DECISION_RULES } from '../scenario/blocks.js';
import { finishRun, markRun, newRunId, startRun } from '../store/runs.js';
import { writeReport } from '../report/write.js';
import { newHandle, type RunHandle } from './cancel.js';
import { mergeShards, shardIdentity, writeShard } from './replay-shards.js';
import { armStrategies, isPolicy, planRun, type RunOptions } from './plan.js';
import { abTest, generate, offPolicy, stage, trainAndEvaluate } from './steps.js';

/** An 80-column terminal less the dashboard's two-column margin. */
const NARROW_SUMMARY = 78;

export interface RunOutcome extends RunResults {
  backend: string; // RunPlan's engine
  inputs: TrainingInputs;
  stages: Partial<Record<Stage, number>>;
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

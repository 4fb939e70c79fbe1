// Step 1 of an experiment: everything cheap that can be wrong — the strategies, the arms, what a
// streamed replay cannot do, the memory budget and the store — found before anything trains.
import type { Scenario } from '../scenario/schema.js';
import { UserError } from '../util/errors.js';
import { streamsReplay } from '../world/world.js';
import { ScenarioError } from '../scenario/load.js';
import { armModel } from '../scenario/rules.js';
import type { TrainingInputs } from '../data/inputs.js';
import { engineName, selectBackend, type BackendName } from '../tf/backend.js';
import { checkStrategySettings, DEFAULT_STRATEGIES } from '../models/registry.js';
import { DEFAULT_WORKERS, type TrainingPool } from '../train/parallel.js';
import { resolveArms } from '../abtest/arms.js';
import type { Arm } from '../abtest/readout.js';
import { openDb } from '../store/db.js';
import { admit } from './budget.js';

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

/** An arm that serves one of the scenario's policies (abtest.policies), not a trained strategy. */
export const isPolicy = (scenario: Scenario, arm: string): boolean => Object.hasOwn(scenario.abtest?.policies ?? {}, arm);

/** The trained strategies an arm needs candidate scores of: its own, or for an 'explore' policy the strategy it explores around. */
export const armStrategies = (scenario: Scenario, arm: string): string[] => [armModel(scenario, arm)].filter((m) => m !== null);

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

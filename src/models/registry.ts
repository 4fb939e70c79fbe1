// Every strategy crossab can train, by name. Adding a strategy: one file and one line here.
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { idFeature } from './id-feature.js';
import { mamlStrategy } from './maml.js';
import { mixtureOfExperts } from './mmoe.js';
import { progressiveLayeredExtraction } from './ple.js';
import { separate } from './separate.js';
import { crossStitch } from './cross-stitch.js';
import { poso } from './poso.js';
import { adaptiveTaskToTaskFusion } from './adatt.js';
import { adaptiveParameterGeneration } from './apg.js';
import { aitm } from './aitm.js';
import { sharedPrivate } from './shared-private.js';
import { sharedBottom } from './shared-bottom.js';
import { star } from './star.js';
import { mlora } from './mlora.js';
import { softSharing } from './soft-sharing.js';
import { pepnet } from './pepnet.js';
import { sluice } from './sluice.js';
import { hamur } from './hamur.js';
import { m2m } from './m2m.js';
import type { StrategyInfo } from './model.js';
import { TrainingSchema } from '../scenario/blocks.js';

export const STRATEGIES: readonly StrategyInfo[] = [
  separate,
  idFeature,
  sharedBottom('shared-bottom', false),
  mixtureOfExperts('mmoe', false),
  mixtureOfExperts('omoe', true),
  crossStitch,
  progressiveLayeredExtraction('ple', false),
  adaptiveTaskToTaskFusion('adatt', true),
  star,
  sharedPrivate,
  poso,
  adaptiveParameterGeneration('apg', 'group'),
  adaptiveParameterGeneration('apg-mix', 'mix'),
  adaptiveParameterGeneration('apg-self', 'self'),
  mamlStrategy('maml', true),
  mamlStrategy('maml-noadapt', false),
  mamlStrategy('maml-serve', true, true),
  sharedBottom('shared-bottom-esmm', true),
  progressiveLayeredExtraction('ple-esmm', true),
  aitm,
  mlora,
  softSharing,
  pepnet,
  sluice,
  hamur,
  m2m,
];

/** Trained when a scenario names none. */
export const DEFAULT_STRATEGIES = ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'];

const NAMES = STRATEGIES.map((x) => x.name);

/** A strategy's own training settings (training.<field>) with each field's documentation, as the scenario's schema gives it. */
export function strategySettings(info: StrategyInfo): { field: string; doc: string }[] {
  const shape = TrainingSchema.shape as Record<string, { description?: string }>;
  return (info.settings ?? []).map((field) => ({ field, doc: shape[field].description ?? '' }));
}

export function strategy(name: string): StrategyInfo {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new UserError(`unknown strategy '${name}'${didYouMean(name, NAMES)}; known: ${NAMES.join(', ')}`);
  return s;
}

/**
 * Every strategy a scenario names must be one this build trains: its strategies, its A/B arms and
 * control (unless a policy of that name serves them), and an explore policy's strategy — refused at
 * load, with the field's path, so `generate` says so too and `run` does not wait for the planning step.
 */
export function checkScenarioStrategies(s: Scenario, origin: string): void {
  const policies = s.abtest?.policies ?? {};
  const named: [string, string][] = [
    ...(s.strategies ?? []).map((n, k): [string, string] => [`strategies[${k}]`, n]),
    ...(s.abtest?.arms ?? []).map((n, k): [string, string] => [`abtest.arms[${k}]`, n]),
    ...(s.abtest ? [['abtest.control', s.abtest.control] as [string, string]] : []),
    ...Object.entries(policies).flatMap(([p, pol]): [string, string][] => (pol.kind === 'explore' ? [[`abtest.policies.${p}.strategy`, pol.strategy]] : [])),
  ];
  for (const [path, name] of named) {
    if (NAMES.includes(name) || (path.startsWith('abtest.') && !path.includes('.policies.') && Object.hasOwn(policies, name))) continue;
    throw new ScenarioError(`${origin}: ${path}: unknown strategy '${name}'${didYouMean(name, NAMES)}; known: ${NAMES.join(', ')}`);
  }
  checkStrategySettings(
    s,
    named.map(([, name]) => name).filter((n) => NAMES.includes(n)),
    origin,
  );
}

/** Every name is a strategy and can train with the scenario's training settings, else one line naming it or the field (exit 2). */
export function checkStrategySettings(s: Scenario, names: readonly string[], origin: string): void {
  for (const name of names) {
    const bad = strategy(name).refuse?.(s.training);
    if (bad) throw new ScenarioError(`${origin}: ${bad.field}: ${bad.reason}`);
  }
}

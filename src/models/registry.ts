// Every strategy crossab can train, by name. Adding a strategy: one file and one line here.
import { UserError } from '../util/errors.js';
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
import type { StrategyInfo } from './model.js';

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
];

/** Trained when a scenario names none. */
export const DEFAULT_STRATEGIES = ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'];

export function strategy(name: string): StrategyInfo {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new UserError(`unknown strategy '${name}'; known: ${STRATEGIES.map((x) => x.name).join(', ')}`);
  return s;
}

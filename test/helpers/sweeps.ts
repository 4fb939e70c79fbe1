// What the sweep tests share: a tiny scenario written to a file for a sweep to plan, and the part of
// `check --json` that must be equal however the runs were made.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawScenario } from './scenarios.js';

/** The CTR and true-lift expectations the sweep tests judge. */
export const SWEEP_EXPECTATIONS = [
  { metric: 'auc', strategy: 'shared-bottom', domain: 'each', atLeast: 0.55 },
  { metric: 'ab_true_lift', arm: 'shared-bottom', domain: 'all', atLeast: -1 },
];

/** The tiny scenario as `name`, training `strategies` for `epochs`, written as DIR/NAME.json; its path. */
export function tinySweepScenario(dir: string, name: string, strategies: string[], epochs: number, expectations: object[] = SWEEP_EXPECTATIONS): string {
  const s = rawScenario('tiny');
  s.name = name;
  s.strategies = strategies;
  s.training.epochs = epochs;
  s.expectations = expectations;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(s));
  return file;
}

/** Each scenario's verdicts and per-seed evidence from `check --json`: what must not depend on how the runs were made. */
export const judged = (json: string) =>
  (JSON.parse(json) as { scenarios: { results: unknown; evidence: unknown }[] }).scenarios.map((s) => ({ results: s.results, evidence: s.evidence }));

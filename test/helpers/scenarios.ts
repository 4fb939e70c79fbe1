// Small seeded scenarios for tests, built from the shipped tiny scenario with overrides.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const scenarioPath = (name: string): string => `${root}scenarios/${name}.json`;

export function rawScenario(name = 'tiny'): Record<string, any> {
  return JSON.parse(readFileSync(scenarioPath(name), 'utf8'));
}

/** The named shipped scenario with a deep-merged patch applied to its raw JSON. */
export function scenario(name = 'tiny', patch: (raw: Record<string, any>) => void = () => {}): Scenario {
  const raw = rawScenario(name);
  patch(raw);
  return parseScenario(raw, name);
}

/** The one-line message a patched tiny scenario is refused with (fails the test when it is accepted). */
export function refusal(patch: (r: Record<string, any>) => void): string {
  const raw = rawScenario('tiny');
  patch(raw);
  try {
    parseScenario(raw, 'tiny.json');
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('scenario was accepted');
}

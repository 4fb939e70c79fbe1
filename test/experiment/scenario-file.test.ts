// A scenario file as the commands load it: the schema's checks, then the registry's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/experiment/scenario-file.js';
import { rawScenario, scenarioPath } from '../helpers/scenarios.js';

test('a valid file loads; a schema error and an unknown strategy are each one line naming the file', () => {
  assert.equal(loadScenarioFile(scenarioPath('tiny')).name, 'tiny');
  const dir = mkdtempSync(join(tmpdir(), 'crossab-scenario-file-'));
  const unknown = join(dir, 'unknown.json');
  writeFileSync(unknown, JSON.stringify({ ...(rawScenario('tiny') as object), strategies: ['star', 'stra'] }));
  assert.throws(() => loadScenarioFile(unknown), /^Error: unknown\.json: strategies\[1\]: unknown strategy 'stra' \(did you mean 'star'\?\)/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...(rawScenario('tiny') as object), seed: -3 }));
  assert.throws(() => loadScenarioFile(bad), /bad\.json: seed: /);
});

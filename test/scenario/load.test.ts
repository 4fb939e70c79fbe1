// Loading a scenario file: a path into the field, the first problem and how many more, in one line;
// a file that cannot be read or is not JSON says why, naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { rawScenario, scenarioPath } from '../helpers/scenarios.js';

test('one line: the field path with array indexes, the first problem and how many more; unknown keys named', () => {
  const raw = rawScenario('tiny');
  raw.domains[1].slate = 'three';
  raw.users.count = 1;
  raw.extra = true;
  try {
    parseScenario(raw, 'tiny.json');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof ScenarioError);
    assert.match(e.message, /^tiny\.json: (\(top level\): unknown key 'extra'|domains\[1\]\.slate: .*|users\.count: .*) \(and 2 more\)$/);
    assert.equal(e.exitCode, 2);
  }
});

test('a file that is missing, a folder, or not JSON is refused naming the file and why; a good one loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-load-'));
  assert.throws(() => loadScenario(join(dir, 'none.json')), /none\.json: cannot read scenario file \(no such file\)/);
  mkdirSync(join(dir, 'sub'));
  assert.throws(() => loadScenario(join(dir, 'sub')), /sub: cannot read scenario file \(it is a folder; give a file\)/);
  writeFileSync(join(dir, 'bad.json'), '{"name": "x",}');
  assert.throws(
    () => loadScenario(join(dir, 'bad.json')),
    (e: Error) => e instanceof ScenarioError && /bad\.json: not valid JSON \(.*line 1.*\)/.test(e.message),
  );
  assert.equal(loadScenario(scenarioPath('tiny')).name, 'tiny');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/load.js';
import { rawScenario, refusal } from '../helpers/scenarios.js';

test('the shipped scenarios validate', () => {
  for (const name of ['tiny', 'default']) assert.equal(parseScenario(rawScenario(name), name).name, name);
});

test('a field of the wrong type, out of its range or unknown is refused with its path', () => {
  assert.match(
    refusal((r) => {
      r.colour = 'red';
    }),
    /^tiny\.json: \(top level\): unknown key 'colour'/,
  );
  assert.match(
    refusal((r) => {
      r.users.count = -5;
    }),
    /users\.count: .*>=\s*10/,
  );
  assert.match(
    refusal((r) => {
      r.users.count = 'many';
    }),
    /users\.count: .*expected number/i,
  );
  assert.match(
    refusal((r) => {
      r.domains[0].extra = 1;
    }),
    /domains\[0\]: unknown key 'extra'/,
  );
});

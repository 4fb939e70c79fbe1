import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../../src/scenario/jsonschema.js';
import { root } from '../helpers/scenarios.js';

test('the committed scenarios/scenario.schema.json matches the schema (run `npm run schema` to refresh)', () => {
  assert.equal(readFileSync(`${root}scenarios/scenario.schema.json`, 'utf8'), scenarioJsonSchema());
});

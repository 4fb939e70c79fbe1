import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scenarioJsonSchema, scenarioReference } from '../../src/scenario/jsonschema.js';
import { root } from '../helpers/scenarios.js';

test('the committed scenarios/scenario.schema.json matches the schema (run `npm run schema` to refresh)', () => {
  assert.equal(readFileSync(`${root}scenarios/scenario.schema.json`, 'utf8'), scenarioJsonSchema());
});

test('every field of a scenario file carries a description, so an editor shows what it means', () => {
  const missing: string[] = [];
  const walk = (node: any, path: string): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, field] of Object.entries<any>(node.properties ?? {})) {
      if (!field.description) missing.push(`${path}${key}`);
      walk(field, `${path}${key}.`);
    }
    walk(node.items, `${path.slice(0, -1)}[].`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}NAME.`);
    for (const variant of node.oneOf ?? []) walk(variant, path);
  };
  const schema = JSON.parse(scenarioJsonSchema());
  walk(schema, '');
  assert.deepEqual(missing, []);
  assert.ok(Object.keys(schema.properties).length >= 19, 'the walk reached the fields');
});

test('docs/reference/scenario.md lists every field with its type, range, default and meaning (regenerate with npm run docs)', () => {
  const page = scenarioReference();
  assert.equal(readFileSync(`${root}docs/reference/scenario.md`, 'utf8'), page, 'the scenario reference drifted from src/scenario/blocks.ts: run npm run docs');
  const row = (heading: string, field: string) => {
    const body = page.slice(page.indexOf(`## ${heading}\n`));
    return body
      .slice(0, body.indexOf('\n## '))
      .split('\n')
      .find((l) => l.startsWith(`| \`${field}\` |`));
  };
  assert.match(row('`abtest.decisions`', 'minLift') ?? '', /^\| `minLift` \| number \(> 0, ≤ 5\) \| `0\.05` \| The smallest relative CTR lift worth shipping/);
  assert.match(row('`domains[]`', 'baseCtr') ?? '', /\| required \|/);
  assert.match(row('`features[]`', 'kind') ?? '', /`categorical` \\\| `numeric`/);
  assert.match(row('`abtest.policies.NAME` (kind explore)', 'temperature') ?? '', /number \(> 0, ≤ 100\)/);
});

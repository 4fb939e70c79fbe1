// The house rules a linter cannot state, checked on every test run: a source file stays under
// 350 lines unless it is a declaration table, and every source file with logic has a test at the
// same path under test/. Neither rule has debt: 21 files lacked their test and 10 were longer when
// the rules came in; the last were split on 2026-12-08.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './helpers/scenarios.js';

const MAX_LINES = 350;

/** Files that declare (tables, fields, events, flags) and hold no logic of their own to test. */
const DECLARATION_TABLES = new Set([
  'scenario/blocks.ts',
  'store/tables.ts',
  'commands/specs.ts',
  'util/events.ts',
  'util/seed.ts',
  'store/location.ts',
  'models/model.ts',
]);

const sources = (readdirSync(join(root, 'src'), { recursive: true }) as string[])
  .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.as.ts'))
  .map((f) => f.split('\\').join('/'))
  .sort();
const lines = (f: string) => readFileSync(join(root, 'src', f), 'utf8').split('\n').length - 1;

test(`no source file over ${MAX_LINES} lines but the declaration tables`, () => {
  for (const f of sources) {
    if (DECLARATION_TABLES.has(f)) continue;
    const n = lines(f);
    assert.ok(n <= MAX_LINES, `src/${f}: ${n} lines, more than ${MAX_LINES}: split it by what it does`);
  }
});

test('every source file with logic has a test at its own path', () => {
  const tested = (f: string) => ['.test.ts', '.test.tsx'].some((ext) => existsSync(join(root, 'test', f.replace(/\.tsx?$/, ext))));
  for (const f of sources) {
    if (DECLARATION_TABLES.has(f)) continue;
    assert.ok(tested(f), `src/${f} has no test at test/${f.replace(/\.tsx?$/, '.test.ts')}`);
  }
});

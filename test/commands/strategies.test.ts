import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossab } from '../helpers/cli.js';
import { STRATEGIES } from '../../src/models/registry.js';

test('crossab strategies lists every strategy with one line and marks the defaults', () => {
  const r = crossab(['strategies', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string; summary: string; default: boolean }[];
  assert.deepEqual(
    rows.map((x) => x.name),
    STRATEGIES.map((s) => s.name),
  );
  assert.deepEqual(
    rows.filter((x) => x.default).map((x) => x.name),
    ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'],
  );
  for (const x of rows) assert.ok(x.summary.length > 10 && !x.summary.includes('\n'), x.name);
  const text = crossab(['strategies']).stdout.trimEnd().split('\n');
  assert.match(text[0], /^strategy +default +what it is/);
  assert.equal(text.length, 2 + rows.length, 'a header, its rule and one line per strategy');
  assert.match(text.find((l) => l.startsWith('mmoe '))!, /^mmoe +yes +\S/);
  const extra = crossab(['strategies', 'mmoe']);
  assert.equal(extra.code, 2);
  assert.equal(extra.stderr.trim().split('\n').length, 1, extra.stderr);
});

// Policy files: each kind with its defaults, the shipped OBD policies load, and a file whose lists
// disagree in length is refused in one line naming the domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy, parsePolicy } from '../../src/scenario/policy.js';
import { root } from '../helpers/scenarios.js';

test('the kinds and their defaults; the shipped policy files load', () => {
  assert.deepEqual(parsePolicy({ kind: 'empirical', arm: 'bts' }), { kind: 'empirical', arm: 'bts', estimate: 'frequency' });
  const t = parsePolicy({ kind: 'thompson-prior', arm: 'bts', domains: { men: { alpha: [1, 2], beta: [3, 4] } } });
  assert.ok(t.kind === 'thompson-prior' && t.draws === 100_000 && t.seed === 1);
  const shipped = readdirSync(join(root, 'scenarios/logs')).filter((f) => f.endsWith('.policy.json'));
  assert.ok(shipped.length >= 3);
  for (const f of shipped) assert.ok(['empirical', 'thompson-prior', 'table'].includes(loadPolicy(join(root, 'scenarios/logs', f)).kind), f);
});

test('lists that disagree are refused naming the domain; an unknown kind or key by its path', () => {
  assert.throws(
    () => parsePolicy({ kind: 'thompson-prior', arm: 'a', domains: { men: { alpha: [1, 2], beta: [3] } } }, 'p.json'),
    /^Error: p\.json: domains\.men: alpha has 2 items, beta 1$/,
  );
  assert.throws(
    () => parsePolicy({ kind: 'thompson-prior', arm: 'a', domains: { men: { items: ['x'], alpha: [1, 2], beta: [3, 4] } } }),
    /domains\.men: items has 1 ids, alpha 2/,
  );
  assert.throws(
    () => parsePolicy({ kind: 'table', arm: 'a', domains: { w: { items: ['x', 'y'], probabilities: [[1]] } } }),
    /domains\.w: 2 items but 1 rows of probabilities/,
  );
  assert.throws(() => parsePolicy({ kind: 'bandit', arm: 'a' }, 'q.json'), /^Error: q\.json: kind: /);
  assert.throws(() => parsePolicy({ kind: 'empirical', arm: 'a', extra: 1 }), /unknown key 'extra'/);
});

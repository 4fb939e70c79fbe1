// The import mapping: the domains and arms a row may name (listed, or taken from fromPath / value),
// the control and split checked against them, one line naming the field for anything wrong; '*'
// patterns over a file's columns; a domain or arm read from a file's path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandColumns, labelFromPath, parseMapping } from '../../src/scenario/mapping.js';
import { UserError } from '../../src/util/errors.js';

const base = {
  dataset: 'obd',
  domain: { fromPath: ['men', 'women'] },
  arm: { fromPath: ['random', 'bts'] },
  control: 'random',
  columns: { time: 'timestamp', item: 'item_id', position: 'position', click: 'click', propensity: 'propensity_score' },
  positions: { count: 3 },
};

test('parseMapping: domains and arms from fromPath or a value, defaults filled, a column-sourced list required', () => {
  const m = parseMapping(base);
  assert.deepEqual([m.domains, m.arms, m.unit, m.positions.first, m.features], [['men', 'women'], ['random', 'bts'], 'row', 1, { user: [], context: [] }]);
  const one = parseMapping({ ...base, domain: { value: 'all' }, arm: { column: 'policy' }, arms: ['random', 'bts'] });
  assert.deepEqual([one.domains, one.arms], [['all'], ['random', 'bts']]);
  assert.throws(
    () => parseMapping({ ...base, arm: { column: 'policy' } }),
    /mapping: arms: list the arms a row may name \(the arm comes from column 'policy'\)$/,
  );
  assert.throws(() => parseMapping({ ...base, domain: { column: 'campaign' } }), /domains: list the domains .* column 'campaign'/);
});

test('parseMapping: the control and the split must name the arms, every arm a share; a bad label or field is one line naming it', () => {
  const refused = (raw: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseMapping(raw, 'obd.json'),
      (e: Error) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'),
    );
  refused({ ...base, control: 'bandit' }, /^obd\.json: control: 'bandit' is not one of the arms \(random, bts\)$/);
  refused({ ...base, split: { random: 1, ts: 1 } }, /split: 'ts' is not one of the arms/);
  refused({ ...base, split: { random: 1 } }, /split: give every arm a share \(random, bts\)/);
  refused({ ...base, dataset: '-x' }, /dataset/);
  refused({ ...base, positions: { count: 0 } }, /positions/);
  refused({ ...base, extra: 1 }, /extra/);
  assert.deepEqual(parseMapping({ ...base, split: { random: 1, bts: 3 } }).split, { random: 1, bts: 3 });
});

test("expandColumns: names and '*' patterns select columns in the pattern's then the file's order, once each; regex characters are literal", () => {
  const cols = ['user_feature_0', 'user_feature_1', 'user-item_affinity_0', 'user-item_affinity_1', 'a.b', 'axb'];
  assert.deepEqual(expandColumns(['user-item_affinity_*', 'user_feature_1', 'user_*'], cols), {
    selected: ['user-item_affinity_0', 'user-item_affinity_1', 'user_feature_1', 'user_feature_0'],
    unmatched: null,
  });
  assert.deepEqual(expandColumns(['a.b'], cols).selected, ['a.b'], "a '.' is a dot, not any character");
  assert.deepEqual(expandColumns(['user_feature_0', 'item_*'], cols), { selected: ['user_feature_0'], unmatched: 'item_*' });
});

test("labelFromPath: the listed name nearest the file among the path's segments, the file's extension dropped", () => {
  assert.equal(labelFromPath('open_bandit_dataset/bts/men/men.csv', ['men', 'women']), 'men');
  assert.equal(labelFromPath('logs\\random\\all.csv', ['random', 'bts']), 'random');
  assert.equal(labelFromPath('bts/random.csv', ['random', 'bts']), 'random', 'the file before its folder');
  assert.equal(labelFromPath('logs/menswear.csv', ['men']), null, 'a whole segment, not a part of one');
});

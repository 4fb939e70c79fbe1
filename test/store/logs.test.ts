// An imported log read back: the dataset's record, each arm's displays in a domain (items as catalogue
// indices in numeric order, positions from 0, in file order, optionally in a time window), counts by
// position, item or all in a window, feature value counts, the observations the A/B readout takes
// (one per arm, domain, unit and instant, in time order), the span and the arms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importSyntheticLog } from '../helpers/synthetic-log.js';
import { openDb } from '../../src/store/db.js';
import { featureCounts, itemOrder, loadDataset, logArms, logCounts, loggedDisplays, loggedObservations, logSpan } from '../../src/store/logs.js';
import { UserError } from '../../src/util/errors.js';

// 600 displays, one a second, arms alternating; item (i mod 12) at position 1 + (i mod 3); a click
// on every fifth display; a user feature with three values.
const N = 600;
const itemOf = (i: number) => i % 12;
const positionOf = (i: number) => 1 + (i % 3);
const clickOf = (i: number): number => (i % 5 === 0 ? 1 : 0);
const armOf = (i: number) => (i % 2 ? 'other' : 'control');

function imported(): { db: string } {
  const rows = ['t,arm,item,position,click,propensity,colour'];
  for (let i = 0; i < N; i++)
    rows.push(`${1_600_000_000 + i},${armOf(i)},${itemOf(i)},${positionOf(i)},${clickOf(i)},${1 / 12},${['red', 'blue', 'red'][i % 3]}`);
  return { db: importSyntheticLog(rows, { features: { user: ['colour'] } }) };
}

test('an imported log read back: record, displays, windows, counts, features, observations, span and arms', async () => {
  const { db } = imported();
  const h = await openDb(db, { readOnly: true });
  try {
    const ds = await loadDataset(h, 'syn');
    assert.deepEqual([ds.control, ds.rows, ds.unit, ds.mapping.dataset], ['control', N, 'row', 'syn']);
    await assert.rejects(loadDataset(h, 'nope'), (e: Error) => e instanceof UserError && e.message === "no imported dataset 'nope' in the store (it has: syn)");
    assert.deepEqual(await logArms(h, 'syn'), ['control', 'other']);
    assert.equal(await logSpan(h, 'syn'), N - 1);

    const mine = Array.from({ length: N }, (_, i) => i).filter((i) => armOf(i) === 'other');
    const shown = await loggedDisplays(h, 'syn', 'feed', 'other');
    assert.deepEqual(
      shown.items,
      Array.from({ length: 12 }, (_, k) => String(k)),
      'numeric order: 10 after 9',
    );
    assert.deepEqual(Array.from(shown.item), mine.map(itemOf));
    assert.deepEqual(
      Array.from(shown.position),
      mine.map((i) => positionOf(i) - 1),
    );
    assert.deepEqual(Array.from(shown.click), mine.map(clickOf));
    // The window [100, 200) s: rows 100 … 199.
    const windowed = await loggedDisplays(h, 'syn', 'feed', 'other', { from: 100, to: 200 });
    assert.deepEqual(Array.from(windowed.item), mine.filter((i) => i >= 100 && i < 200).map(itemOf));

    const byPosition = await logCounts(h, 'syn', 'position', { arm: 'control', from: 0, to: 300 });
    for (const k of [1, 2, 3]) {
      const at = Array.from({ length: 300 }, (_, i) => i).filter((i) => armOf(i) === 'control' && positionOf(i) === k);
      assert.deepEqual(
        byPosition.find((r) => r.key === String(k)),
        { domain: 'feed', key: String(k), rows: at.length, clicks: at.reduce((a, i) => a + clickOf(i), 0) },
      );
    }
    assert.deepEqual(await logCounts(h, 'syn', 'all', { arm: null, from: 0, to: N }), [
      { domain: 'feed', key: 'all', rows: N, clicks: Array.from({ length: N }, (_, i) => clickOf(i)).reduce((a, b) => a + b, 0) },
    ]);
    assert.equal((await logCounts(h, 'syn', 'item', { arm: null, from: 0, to: N })).length, 12);
    assert.deepEqual(
      (await featureCounts(h, 'syn', 'user', { arm: null, from: 0, to: N })).map((r) => [r.feature, r.value, r.rows]),
      [
        ['colour', 'red', 400],
        ['colour', 'blue', 200],
      ],
    );

    // One observation per display here (each unit a row, each instant one display), in time order.
    const o = await loggedObservations(h, 'syn');
    assert.deepEqual(
      [o.observations.arms, o.observations.domains, o.observations.units, o.end, o.hasConversions],
      [['control', 'other'], ['feed'], N, N - 1, false],
    );
    assert.deepEqual(
      Array.from(o.observations.time),
      Array.from({ length: N }, (_, i) => i),
    );
    assert.deepEqual(
      Array.from(o.observations.arm),
      Array.from({ length: N }, (_, i) => (armOf(i) === 'control' ? 0 : 1)),
    );
    assert.equal(
      o.observations.clicks.reduce((a, b) => a + b, 0),
      N / 5,
    );
    assert.match(o.start, /^2020-09-13T12:26:40\.000/);
  } finally {
    h.close();
  }
});

test('itemOrder: numbers by value, anything else as text', () => {
  assert.deepEqual(['10', '9', '2'].sort(itemOrder), ['2', '9', '10']);
  assert.deepEqual(['b', 'a10', 'a9'].sort(itemOrder), ['a10', 'a9', 'b']);
});

// The fit's moments against a log whose moments are known: a synthetic two-arm log of one domain,
// imported as a user would, fitted from its first half by time. The base CTR and the CTR at each
// position are the control's clicks over its rows before the cut, to the last digit; a user feature's
// vocabulary and Zipf skew are its values'. Also the small estimators (Zipf, safe names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importSyntheticLog } from '../../helpers/synthetic-log.js';
import { openDb } from '../../../src/store/db.js';
import { fitMoments, scenarioName, zipfSkew } from '../../../src/logs/fit/moments.js';
import { wilson } from '../../../src/ope/summary.js';
import { fitDataset } from '../../../src/logs/fit.js';

test('base CTR, CTR by position and a feature’s vocabulary are the control’s first half, exactly', async () => {
  // 2,000 displays over 1,000 s, alternating arms; three positions; the click a fixed pattern per position.
  const rows: string[] = ['t,arm,item,position,click,propensity,colour'];
  const colours = ['red', 'red', 'red', 'red', 'blue', 'blue', 'green'];
  for (let i = 0; i < 2000; i++) {
    const position = 1 + (i % 3);
    const click = i % (3 + position) === 0 ? 1 : 0;
    rows.push(`${1_600_000_000 + i / 2},${i % 2 ? 'other' : 'control'},${i % 12},${position},${click},${1 / 12},${colours[i % 7]}`);
  }
  const db = importSyntheticLog(rows, { features: { user: ['colour'] } });

  const store = await openDb(db, { readOnly: true });
  try {
    const f = await fitMoments(store, 'syn', 0.5);
    assert.equal(f.span, 999.5);
    assert.equal(f.cut, 999.5 * 0.5);
    // What the fit should have seen: the control's rows before the cut.
    const seen = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 2 === 0 && i / 2 < f.cut);
    const clicks = (at: number[]) => at.filter((i) => i % (3 + (1 + (i % 3))) === 0).length;
    const d = f.domains[0];
    assert.equal(d.baseCtr.value, clicks(seen) / seen.length);
    assert.deepEqual([d.baseCtr.low, d.baseCtr.high], wilson(clicks(seen), seen.length));
    for (let k = 0; k < 3; k++) {
      const at = seen.filter((i) => i % 3 === k);
      assert.equal(d.positionCtr[k].value, clicks(at) / at.length, `position ${k + 1}`);
    }
    assert.equal(d.items, 12);
    assert.equal(d.share, 1);
    const colour = f.features.find((x) => x.name === 'colour')!;
    assert.deepEqual([colour.kind, colour.vocab, colour.source], ['categorical', 3, 'user']);
    // The Zipf skew of the colours' frequencies over both arms before the cut (4 : 2 : 1 of every 7).
    const all = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i / 2 < f.cut);
    const counts = ['red', 'blue', 'green'].map((c) => all.filter((i) => colours[i % 7] === c).length);
    assert.equal(colour.skew, zipfSkew(counts, 3));
    // Fewer clicks at later positions: the position curve falls from 1 at the top.
    assert.equal(Math.max(...f.positionBias), 1);
    assert.ok(f.positionBias[2] < f.positionBias[0]);
  } finally {
    store.close();
  }
  // The held-out half: the constant model's log loss is the fitting half's CTR scored on the control's later rows.
  const r = await fitDataset({ db, dataset: 'syn', fitShare: 0.5, seed: 1 });
  assert.equal(r.scenario.items.count, 12);
  const p = r.fitted.domains[0].baseCtr.value;
  const held = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 2 === 0 && i / 2 >= r.fitted.cut);
  const y = (i: number) => (i % (3 + (1 + (i % 3))) === 0 ? 1 : 0);
  const want = held.reduce((a, i) => a - (y(i) ? Math.log(p) : Math.log(1 - p)), 0) / held.length;
  assert.ok(Math.abs(r.heldOutLogLoss[0].constant - want) < 1e-12, `${r.heldOutLogLoss[0].constant} vs ${want}`);
  assert.ok(r.heldOutLogLoss[0].model < r.heldOutLogLoss[0].constant, 'item × position beats a constant where clicks depend on the position');
  assert.equal(r.holdoutRows, held.length);
});

test('the small estimators: a Zipf exponent recovered from its own frequencies; names a scenario accepts', () => {
  const V = 30;
  const counts = Array.from({ length: V }, (_, r) => Math.round(100_000 / (r + 1) ** 1.3));
  assert.ok(Math.abs(zipfSkew(counts) - 1.3) <= 0.02, `${zipfSkew(counts)}`);
  assert.equal(zipfSkew([5, 5, 5, 5]), 0);
  assert.equal(scenarioName('User-Item Affinity 3'), 'user-item_affinity_3');
  assert.equal(scenarioName('0abc'), 'abc');
});

// The fit's report page from a real fit (the OBD excerpt): the fitted domains with their shares, base
// CTR intervals and position curves scaled to the top position's 1; each arm's real lift and decision
// as the page prints them, the fitted world's decisions most frequent first with shares that sum to
// 100%; the held-out log losses as the fit computed them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitDataset } from '../../../src/logs/fit.js';
import { fitPage } from '../../../src/logs/fit/page.js';
import { crossab } from '../../helpers/cli.js';
import { root } from '../../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));

test('fitPage shows the fit as it is: domains, position curves, the real and the fitted decisions, log losses', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-fit-page-')), 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', join(root, 'scenarios/logs/obd.map.json'), '--db', db]).code, 0);
  const r = await fitDataset({ db, dataset: 'obd', fitShare: 0.5, seed: 1 });
  const page = fitPage(r);
  assert.equal(page.title, `crossab fit: ${r.scenario.name} from dataset obd`);
  assert.equal(page.holdoutRows, r.holdoutRows);
  assert.deepEqual(
    page.domains.map((d) => [d.name, d.share, d.items]),
    r.fitted.domains.map((d) => [d.source, d.share, d.items]),
  );
  for (const [k, d] of page.domains.entries()) {
    const f = r.fitted.domains[k];
    assert.deepEqual([d.baseCtr, d.baseLow, d.baseHigh], [f.baseCtr.value, f.baseCtr.low, f.baseCtr.high]);
    assert.equal(Math.max(...d.positions), 1, `${d.name}: the top position is 1`);
    d.positions.forEach((x, j) => assert.ok(Math.abs(Math.log(x) - (f.clickModel.positions[j] - Math.max(...f.clickModel.positions))) < 1e-12));
  }
  assert.ok(page.ab.length > 0, 'the excerpt has two arms');
  for (const [k, a] of page.ab.entries()) {
    const src = r.ab[k];
    assert.equal(a.realDecision, src.real.decision);
    const pct = '([+-]\\d+\\.\\d%|–)';
    assert.match(a.real, new RegExp(`^${pct} \\[${pct}, ${pct}\\]$`));
    const shares = a.decisions.split(', ').map((x) => Number(/ (\d+)%$/.exec(x)![1]));
    assert.deepEqual(
      shares,
      [...shares].sort((x, y) => y - x),
      'most frequent first',
    );
    assert.ok(Math.abs(shares.reduce((s, x) => s + x, 0) - 100) <= shares.length, 'shares sum to 100% (rounded)');
  }
  assert.deepEqual(page.logLoss, r.heldOutLogLoss);
  assert.deepEqual(page.diagnostics, r.diagnostics);
});

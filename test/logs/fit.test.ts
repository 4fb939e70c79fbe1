// Fitting a scenario to an imported log: what it writes is a scenario generate accepts, its moments
// are the log's, and every diagnostic says which interval it was judged by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));

test('the OBD excerpt fitted: a scenario generate accepts, shares and catalogues from the log, diagnostics against the held-out half', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-fit-'));
  const db = join(dir, 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', join(root, 'scenarios/logs/obd.map.json'), '--db', db]).code, 0);
  const out = join(dir, 'obd-fit.json');
  const r = crossab(['fit', 'obd', '--out', out, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const fit = JSON.parse(r.stdout);
  const s = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(
    s.domains.map((d: { name: string; candidates: number }) => [d.name, d.candidates]),
    [
      ['men', 34],
      ['women', 46],
    ],
  );
  assert.equal(s.items.count, 80);
  assert.equal(s.items.overlap, 0);
  assert.ok(Math.abs(s.domains[0].share + s.domains[1].share - 1) < 1e-12);
  assert.equal(s.abtest.positionBias.length, 3);
  assert.ok(s.features.some((f: { name: string; vocab: number }) => f.name === 'user_feature_0' && f.vocab >= 2));
  const html = readFileSync(fit.files.report, 'utf8');
  assert.match(html, /Where the fitted world is faithful: \d+ of \d+ inside/);
  assert.match(html, /id="fit-diagnostics"/);
  const g = crossab(['generate', out, '--json']);
  assert.equal(g.code, 0, g.stderr);
  assert.ok(JSON.parse(readFileSync(out.replace('.json', '.fit.json'), 'utf8')).diagnostics.length > 0);
  for (const d of fit.diagnostics) assert.ok(d.interval === 'held-out log' || d.interval === 'simulated samples', d.measure);
  // The excerpt's A/B test again in the fitted world: BTS against random on both domains, every replicate decided.
  assert.deepEqual(
    fit.ab.map((x: { domain: string; arm: string }) => `${x.domain}:${x.arm}`),
    ['men:bts', 'women:bts'],
  );
  for (const x of fit.ab) assert.ok(Math.abs(Object.values(x.decisionShares as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(crossab(['fit', 'obd', '--out', join(dir, 'x.json'), '--db', db, '--fit-share', '2']).code, 2);
});

test('fit writes what generate accepts on a one-domain log and on a one-arm log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-fit-one-'));
  const db = join(dir, 'store.duckdb');
  const map = join(root, 'scenarios/logs/obd.map.json');
  const cases = [
    { name: 'men-only', files: [files[0], files[2]] },
    { name: 'random-only', files: [files[0], files[1]] },
  ];
  for (const c of cases) {
    const i = crossab(['import', ...c.files, '--map', map, '--name', c.name, '--db', db]);
    assert.equal(i.code, 0, `${c.name}: ${i.stderr}`);
    const out = join(dir, `${c.name}.json`);
    const r = crossab(['fit', c.name, '--out', out, '--db', db, '--json']);
    assert.equal(r.code, 0, `${c.name}: ${r.stderr}`);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    if (c.name === 'men-only')
      assert.deepEqual(
        s.domains.map((d: { name: string; share: number }) => [d.name, d.share]),
        [['men', 1]],
      );
    const g = crossab(['generate', out, '--json']);
    assert.equal(g.code, 0, `${c.name}: generate refused what fit wrote: ${g.stderr}`);
  }
});

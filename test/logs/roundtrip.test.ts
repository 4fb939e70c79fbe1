// The round trip: a world crossab generates, exported as bandit feedback, imported and fitted back,
// recovers its own domain shares, base CTRs and position effects within their sampling error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { rawScenario } from '../helpers/scenarios.js';

const POSITIONS = [0, -0.5, -1.0];

test('generate → export → import → fit recovers the shares, base CTRs and position effects (each within 3.5 standard errors)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-roundtrip-'));
  const s = rawScenario('tiny');
  s.name = 'roundtrip';
  s.domains = [
    { name: 'big', share: 0.7, baseCtr: 0.08, candidates: 30, slate: 3, catalogue: 0.5, features: ['user_age', 'item_category'] },
    { name: 'small', share: 0.3, baseCtr: 0.12, candidates: 30, slate: 3, catalogue: 0.5, features: ['user_age', 'item_category'] },
  ];
  s.features = s.features.filter((f: { name: string }) => ['user_age', 'item_category'].includes(f.name));
  s.items = { count: 60, popularitySkew: 0, overlap: 0 };
  s.truth = {
    main: 0,
    interaction: 0,
    fitted: {
      domains: Object.fromEntries(
        ['big', 'small'].map((d, k) => [d, { items: Array.from({ length: 30 }, (_, j) => 0.4 * Math.sin(j + k)), positions: POSITIONS }]),
      ),
    },
  };
  s.users = { count: 3000, idiosyncratic: 0, drift: 0 };
  s.traffic = { requests: 30_000, replayRequests: 100 };
  delete s.abtest;
  const scenario = join(dir, 'roundtrip.json');
  writeFileSync(scenario, JSON.stringify(s));
  const logs = join(dir, 'logs.parquet');
  const g = crossab(['generate', scenario, '--bandit', logs]);
  assert.equal(g.code, 0, g.stderr);
  const mapping = join(dir, 'roundtrip.map.json');
  writeFileSync(
    mapping,
    JSON.stringify({
      dataset: 'roundtrip',
      domain: { column: 'domain' },
      domains: ['big', 'small'],
      arm: { value: 'logger' },
      control: 'logger',
      columns: { time: 'timestamp', item: 'action', position: 'position', click: 'reward', propensity: 'pscore_item_position' },
      unit: { column: 'user_id' },
      positions: { first: 0, count: 3 },
      features: { user: ['user_age'] },
    }),
  );
  const db = join(dir, 'store.duckdb');
  const imp = crossab(['import', logs, '--map', mapping, '--db', db, '--json']);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(JSON.parse(imp.stdout).rows, 90_000);
  const fit = crossab(['fit', 'roundtrip', '--out', join(dir, 'back.json'), '--db', db, '--json']);
  assert.equal(fit.code, 0, fit.stderr);
  const f = JSON.parse(fit.stdout).fitted;
  // The fitting half holds ~45,000 displays: shares and CTRs are binomial proportions of it.
  const displays = 45_000;
  for (const d of f.domains) {
    const want = s.domains.find((x: { name: string }) => x.name === d.name);
    const seShare = Math.sqrt((want.share * (1 - want.share)) / (displays / 3));
    assert.ok(Math.abs(d.share - want.share) < 3.5 * seShare, `${d.name} share ${d.share} vs ${want.share}`);
    const rows = d.share * displays;
    const seCtr = Math.sqrt((want.baseCtr * (1 - want.baseCtr)) / rows);
    assert.ok(Math.abs(d.baseCtr.value - want.baseCtr) < 3.5 * seCtr, `${d.name} base CTR ${d.baseCtr.value} vs ${want.baseCtr}`);
    // δ_k − δ_1 on the logit scale; its standard error from the two positions' clicks.
    const p = want.baseCtr;
    for (let k = 1; k < 3; k++) {
      const se = Math.sqrt(1 / ((rows / 3) * p * (1 - p)) + 1 / ((rows / 3) * p * (1 - p)));
      const got = d.clickModel.positions[k] - d.clickModel.positions[0];
      assert.ok(Math.abs(got - (POSITIONS[k] - POSITIONS[0])) < 3.5 * se, `${d.name} position ${k + 1}: ${got} vs ${POSITIONS[k]}`);
    }
    assert.equal(d.items, 30);
  }
  const back = JSON.parse(fit.stdout).scenario;
  assert.deepEqual(
    back.features.map((x: { name: string; vocab: number }) => [x.name, x.vocab]),
    [['user_age', 6]],
  );
});

// A real log's readout: the cells grown from observations give the lift of the CTRs and, with each
// display its own unit, the delta-method interval of two independent binomial rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../src/abtest/decide.js';
import { observedReadout, type Observations } from '../../src/abtest/observed.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';

/** Two arms, one domain, n displays each, c clicks in each, spread over two days. */
function displays(n: number, clicks: [number, number]): Observations {
  const N = 2 * n;
  const o: Observations = {
    arms: ['random', 'bts'],
    domains: ['men'],
    arm: new Int32Array(N),
    domain: new Int32Array(N),
    unit: Int32Array.from({ length: N }, (_, i) => i),
    units: N,
    time: Float64Array.from({ length: N }, (_, i) => (i / N) * 2 * 86_400),
    rows: new Float64Array(N).fill(1),
    clicks: new Float64Array(N),
    conversions: new Float64Array(N),
  };
  for (let i = 0; i < N; i++) {
    o.arm[i] = i % 2;
    const k = Math.floor(i / 2);
    o.clicks[i] = k < clicks[o.arm[i]] ? 1 : 0;
  }
  return o;
}

test('the lift is the ratio of the CTRs, its interval the log-scale delta method of two binomials, and the looks see the log grow', () => {
  const n = 10_000;
  const ab = observedReadout(displays(n, [46, 69]), { control: 0, split: [0.5, 0.5], rules: DEFAULT_DECISION_RULES, lookEnds: [86_400, 172_801] });
  const l = ab.lifts.find((x) => x.domain === 'men' && x.metric === 'ctr')!;
  assert.ok(Math.abs(l.lift - 69 / 46 + 1) < 1e-12);
  const p1 = 69 / n;
  const p0 = 46 / n;
  // Var log p̂ ≈ (1 − p)/(n p) with the sample variance's n/(n − 1).
  const se = Math.sqrt(((1 - p1) / (n * p1) + (1 - p0) / (n * p0)) * (n / (n - 1)));
  assert.ok(Math.abs(l.seLog - se) < 1e-6, `${l.seLog} vs ${se}`);
  assert.ok(Number.isNaN(l.trueLift) && l.covered === null);
  assert.equal(ab.looks.length, 2);
  assert.ok(ab.looks[0].users < ab.looks[1].users);
  const [d] = decide(ab, ['men'], DEFAULT_DECISION_RULES, 'plain', 'displays');
  assert.equal(d.decision, 'not enough data');
  assert.match(d.reason, /needs ~[\d,]+ displays/);
});

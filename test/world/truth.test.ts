// The truth's formula, term by term (see the top of src/world/truth.ts), recomputed from its parts:
// s = w_d · (U_d[u] + I_d[i] + C), the click logit main · (s + Σ sin(α s + β)/√m) + B_d[u] · Ĩ_d[i],
// the conversion's √(1 − own²) s + own · s_conv; and b_d calibrated so the logged CTR is the base.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { entityLatents } from '../../src/world/latents.js';
import { logitsWithContext } from '../../src/world/truth.js';
import { scenario } from '../helpers/scenarios.js';

const w = generateWorld(scenario('tiny'), 7);
const t = w.truth;
const L = t.dim;

test('the click and conversion logits are the formula of their parts', () => {
  const out = new Float64Array(2);
  for (const [d, u, i, ctxS, ctxSc] of [
    [0, 3, 10, 0.2, -0.1],
    [1, 40, 77, -0.5, 0.3],
    [2, 100, 5, 0, 0],
  ]) {
    logitsWithContext(t, d, u, i, ctxS, ctxSc, 0, out, 0);
    const s = t.userEffect[d][u] + t.itemEffect[d][i] + ctxS;
    const sc = t.userConvEffect[d][u] + t.itemConvEffect[d][i] + ctxSc;
    const m = t.sineFreq.length;
    let sines = 0;
    for (let k = 0; k < m; k++) sines += Math.sin(t.sineFreq[k] * s + t.sinePhase[k]);
    let taste = 0;
    for (let k = 0; k < L; k++) taste += t.userTaste[d][u * L + k] * t.itemTaste[d][i * L + k];
    const click = t.main * (s + sines / Math.sqrt(m)) + taste;
    assert.ok(Math.abs(out[0] - click) < 1e-12, `click logit ${out[0]} vs ${click}`);
    assert.ok(Math.abs(out[1] - t.main * (Math.sqrt(1 - t.convOwn ** 2) * s + t.convOwn * sc)) < 1e-12);
  }
});

test("w_d · U_d[u] is the user's effect, over the features domain d exposes", () => {
  for (let d = 0; d < w.layout.domains.length; d++) {
    const uz = entityLatents(w.layout, t, w.users, { source: 'user', exposedCat: w.layout.exposesCat[d], exposedNum: w.layout.exposesNum[d], itemIds: false });
    for (const u of [0, 17, w.users.count - 1]) {
      let s = 0;
      for (let k = 0; k < L; k++) s += t.clickDir[d][k] * uz[u * L + k];
      assert.ok(Math.abs(t.userEffect[d][u] - s) < 1e-9, `domain ${d}, user ${u}`);
    }
  }
});

test("b_d is calibrated: each domain's mean true click probability over its logged rows is its base CTR", () => {
  const l = w.logged;
  w.scenario.domains.forEach((dom, d) => {
    let sum = 0;
    let n = 0;
    for (let j = 0; j < l.n; j++)
      if (l.domain[j] === d) {
        sum += l.pClick[j];
        n++;
      }
    assert.ok(Math.abs(sum / n - dom.baseCtr) < 1e-6, `${dom.name}: ${sum / n} vs ${dom.baseCtr}`);
  });
});

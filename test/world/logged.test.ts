// The logged traffic as generated: features only where a domain exposes them, each domain's mean
// click probability calibrated to its base CTR (and conversions among clicks to its base CVR), labels
// drawn from those probabilities, one slate per request in position order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

test('features are absent outside the domains that expose them', () => {
  const w = generateWorld(scenario(), 6);
  const { layout, logged: l } = w;
  layout.categorical.forEach((f, j) => {
    for (let r = 0; r < l.n; r++) {
      const exposed = layout.exposesCat[l.domain[r]][j];
      assert.equal(l.cat[j][r] > 0, exposed, `${f.name} in ${layout.domains[l.domain[r]]}`);
    }
  });
  layout.numeric.forEach((f, j) => {
    for (let r = 0; r < l.n; r++) assert.equal(Number.isNaN(l.num[j][r]), !layout.exposesNum[l.domain[r]][j], f.name);
  });
  // query_intent is private to 'mid'.
  const q = layout.categorical.findIndex((f) => f.name === 'query_intent');
  assert.deepEqual(
    layout.exposesCat.map((e) => e[q]),
    [false, true, false],
  );
});

test('each domain’s mean logged click probability is its base CTR, and its mean conversion probability among clicks its base CVR; the labels follow them', () => {
  const s = scenario('tiny');
  const w = generateWorld(s, 3);
  const l = w.logged;
  s.domains.forEach((dom, d) => {
    let n = 0;
    let p = 0;
    let clicks = 0;
    let pcClick = 0;
    let pcvClick = 0;
    for (let r = 0; r < l.n; r++) {
      if (l.domain[r] !== d) continue;
      n++;
      p += l.pClick[r];
      clicks += l.click[r];
      pcClick += l.pClick[r];
      pcvClick += l.pClick[r] * l.pConv[r];
      if (!l.click[r]) assert.equal(l.conv[r], 0, 'no conversion without a click');
    }
    assert.ok(Math.abs(p / n - dom.baseCtr) < 1e-4 * dom.baseCtr + 1e-6, `${dom.name}: mean pClick ${p / n} vs ${dom.baseCtr}`);
    assert.ok(Math.abs(pcvClick / pcClick - dom.baseCvr) < 1e-3 * dom.baseCvr, `${dom.name}: click-weighted pConv ${pcvClick / pcClick} vs ${dom.baseCvr}`);
    // Labels: the click count within 4 standard deviations of its expectation.
    const sd = Math.sqrt(p * (1 - p / n));
    assert.ok(Math.abs(clicks - p) < 4 * sd, `${dom.name}: ${clicks} clicks, expected ${p.toFixed(1)} ± ${sd.toFixed(1)}`);
  });
  // One slate per request: rows loggedRow[r] … loggedRow[r + 1] are request r's, at positions 1, 2, …
  for (let r = 0; r < w.loggedRequests.n; r++)
    for (let j = w.loggedRow[r]; j < w.loggedRow[r + 1]; j++) {
      assert.equal(l.request[j], r);
      assert.equal(l.position[j], 1 + j - w.loggedRow[r], 'positions count from 1');
    }
});

// A world's summary recounted from its logged rows: every figure is the count or rate it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { PERIODS, SEGMENTS } from '../../src/world/impressions.js';
import { summarise } from '../../src/world/summary.js';
import { scenario } from '../helpers/scenarios.js';

test('summarise: impressions, clicks and conversions per domain and period, shares, segments — recounted row by row', () => {
  const w = generateWorld(scenario('tiny'), 9);
  const sum = summarise(w);
  const l = w.logged;
  assert.equal(sum.impressions, l.n);
  assert.equal(sum.domains.length, w.layout.domains.length);
  let clicks = 0;
  let convs = 0;
  for (let j = 0; j < l.n; j++) {
    clicks += l.click[j];
    convs += l.conv[j];
  }
  assert.ok(Math.abs(sum.ctr - clicks / l.n) < 1e-12);
  assert.ok(Math.abs(sum.cvr - convs / clicks) < 1e-12);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
  assert.ok(
    close(
      sum.domains.reduce((a, d) => a + d.impressionShare, 0),
      1,
    ),
  );
  for (const [k, d] of sum.domains.entries()) {
    let n = 0;
    let c = 0;
    let requests = 0;
    for (let j = 0; j < l.n; j++)
      if (l.domain[j] === k) {
        n++;
        c += l.click[j];
        if (l.position[j] === 1) requests++;
      }
    assert.equal(d.impressions, n, d.name);
    assert.ok(close(d.ctr, c / n), `${d.name} ctr`);
    assert.ok(close(d.share, requests / w.scenario.traffic.requests), `${d.name}: a request is its first position's impression`);
    assert.deepEqual(Object.keys(d.byPeriod), [...PERIODS]);
    assert.equal(
      Object.values(d.byPeriod).reduce((a, p) => a + p.impressions, 0),
      n,
      `${d.name}: the periods add up`,
    );
  }
  const seen = new Set(Array.from(l.user));
  assert.equal(sum.users, seen.size);
  assert.deepEqual(Object.keys(sum.userSegments), [...SEGMENTS]);
  assert.equal(
    Object.values(sum.userSegments).reduce((a, b) => a + b, 0),
    seen.size,
  );
  assert.ok(sum.tailUserShare > 0 && sum.tailUserShare <= 1);
  assert.ok(sum.heavyImpressionShare > 0 && sum.heavyImpressionShare < 1);
  assert.equal(sum.fingerprint, w.fingerprint);
});

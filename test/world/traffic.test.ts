// The traffic model: the timeline's periods, the domain shares (given, Zipf, and the test period's
// water-filled floors), and the request stream — drawn in chunks it must equal one draw of the whole
// period, which is what lets a replay too large to hold stream; a slice of it is a view of the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorld } from '../../src/world/world.js';
import { stream } from '../../src/world/rng.js';
import {
  domainShares,
  drawRequests,
  periodRequests,
  requestSource,
  sliceRequests,
  tailDomains,
  testShares,
  timeline,
  type Requests,
} from '../../src/world/traffic.js';
import { scenario } from '../helpers/scenarios.js';

const close = (a: number[], b: number[], what: string) => a.forEach((x, k) => assert.ok(Math.abs(x - b[k]) < 1e-12, `${what}[${k}]: ${x} vs ${b[k]}`));

test('timeline: the logged traffic split into train / valid / test by the periods, the replay after it', () => {
  const s = scenario('tiny', (raw) => {
    raw.traffic.requests = 1001;
    raw.traffic.replayRequests = 500;
    raw.traffic.periods = { train: 0.7, valid: 0.1, test: 0.2 };
  });
  assert.deepEqual(timeline(s), { total: 1501, trainEnd: 701, validEnd: 801, testEnd: 1001 });
});

test('domainShares: the given shares, or Zipf weights 1/(k+1)^z normalised; tail domains below half an even split', () => {
  const given = scenario('tiny');
  assert.deepEqual(
    domainShares(given),
    given.domains.map((d) => d.share),
  );
  const zipf = scenario('tiny', (raw) => {
    for (const d of raw.domains) delete d.share;
    raw.domainShares = { zipf: 1 };
  });
  const n = zipf.domains.length;
  const h = Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  close(
    domainShares(zipf),
    Array.from({ length: n }, (_, k) => 1 / (k + 1) / h),
    'zipf',
  );
  assert.deepEqual(
    tailDomains({ scenario: zipf }),
    domainShares(zipf).map((x) => x < 1 / (2 * n)),
  );
});

test('testShares: a domain under its floor is raised to it, the others share the rest in proportion; a floor that cannot fit is refused', () => {
  const s = scenario('tiny', (raw) => {
    raw.domains = raw.domains.slice(0, 3).map((d: Record<string, unknown>, k: number) => ({ ...d, share: [0.8, 0.15, 0.05][k], slate: 2 }));
    raw.traffic.testFloor = 100;
  });
  assert.equal(testShares(scenario('tiny'), 1000), null, 'no floor, no mix');
  // 1,000 requests × slate 2: a floor of 100 impressions is a share of 0.05 — the smallest domain just holds it.
  close(testShares(s, 1000)!, [0.8, 0.15, 0.05], 'at the floor');
  // 500 requests: the floor is a share of 0.1; the 0.05 domain is raised, the others scaled by 0.9 / 0.95.
  close(testShares(s, 500)!, [(0.8 * 0.9) / 0.95, (0.15 * 0.9) / 0.95, 0.1], 'one raised');
  // 200 requests: 0.25 each; raising the smallest pushes the middle one under too — both pinned.
  close(testShares(s, 200)!, [0.5, 0.25, 0.25], 'water-filled');
  assert.throws(() => testShares(s, 100), /traffic\.testFloor: 100 test impressions per domain need 150 test requests, the test period has 100/);
});

const columns = (r: Requests): ArrayLike<number>[] => [
  r.time,
  r.user,
  r.domain,
  r.ctxLatent,
  r.candStart,
  r.candItems,
  ...r.ctxCat.filter((c) => c !== null),
  ...r.ctxNum.filter((c) => c !== null),
];

test('requestSource: the period drawn in chunks of any size is the same requests as one draw of it; sliceRequests is a view of the same', () => {
  const w = generateWorld(scenario('tiny'), 5);
  const s = w.scenario;
  const { testEnd, total } = w.timeline;
  const whole = drawRequests(s, w.layout, w.truth, w.users, w.items, testEnd, total, total, stream(5, 'traffic:test'));
  assert.equal(whole.n, total - testEnd);
  for (let r = 0; r < whole.n; r++) {
    assert.equal(whole.time[r], testEnd + r);
    const pool = whole.candItems.subarray(whole.candStart[r], whole.candStart[r + 1]);
    assert.equal(pool.length, s.domains[whole.domain[r]].candidates);
    assert.equal(new Set(pool).size, pool.length, `request ${r}: distinct candidates`);
    assert.ok(
      pool.every((i) => w.items.catalogues[whole.domain[r]].includes(i)),
      `request ${r}: candidates from its domain's catalogue`,
    );
  }
  const source = requestSource(s, w.layout, w.truth, w.users, w.items, testEnd, total, total, stream(5, 'traffic:test'));
  const chunks: Requests[] = [];
  for (const size of [1, 7, 64, 1e9]) chunks.push(source.next(size));
  assert.equal(source.done(), whole.n);
  assert.equal(source.next(10).n, 0, 'nothing after the end');
  let from = 0;
  for (const c of chunks) {
    const slice = sliceRequests(whole, from, from + c.n, w.truth.dim);
    columns(c).forEach((col, k) => assert.deepEqual(Array.from(col), Array.from(columns(slice)[k]), `chunk at ${from}, column ${k}`));
    from += c.n;
  }
});

test('periodRequests: every request of the period counted once per domain × user, none for a user before their arrival', () => {
  const w = generateWorld(scenario('tiny'), 5);
  const { testEnd, total } = w.timeline;
  const counts = periodRequests(w.scenario, w.users, 0, testEnd, total, stream(5, 'period'));
  const U = w.users.activity.length;
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    testEnd,
  );
  // A user born after the period's last request cannot have made one (the draw retries until it finds an arrived user).
  for (let u = 0; u < U; u++)
    if (w.users.birth[u] > (testEnd - 1) / total) for (let d = 0; d < w.scenario.domains.length; d++) assert.equal(counts[d * U + u], 0, `user ${u}`);
});

// What a generated world looks like: realised traffic skew, CTR/CVR per domain and period, users.
import { PERIODS, SEGMENTS } from './impressions.js';
import type { World } from './world.js';

export interface DomainSummary {
  name: string;
  impressions: number;
  /** Share of requests (what the scenario's shares configure). */
  share: number;
  impressionShare: number;
  ctr: number;
  cvr: number;
  byPeriod: Record<string, { impressions: number; ctr: number; cvr: number }>;
}

export interface WorldSummary {
  scenario: string;
  seed: number;
  fingerprint: string;
  impressions: number;
  requests: number;
  replayRequests: number;
  users: number;
  items: number;
  ctr: number;
  cvr: number;
  domains: DomainSummary[];
  /** Users seen in the logs, by segment (heavy / tail / cold start). */
  userSegments: Record<string, number>;
  /** Share of users seen in training with 1–3 training requests (visits). */
  tailUserShare: number;
  /** Share of training impressions made by heavy users. */
  heavyImpressionShare: number;
}

export function summarise(w: World): WorldSummary {
  const l = w.logged;
  const D = w.layout.domains.length;
  const cnt = Array.from({ length: D }, () => PERIODS.map(() => [0, 0, 0]));
  const req = new Float64Array(D);
  const trainVisits = new Int32Array(w.users.count);
  const seenUser = new Uint8Array(w.users.count);
  let heavyTrain = 0;
  let train = 0;
  for (let j = 0; j < l.n; j++) {
    const c = cnt[l.domain[j]][l.period[j]];
    c[0]++;
    c[1] += l.click[j];
    c[2] += l.conv[j];
    seenUser[l.user[j]] = 1;
    if (l.position[j] === 1) {
      req[l.domain[j]]++;
      if (l.period[j] === 0) trainVisits[l.user[j]]++;
    }
    if (l.period[j] === 0) {
      train++;
      if (w.userSegment[l.user[j]] === 0) heavyTrain++;
    }
  }
  const sum = (rows: number[][]) => rows.reduce((a, r) => [a[0] + r[0], a[1] + r[1], a[2] + r[2]], [0, 0, 0]);
  const rate = (a: number, b: number) => (b > 0 ? a / b : 0);
  const domains = w.layout.domains.map((name, d) => {
    const [n, clicks, convs] = sum(cnt[d]);
    return {
      name,
      impressions: n,
      share: rate(req[d], w.scenario.traffic.requests),
      impressionShare: rate(n, l.n),
      ctr: rate(clicks, n),
      cvr: rate(convs, clicks),
      byPeriod: Object.fromEntries(
        PERIODS.map((p, k) => {
          const [pn, pc, pv] = cnt[d][k];
          return [p, { impressions: pn, ctr: rate(pc, pn), cvr: rate(pv, pc) }];
        }),
      ),
    };
  });
  const [, clicks, convs] = sum(cnt.flat());
  const segs: Record<string, number> = Object.fromEntries(SEGMENTS.map((s) => [s, 0]));
  let users = 0;
  let trainUsers = 0;
  let tailUsers = 0;
  for (let u = 0; u < w.users.count; u++) {
    if (!seenUser[u]) continue;
    users++;
    segs[SEGMENTS[w.userSegment[u]]]++;
    const c = trainVisits[u];
    if (c > 0) trainUsers++;
    if (c >= 1 && c <= 3) tailUsers++;
  }
  return {
    scenario: w.scenario.name,
    seed: w.seed,
    fingerprint: w.fingerprint,
    impressions: l.n,
    requests: w.scenario.traffic.requests,
    replayRequests: w.scenario.traffic.replayRequests,
    users,
    items: w.items.count,
    ctr: rate(clicks, l.n),
    cvr: rate(convs, clicks),
    domains,
    userSegments: segs,
    tailUserShare: rate(tailUsers, trainUsers),
    heavyImpressionShare: rate(heavyTrain, train),
  };
}

// The replay's per-user sums and the scopes they are read over: each user's impressions, clicks and
// conversions per domain key (all domains, each domain, the head or tail group), the pre-experiment
// ones CUPED adjusts by, and every strategy's expected clicks per scope for the true lift.
import { tailDomains } from '../world/traffic.js';
import { SEGMENTS } from '../world/impressions.js';
import type { World } from '../world/world.js';
import type { Scopes, TrueSums } from './readout.js';
import type { Served } from './served.js';

/**
 * Bytes of the replay's per domain key × user sums (impressions, clicks, conversions as float64):
 * the running ones of the test and the pre-experiment ones CUPED adjusts by. A user is in one arm,
 * and their sums over a segment's scope equal those over all users, so neither multiplies this.
 */
export function accountingBytes(domains: number, users: number): number {
  return (domains + 3) * users * 6 * 8;
}

/** The replay's scopes: each domain key (see domainKeys) × all users or one segment; a request counts in six. */
export function scopesOf(w: World): Scopes {
  const D = w.layout.domains.length;
  const tail = tailDomains(w);
  const domainNames = ['all', ...w.layout.domains, 'head-domains', 'tail-domains'];
  const segmentKeys = ['all', ...SEGMENTS];
  return {
    count: domainNames.length * segmentKeys.length,
    of: (d, u) => {
      const dk = domainKeys(D, tail, d);
      const sk = [0, 1 + w.userSegment[u]];
      return dk.flatMap((a) => sk.map((b) => a * segmentKeys.length + b));
    },
    domain: (s) => domainNames[Math.floor(s / segmentKeys.length)],
    segment: (s) => segmentKeys[s % segmentKeys.length],
  };
}

/** Per domain key (all, each domain, head / tail group) × user sums: impressions, clicks, conversions. */
export interface UserSums {
  imps: Float64Array;
  clicks: Float64Array;
  convs: Float64Array;
  /** Visits served (kept with scenario.dynamics only, for the long-term readout; else empty). */
  visits: Float64Array;
}

export const userSums = (keys: number, users: number, visits = false): UserSums => ({
  imps: new Float64Array(keys * users),
  clicks: new Float64Array(keys * users),
  convs: new Float64Array(keys * users),
  visits: new Float64Array(visits ? keys * users : 0),
});

/** The domain keys a request of domain d counts in (0 all, 1 + d, 1 + D + tail), as scopesOf names them. */
export function domainKeys(D: number, tail: boolean[], d: number): [number, number, number] {
  return [0, 1 + d, 1 + D + (tail[d] ? 1 : 0)];
}

/** Each user's logged impressions, clicks and conversions before the test, per domain key: CUPED's covariate. */
export function preExperiment(w: World): UserSums {
  const D = w.layout.domains.length;
  const U = w.users.count;
  const tail = tailDomains(w);
  const pre = userSums(D + 3, U);
  const lg = w.logged;
  for (let i = 0; i < lg.n; i++) {
    const u = lg.user[i];
    for (const dk of domainKeys(D, tail, lg.domain[i])) {
      pre.imps[dk * U + u] += 1;
      pre.clicks[dk * U + u] += lg.click[i];
      pre.convs[dk * U + u] += lg.conv[i];
    }
  }
  return pre;
}

/**
 * The true-lift numerators: every strategy's expected clicks and conversions on every request of
 * each scope (salt-independent). With scenario.dynamics users may leave, so each request counts with
 * the chance that its user is still there, and the expected impressions (which then differ by
 * strategy) are kept for the denominators.
 */
export function trueSums(w: World, { requests: rq, ranked }: Served, scopes: Scopes): TrueSums {
  const clicks = new Map<string, Float64Array>();
  const convs = new Map<string, Float64Array>();
  const imps = new Map<string, Float64Array>();
  const slate = w.scenario.domains.map((d) => d.slate);
  for (const [name, st] of ranked) {
    const c = new Float64Array(scopes.count);
    const v = new Float64Array(scopes.count);
    const m = new Float64Array(scopes.count);
    const alive = st.path?.alive;
    for (let r = 0; r < rq.n; r++) {
      const a = alive ? alive[r] : 1;
      for (const s of scopes.of(rq.domain[r], rq.user[r])) {
        c[s] += alive ? a * st.expClicks[r] : st.expClicks[r];
        v[s] += alive ? a * st.expConvs[r] : st.expConvs[r];
        m[s] += a * slate[rq.domain[r]];
      }
    }
    clicks.set(name, c);
    convs.set(name, v);
    if (alive) imps.set(name, m);
  }
  return { clicks, convs, imps: imps.size ? imps : null };
}

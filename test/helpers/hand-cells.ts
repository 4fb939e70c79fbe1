// Readout cells built by hand: two arms (control 'ctl' on strategy 'base', 'new' on 'better'), scopes
// 'all', 'a', 'b' over all users, per-user sums varied deterministically, and the truth's sums.
import type { Cell, ReplayConfig, Scopes } from '../../src/abtest/readout.js';
import { addUserWithCovariate, emptyCovariateRatio } from '../../src/abtest/stats/cuped.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';

// Scopes: 'all', 'a', 'b' (segment 'all' only).
export const DOMAINS = ['all', 'a', 'b'];
export const scopes: Scopes = { count: 3, of: (d) => [0, 1 + d], domain: (s) => DOMAINS[s], segment: () => 'all' };
export const cfg = (rules = DEFAULT_DECISION_RULES): ReplayConfig => ({
  arms: [
    { name: 'ctl', strategy: 'base', share: 0.5 },
    { name: 'new', strategy: 'better', share: 0.5 },
  ],
  control: 0,
  salt: 1,
  positionBias: null,
  rules,
});

/** Cells of `users` users per arm and domain, each with `imps` impressions and clicks at `rate` (varied by user), `conv` a click's conversion rate. */
export function cells(rate: (arm: number, d: number) => number, users: number): Cell[] {
  const out: Cell[] = [];
  for (let a = 0; a < 2; a++)
    for (let s = 0; s < 3; s++) {
      const cell: Cell = { ctr: emptyCovariateRatio(), ctcvr: emptyCovariateRatio(), heaviest: 0, expected: 0 };
      const domains = s === 0 ? [0, 1] : [s - 1];
      for (const d of domains)
        for (let u = 0; u < users; u++) {
          const imps = 5 + (u % 7);
          const clicks = Math.round(imps * rate(a, d) * (0.5 + ((u * 37) % 11) / 10));
          addUserWithCovariate(cell.ctr, clicks, imps, (u % 3) + clicks / 2, imps);
          addUserWithCovariate(cell.ctcvr, u % 4 === 0 ? Math.min(1, clicks) : 0, imps, 0, imps);
          cell.heaviest = Math.max(cell.heaviest, imps);
          cell.expected += imps * rate(a, d);
        }
      out.push(cell);
    }
  return out;
}

export const truths = {
  clicks: new Map([
    ['base', Float64Array.from([200, 100, 100])],
    ['better', Float64Array.from([230, 110, 120])],
  ]),
  convs: new Map([
    ['base', Float64Array.from([20, 10, 10])],
    ['better', Float64Array.from([22, 11, 11])],
  ]),
};

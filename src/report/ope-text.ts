// The off-policy tables of `run --verbose`: what each estimator says from the logs before the test,
// how those estimates compare with the A/B test, and which offline signal ordered the strategies as
// the online truth did.
import type { ReplayResult } from '../abtest/readout.js';
import type { OffPolicy } from '../ope/consistency.js';
import { ESTIMATORS } from '../ope/estimators.js';
import { formatTable } from '../util/table.js';
import { confidenceLevel, percent as pct } from '../util/format.js';

/** Per strategy and domain: the true CTR on the logged test requests beside each estimator's estimate. */
export function opeTable(o: OffPolicy, domains: string[]): string {
  const rows = o.rows.filter((r) => r.segment === 'all' && r.estimator === 'dm');
  const cell = (s: string, d: string, e: string) => {
    const r = o.rows.find((x) => x.strategy === s && x.domain === d && x.segment === 'all' && x.estimator === e)!;
    if (!r.identified && e !== 'dm') return 'not identified';
    if (!Number.isFinite(r.value)) return 'no match';
    // Zero spread from a few matching rows is no measurement (a SIPS of 0 from two clickless matches is not "0.00% ±0.00%").
    if (!(r.se > 0)) return 'no spread';
    return `${pct(r.value)} ±${pct((r.ciHigh - r.ciLow) / 2)}${r.identified ? '' : ' (model only)'}`;
  };
  const ipw = (s: string, d: string) => o.rows.find((x) => x.strategy === s && x.domain === d && x.segment === 'all' && x.estimator === 'ipw')!;
  const body = rows
    .filter((r) => r.domain === 'all' || domains.includes(r.domain))
    .map((r) => [r.strategy, r.domain, pct(r.trueValue), ...ESTIMATORS.map((e) => cell(r.strategy, r.domain, e)), pct(ipw(r.strategy, r.domain).essShare)]);
  const deficient = o.rows.some((r) => !r.identified);
  return (
    `off-policy estimates of CTR from the logged test period (logger: ${o.logger}; DM's reward model: ${o.rewardModel}):\n` +
    formatTable(['strategy', 'domain', 'true CTR', ...ESTIMATORS.map((e) => e.toUpperCase()), 'IPW ESS'], body) +
    (deficient ? `\nnot identified: the logger never shows part of what the strategy would show, so no estimate from these logs is unbiased for it` : '') +
    (o.rows.some((r) => r.identified && !Number.isFinite(r.value))
      ? `\nno match: no logged slate agrees with the strategy's there (SIPS needs whole slates to match)`
      : '') +
    (o.rows.some((r) => r.identified && Number.isFinite(r.value) && !(r.se > 0) && r.estimator !== 'dm')
      ? `\nno spread: the few logged rows that match agree exactly, so no interval can be formed (not a measured value)`
      : '')
  );
}

/** Each treatment arm's lift per domain: estimated from the logs (DR), by the A/B test, and true. */
export function opeVsAbTable(o: OffPolicy, ab: ReplayResult, alpha: number): string {
  const rows = ab.lifts
    .filter((l) => l.metric === 'ctr' && l.segment === 'all' && o.rows.some((r) => r.domain === l.domain))
    .map((l) => {
      const strategy = ab.arms.find((a) => a.name === l.arm)?.strategy;
      const dr = o.rows.find((r) => r.strategy === strategy && r.domain === l.domain && r.segment === 'all' && r.estimator === 'dr');
      return [
        l.arm,
        l.domain,
        dr && Number.isFinite(dr.lift) ? `${pct(dr.lift)} [${pct(dr.liftLow)}, ${pct(dr.liftHigh)}]` : 'not identified',
        pct(dr?.trueLift ?? NaN),
        `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]`,
        pct(l.trueLift),
      ];
    });
  return `lift over the control, estimated from the logs before the test (DR) and by the A/B test:\n${formatTable(['arm', 'domain', `OPE (DR) [${confidenceLevel(alpha)} CI]`, 'true (logged requests)', `A/B [${confidenceLevel(alpha)} CI]`, 'true (online)'], rows)}`;
}

/** Per domain and offline signal: Kendall's τ with the true online ordering, and whether its winner wins online. */
export function consistencyTable(o: OffPolicy): string {
  const signals = [...new Set(o.consistency.signals.map((c) => c.signal))];
  const domains = [...new Set(o.consistency.signals.map((c) => c.domain))];
  const body = domains
    .map((domain) => [domain, o.consistency.signals.filter((c) => c.domain === domain)] as const)
    .map(([domain, cs]) => [
      domain,
      cs[0].onlineWinner,
      ...signals.map((sg) => {
        const c = cs.find((x) => x.signal === sg)!;
        if (c.winnerAgrees === null) return 'not identified';
        return `${Number.isFinite(c.tau) ? c.tau.toFixed(2) : '–'} ${c.winnerAgrees ? '✓' : `✗ −${pct(c.regret)}`}`;
      }),
    ]);
  return `which offline signal to trust here (Kendall τ with the true online order; ✓: its winner is the online winner, ✗: the CTR its pick gives up):\n${formatTable(['domain', 'online winner', ...signals], body)}`;
}

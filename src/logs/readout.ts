// `crossab readout`: an imported log's A/B test read by the same decision engine as a simulated one
// (lift, interval, power, decision, the traffic a decision needs, sequential looks by day), and the
// off-policy estimates checked against the one truth a real log has: the target arm's own CTR.
import { decide, type DomainDecision } from '../abtest/decide.js';
import { observedReadout } from '../abtest/observed.js';
import type { ReplayResult } from '../abtest/readout.js';
import { normalQuantile } from '../abtest/stats/distributions.js';
import { evaluateLogged, LOGGED_ESTIMATORS, rateInterval, type LoggedEstimator, type LoggedWarning, type SlotPolicy } from '../ope/logged.js';
import { frequencyPolicy, meanPropensityPolicy, thompsonPolicy } from '../ope/slot-policy.js';
import { wilson } from '../ope/summary.js';
import type { PolicySpec } from '../scenario/policy.js';
import { DEFAULT_DECISION_RULES, type DecisionRules } from '../scenario/blocks.js';
import { openDb, type Db } from '../store/db.js';
import { loadDataset, loggedDisplays, loggedObservations, type LoggedDisplays } from '../store/logs.js';
import { UserError } from '../util/errors.js';
import { stream } from '../world/rng.js';

const DAY = 86_400;

/** What the analysis unit assumes, said plainly beside every readout. */
export function unitAssumption(unit: string): { noun: string; assumes: string } {
  if (unit === 'row')
    return {
      noun: 'displays',
      assumes:
        'each logged display (item at a position) is one unit, assumed independent of the others: the log has no user id, so a user seen many times counts as many units and the intervals are too narrow if users repeat',
    };
  if (unit === 'timestamp')
    return { noun: 'slates', assumes: 'rows sharing a timestamp are one slate, the unit; slates are assumed independent (no user id clusters them)' };
  return { noun: 'units', assumes: `rows are clustered by '${unit}', the unit; units are assumed to be assigned to arms independently` };
}

/** The end of each UTC day the log covers, in seconds since its first row: the sequential test's looks. */
export function dailyLooks(startIso: string, span: number): number[] {
  const start = Date.parse(startIso) / 1000;
  const firstMidnight = Math.floor(start / DAY) * DAY + DAY;
  const ends: number[] = [];
  for (let t = firstMidnight; t - start <= span; t += DAY) ends.push(t - start);
  if (!ends.length || ends[ends.length - 1] <= span) ends.push(span + 1e-6);
  return ends;
}

export interface CounterfactualRow {
  policy: string;
  target: string;
  from: string;
  domain: string;
  estimator: LoggedEstimator;
  value: number;
  ciLow: number;
  ciHigh: number;
  /** The target arm's own CTR in its log (the truth), its Wilson interval, and |estimate − truth| / truth. */
  onPolicy: number;
  onPolicyLow: number;
  onPolicyHigh: number;
  relativeError: number;
  /** The on-policy CTR lies inside the estimate's interval; null when the target is not one of the log's arms (no truth to grade it by). */
  covered: boolean | null;
  displays: number;
  ess: number;
  essShare: number;
  maxWeight: number;
  unsupported: number;
  /** Reasons not to trust the estimate as printed (see LoggedWarning); the overall row carries its domains'. */
  warnings: LoggedWarning[];
}

export interface LogReadout {
  dataset: string;
  unit: string;
  noun: string;
  assumes: string;
  rules: DecisionRules;
  splitKnown: boolean;
  /** The log has conversions: a winner must clear the guardrail (without, decisions rest on clicks alone). */
  hasConversions: boolean;
  ab: ReplayResult;
  decisions: DomainDecision[];
  /** The last instant each look covers (UTC). */
  lookTimes: string[];
  counterfactual: CounterfactualRow[];
}

export interface ReadoutRequest {
  db: string;
  dataset: string;
  method?: DecisionRules['method'];
  /** Target policies; with none, every treatment arm by its own log's frequencies. */
  policies: { name: string; spec: PolicySpec }[];
  /** The arm whose log the estimates are made from (default: the control). */
  from?: string;
}

function indexInto(items: readonly string[], named: readonly string[], origin: string, domain: string): Int32Array {
  const at = new Map(items.map((x, k) => [x, k]));
  const missing = items.filter((x) => !named.includes(x));
  if (missing.length) throw new UserError(`${origin}: domain '${domain}' has item '${missing[0]}' that the policy does not name`);
  return Int32Array.from(named, (x) => {
    const k = at.get(x);
    if (k === undefined) throw new UserError(`${origin}: item '${x}' of domain '${domain}' is not in the imported log's catalogue`);
    return k;
  });
}

/** The target's π(item, position) on one domain, from its spec. */
export async function targetPolicy(
  spec: PolicySpec,
  origin: string,
  domain: string,
  items: readonly string[],
  positions: number,
  own: () => Promise<LoggedDisplays>,
): Promise<SlotPolicy | null> {
  if (spec.kind === 'empirical') {
    const log = await own();
    return spec.estimate === 'frequency' ? frequencyPolicy(log, items.length, positions) : meanPropensityPolicy(log, items.length, positions);
  }
  if (spec.kind === 'table') {
    const d = spec.domains[domain];
    if (!d) return null;
    const idx = indexInto(items, d.items, origin, domain);
    const p = new Float64Array(items.length * positions);
    d.probabilities.forEach((row, r) => {
      if (row.length !== positions)
        throw new UserError(`${origin}: domains.${domain}: item '${d.items[r]}' has ${row.length} probabilities for ${positions} positions`);
      row.forEach((x, k) => (p[idx[r] * positions + k] = x));
    });
    for (let k = 0; k < positions; k++) {
      let s = 0;
      for (let a = 0; a < items.length; a++) s += p[a * positions + k];
      if (Math.abs(s - 1) > 1e-6) throw new UserError(`${origin}: domains.${domain}: position ${k + 1}'s probabilities sum to ${s.toFixed(6)}, not 1`);
    }
    return { items: items.length, positions, p };
  }
  const d = spec.domains[domain];
  if (!d) return null;
  const named = d.items ?? d.alpha.map((_, k) => String(k));
  const idx = indexInto(items, named, origin, domain);
  const mc = thompsonPolicy(d.alpha, d.beta, positions, spec.draws, stream(spec.seed, `thompson-prior:${domain}`));
  const p = new Float64Array(items.length * positions);
  for (let r = 0; r < named.length; r++) for (let k = 0; k < positions; k++) p[idx[r] * positions + k] = mc.p[r * positions + k];
  return { items: items.length, positions, p };
}

export async function readLog(r: ReadoutRequest): Promise<LogReadout> {
  const db = await openDb(r.db, { readOnly: true });
  try {
    return await readOpenLog(db, r);
  } finally {
    db.close();
  }
}

/** readLog on a store already open (the fit reads the real test beside its simulated one). */
export async function readOpenLog(db: Db, r: Omit<ReadoutRequest, 'db'>): Promise<LogReadout> {
  const ds = await loadDataset(db, r.dataset);
  const m = ds.mapping;
  const rules: DecisionRules = { ...DEFAULT_DECISION_RULES, method: r.method ?? DEFAULT_DECISION_RULES.method };
  const { observations, start, end, hasConversions } = await loggedObservations(db, r.dataset);
  if (observations.arms.length < 2)
    throw new UserError(
      `readout: dataset '${r.dataset}' holds one arm (${observations.arms[0]}); an A/B test needs two (the mapping's arm says where each row's arm is)`,
    );
  const control = observations.arms.indexOf(ds.control);
  const split = m.split ? observations.arms.map((a) => m.split![a]) : null;
  const lookEnds = dailyLooks(start, end);
  const ab = observedReadout(observations, {
    control,
    split: split?.map((x) => x / split.reduce((s, y) => s + y, 0)) ?? null,
    rules: { ...rules, looks: lookEnds.length },
    lookEnds,
  });
  const { noun, assumes } = unitAssumption(ds.unit);
  // A log carries no truth to grade a decision against.
  const decisions = decide(ab, observations.domains, rules, rules.method, noun, hasConversions).map((d) => ({
    ...d,
    trueBest: '',
    trueBestLift: Number.NaN,
    correct: null,
  }));
  const t0 = Date.parse(start);
  // Each look is labelled by the last instant it covers (a day's end is the next midnight).
  const lookTimes = lookEnds.map((e) => new Date(t0 + 1000 * e - 1).toISOString());

  const from = r.from ?? ds.control;
  if (!observations.arms.includes(from))
    throw new UserError(`readout: --from: no arm '${from}' in dataset '${r.dataset}' (arms: ${observations.arms.join(', ')})`);
  const policies = r.policies.length
    ? r.policies
    : observations.arms
        .filter((a) => a !== from)
        .map((a) => ({ name: `${a} (own log's frequencies)`, spec: { kind: 'empirical', arm: a, estimate: 'frequency' } as PolicySpec }));
  const counterfactual: CounterfactualRow[] = [];
  for (const { name, spec } of policies) {
    // A target that is not one of the log's arms (a strategy's slates from `run --policy-out`) is
    // estimated without a truth to grade it by; one read from its own log must be there.
    if (!observations.arms.includes(spec.arm) && spec.kind === 'empirical')
      throw new UserError(`${name}: arm '${spec.arm}' is not in dataset '${r.dataset}' (arms: ${observations.arms.join(', ')})`);
    if (spec.arm === from) throw new UserError(`${name}: arm '${spec.arm}' is the arm whose log the estimates are made from; pick another with --from`);
    if (spec.kind !== 'empirical')
      for (const d of Object.keys(spec.domains))
        if (!observations.domains.includes(d))
          throw new UserError(`${name}: domain '${d}' is not in dataset '${r.dataset}' (domains: ${observations.domains.join(', ')})`);
    const perDomain: { domain: string; ev: ReturnType<typeof evaluateLogged>; clicks: number; rows: number }[] = [];
    for (const domain of observations.domains) {
      const log = await loggedDisplays(db, r.dataset, domain, from);
      const own = await loggedDisplays(db, r.dataset, domain, spec.arm);
      const target = await targetPolicy(spec, name, domain, log.items, m.positions.count, async () => own);
      if (!target) continue;
      const ev = evaluateLogged(log, target, rules.alpha);
      const clicks = own.click.reduce((s, c) => s + c, 0);
      perDomain.push({ domain, ev, clicks, rows: own.click.length });
    }
    const rows = (
      domain: string,
      ev: { displays: number; ess: number; maxWeight: number; unsupported: number; warnings: LoggedWarning[] },
      est: (e: LoggedEstimator) => { value: number; ciLow: number; ciHigh: number },
      clicks: number,
      n: number,
    ) => {
      const onPolicy = clicks / n;
      const [lo, hi] = wilson(clicks, n);
      for (const e of LOGGED_ESTIMATORS) {
        const v = est(e);
        counterfactual.push({
          policy: name,
          target: spec.arm,
          from,
          domain,
          estimator: e,
          ...v,
          onPolicy,
          onPolicyLow: lo,
          onPolicyHigh: hi,
          relativeError: Math.abs(v.value - onPolicy) / onPolicy,
          covered: Number.isFinite(onPolicy) ? v.ciLow <= onPolicy && onPolicy <= v.ciHigh : null,
          displays: ev.displays,
          ess: ev.ess,
          essShare: ev.ess / ev.displays,
          maxWeight: ev.maxWeight,
          unsupported: ev.unsupported,
          warnings: ev.warnings,
        });
      }
    };
    for (const p of perDomain) rows(p.domain, p.ev, (e) => p.ev.estimates.find((x) => x.estimator === e)!, p.clicks, p.rows);
    if (perDomain.length > 1) {
      // Overall: the domains' estimates weighted by their displays in the log (the domains' mix is the same under both arms).
      const N = perDomain.reduce((s, p) => s + p.ev.displays, 0);
      const z = normalQuantile(1 - rules.alpha / 2);
      const pooled = (e: LoggedEstimator) => {
        let value = 0;
        let v = 0;
        for (const p of perDomain) {
          const x = p.ev.estimates.find((y) => y.estimator === e)!;
          value += (p.ev.displays / N) * x.value;
          v += (p.ev.displays / N) ** 2 * x.se * x.se;
        }
        return { value, ...rateInterval(value, Math.sqrt(v), z) };
      };
      const sumW = perDomain.reduce((s, p) => s + p.ev.sumW, 0);
      const sumW2 = perDomain.reduce((s, p) => s + p.ev.sumW2, 0);
      const all = {
        displays: N,
        ess: sumW2 > 0 ? (sumW * sumW) / sumW2 : 0,
        maxWeight: Math.max(...perDomain.map((p) => p.ev.maxWeight)),
        unsupported: perDomain.reduce((s, p) => s + (p.ev.displays / N) * p.ev.unsupported, 0),
        warnings: [...new Set(perDomain.flatMap((p) => p.ev.warnings))],
      };
      rows(
        'all',
        all,
        pooled,
        perDomain.reduce((s, p) => s + p.clicks, 0),
        perDomain.reduce((s, p) => s + p.rows, 0),
      );
    }
  }
  return { dataset: r.dataset, unit: ds.unit, noun, assumes, rules, splitKnown: split !== null, hasConversions, ab, decisions, lookTimes, counterfactual };
}

// Expectations made concrete: 'each' expanded to one claim per domain, names checked against what
// the run trains, a readable label, and which stored value of a run each one reads.
import type { Db } from '../store/db.js';
import {
  abValue,
  consistencyValue,
  designValue,
  feedbackValue,
  gateValue,
  gradeValue,
  longTermValue,
  maxUserShare,
  offlineValue,
  opeValue,
  powerValue,
  srmPValue,
  type OfflineCell,
} from '../store/run-data.js';
import type { Expectation, Scenario } from '../scenario/schema.js';
import { familyOf, type EXPERT_METRICS, type GRADE_METRICS, type OFFLINE_METRICS } from '../scenario/metrics.js';
import { ScenarioError } from '../scenario/load.js';
import { tailDomains } from '../world/traffic.js';

export interface Claim {
  /** Index of the expectation in the scenario file. */
  index: number;
  label: string;
  expectation: Expectation;
  /** The concrete domain ('each' resolved). */
  domain: string;
}

const BASELINES = ['oracle', 'constant'];
type OfflineMetric = (typeof OFFLINE_METRICS)[number];
const isOffline = (e: Expectation) => familyOf(e.metric) === 'offline';
const isPower = (e: Expectation) => familyOf(e.metric) === 'power';
const isGrade = (e: Expectation) => familyOf(e.metric) === 'grade';
const isOpe = (e: Expectation) => familyOf(e.metric) === 'ope';
const isConsistency = (e: Expectation) => familyOf(e.metric) === 'consistency';
const isFeedback = (e: Expectation) => familyOf(e.metric) === 'feedback';
const isInterference = (e: Expectation) => familyOf(e.metric) === 'interference';
const isExperts = (e: Expectation) => familyOf(e.metric) === 'experts';
/** Who an expectation judges: a strategy (offline, off-policy, its gates) or an arm. */
const byStrategy = (e: Expectation) => isOffline(e) || isOpe(e) || isExperts(e);
/** Whose decisions a power or grade metric reads: the expectation's method, else the scenario's. */
const methodOf = (e: Expectation, s: Scenario) => e.method ?? s.abtest?.decisions.method ?? 'cuped';

function describe(e: Expectation, domain: string): string {
  const who = byStrategy(e)
    ? e.strategy!
    : isFeedback(e)
      ? e.participant!
      : isInterference(e)
        ? e.design!
        : isGrade(e)
          ? (e.method ?? 'the rules')
          : isConsistency(e)
            ? (e.signal ?? 'auc')
            : (e.arm ?? 'all arms');
  const by = isOpe(e) ? `[${e.estimator ?? 'dr'}]` : e.target === 'conversion' ? '[conversion]' : '';
  const lhs = e.metric === 'srm_p_value' ? 'srm p-value' : `${e.metric}${by}(${who})`;
  const diff = e.vs ? ` − ${e.metric}(${e.vs})` : '';
  const where = [domain !== 'all' ? domain : '', e.segment !== 'all' ? `${e.segment} users` : ''].filter(Boolean).join(', ');
  const op = e.atLeast !== undefined ? `≥ ${e.atLeast}` : `≤ ${e.atMost}`;
  return `${lhs}${diff}${where ? ` on ${where}` : ''} ${op}${e.over === 'every-seed' ? ' in every seed' : ''}`;
}

/**
 * Check the expectations against the strategies the scenario's runs train (the schema already checked
 * domains and arms) and expand them. `origin` names the file in errors.
 */
export function claims(s: Scenario, trained: string[], origin: string): Claim[] {
  const tail = tailDomains({ scenario: s });
  const bad = (i: number, key: string, msg: string) => new ScenarioError(`${origin}: expectations[${i}].${key}: ${msg}`);
  return s.expectations.flatMap((e, i) => {
    if (byStrategy(e)) {
      for (const key of ['strategy', 'vs'] as const) {
        const n = e[key];
        if (n && !trained.includes(n) && (isOpe(e) || isExperts(e) || !BASELINES.includes(n)))
          throw bad(i, key, `'${n}' is not trained in this scenario (strategies: ${trained.join(', ')}; or oracle, constant)`);
      }
    }
    if (e.domain === 'tail-domains' && !tail.some(Boolean))
      throw bad(i, 'domain', 'this scenario has no tail domains (a tail domain has less than half of an even share)');
    if (e.domain === 'head-domains' && !tail.some((t) => !t)) throw bad(i, 'domain', 'this scenario has no head domains');
    const domains = e.domain === 'each' ? s.domains.map((d) => d.name) : [e.domain];
    return domains.map((domain) => ({
      index: i,
      domain,
      expectation: e,
      label: e.name ? (e.domain === 'each' ? `${e.name} [${domain}]` : e.name) : describe(e, domain === 'any' ? 'at least one domain' : domain),
    }));
  });
}

type Value = number | null;

/** Offline metrics are stored per (scope, key): overall, one domain, a domain group or a user segment. */
function offlineScope(domain: string, segment: string): Pick<OfflineCell, 'scope' | 'key'> {
  if (segment !== 'all') return { scope: 'user_segment', key: segment };
  if (domain === 'all') return { scope: 'overall', key: 'all' };
  if (domain === 'head-domains' || domain === 'tail-domains') return { scope: 'domain_group', key: domain };
  return { scope: 'domain', key: domain };
}

async function single(db: Db, runId: string, c: Claim, who: string | undefined, s: Scenario): Promise<Value> {
  const e = c.expectation;
  if (isPower(e)) return powerValue(db, runId, e.metric as 'mde' | 'power', methodOf(e, s) === 'plain' ? 'plain' : 'cuped', who!, c.domain);
  if (isGrade(e)) return gradeValue(db, runId, e.metric as (typeof GRADE_METRICS)[number], methodOf(e, s), c.domain);
  if (isOffline(e)) return offlineValue(db, runId, e.metric as OfflineMetric, { strategy: who!, target: e.target, ...offlineScope(c.domain, e.segment) });
  if (isOpe(e))
    return opeValue(db, runId, e.metric.slice(4) as Parameters<typeof opeValue>[2], {
      strategy: who!,
      estimator: e.estimator ?? 'dr',
      domain: c.domain,
      segment: e.segment,
    });
  if (isExperts(e)) return gateValue(db, runId, e.metric as (typeof EXPERT_METRICS)[number], who!, c.domain);
  if (isInterference(e)) return designValue(db, runId, e.metric.slice('interference_'.length) as Parameters<typeof designValue>[2], who!, c.domain);
  if (isFeedback(e)) return feedbackValue(db, runId, e.metric.slice('feedback_'.length) as Parameters<typeof feedbackValue>[2], who!, c.domain);
  if (isConsistency(e)) {
    const column = e.metric === 'offline_online_tau' ? 'tau' : e.metric === 'offline_winner_agrees' ? 'winner_agrees' : 'regret';
    return consistencyValue(db, runId, column, e.signal ?? 'auc', c.domain);
  }
  const cell = { arm: who!, domain: c.domain, segment: e.segment };
  switch (e.metric) {
    case 'ab_lift':
      return abValue(db, runId, 'lift', cell);
    case 'ab_conversion_lift':
      return abValue(db, runId, 'conversion_lift', cell);
    case 'ab_true_lift':
      return abValue(db, runId, 'true_lift', cell);
    case 'ab_ctr':
      return abValue(db, runId, 'ctr', cell);
    case 'ab_clicks_per_user_lift':
    case 'ab_clicks_per_user_true_lift':
    case 'ab_visits_per_user_lift':
    case 'ab_visits_per_user_true_lift':
      if (cell.segment !== 'all') return null;
      return longTermValue(db, runId, e.metric.includes('clicks') ? 'clicks' : 'visits', e.metric.endsWith('true_lift') ? 'true_lift' : 'lift', who!, c.domain);
    case 'srm_p_value':
      return srmPValue(db, runId);
    case 'max_user_share':
      return maxUserShare(db, runId, who);
    default:
      throw new Error(`unhandled metric ${e.metric}`);
  }
}

/**
 * The claim's value in one stored run: the metric, minus the `vs` metric when given. NaN when
 * undefined. Domain 'any': the domains' best value for the bound (largest for atLeast), so the
 * claim holds in a seed when it holds on at least one domain there.
 */
export async function claimValue(db: Db, runId: string, c: Claim, s: Scenario): Promise<number> {
  if (c.domain === 'any') {
    const values: number[] = [];
    // One query at a time on the store's connection.
    for (const d of s.domains) values.push(await claimValue(db, runId, { ...c, domain: d.name }, s));
    const known = values.filter((v) => !Number.isNaN(v));
    if (!known.length) return NaN;
    return c.expectation.atLeast !== undefined ? Math.max(...known) : Math.min(...known);
  }
  const e = c.expectation;
  const who = byStrategy(e) ? e.strategy : isFeedback(e) ? e.participant : isInterference(e) ? e.design : e.arm;
  const a = await single(db, runId, c, who, s);
  if (a === null) return NaN;
  if (!e.vs) return a;
  const b = await single(db, runId, c, e.vs, s);
  return b === null ? NaN : a - b;
}

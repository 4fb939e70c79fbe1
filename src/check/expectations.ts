// Expectations made concrete: 'each' expanded to one claim per domain, names checked against what
// the run trains, a readable label, and the SQL that reads one run's value from the store.
import type { Db } from '../store/db.js';
import { sqlString } from '../store/columns.js';
import type { Expectation, Scenario } from '../scenario/schema.js';
import { OFFLINE_METRICS } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { tailDomains } from '../metrics/offline.js';

export interface Claim {
  /** Index of the expectation in the scenario file. */
  index: number;
  label: string;
  expectation: Expectation;
  /** The concrete domain ('each' resolved). */
  domain: string;
}

const BASELINES = ['oracle', 'constant'];
const isOffline = (e: Expectation) => (OFFLINE_METRICS as readonly string[]).includes(e.metric);

function describe(e: Expectation, domain: string): string {
  const who = isOffline(e) ? e.strategy! : e.arm ?? 'all arms';
  const lhs = e.metric === 'srm_p_value' ? 'srm p-value' : `${e.metric}${e.target === 'conversion' ? '[conversion]' : ''}(${who})`;
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
    if (isOffline(e)) {
      for (const key of ['strategy', 'vs'] as const) {
        const n = e[key];
        if (n && !trained.includes(n) && !BASELINES.includes(n)) throw bad(i, key, `'${n}' is not trained in this scenario (strategies: ${trained.join(', ')}; or oracle, constant)`);
      }
    }
    if (e.domain === 'tail-domains' && !tail.some(Boolean)) throw bad(i, 'domain', 'this scenario has no tail domains (a tail domain has less than half of an even share)');
    if (e.domain === 'head-domains' && !tail.some((t) => !t)) throw bad(i, 'domain', 'this scenario has no head domains');
    const domains = e.domain === 'each' ? s.domains.map((d) => d.name) : [e.domain];
    return domains.map((domain) => ({ index: i, domain, expectation: e, label: e.name ? (e.domain === 'each' ? `${e.name} [${domain}]` : e.name) : describe(e, domain) }));
  });
}

type Value = number | null;

async function one(db: Db, sql: string): Promise<Value> {
  const rows = (await db.con.runAndReadAll(sql)).getRowObjectsJson();
  if (!rows.length) return null;
  const v = rows[0].v;
  return v === null || v === undefined ? null : Number(v);
}

/** Offline metrics are stored per (scope, key): overall, one domain, a domain group or a user segment. */
function offlineScope(domain: string, segment: string): [string, string] {
  if (segment !== 'all') return ['user_segment', segment];
  if (domain === 'all') return ['overall', 'all'];
  if (domain === 'head-domains' || domain === 'tail-domains') return ['domain_group', domain];
  return ['domain', domain];
}

async function single(db: Db, runId: string, c: Claim, who: string | undefined): Promise<Value> {
  const e = c.expectation;
  const run = `run_id = ${sqlString(runId)}`;
  if (isOffline(e)) {
    const [scope, key] = offlineScope(c.domain, e.segment);
    const col = e.metric === 'calibration' ? 'mean_predicted / nullif(mean_observed, 0)' : e.metric;
    return one(db, `SELECT ${col} AS v FROM offline_metrics WHERE ${run} AND strategy = ${sqlString(who!)} AND target = '${e.target}' AND scope = '${scope}' AND key = ${sqlString(key)}`);
  }
  const where = `${run} AND domain = ${sqlString(c.domain)} AND segment = '${e.segment}'`;
  switch (e.metric) {
    case 'ab_lift': return one(db, `SELECT lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctr' AND arm = ${sqlString(who!)}`);
    case 'ab_conversion_lift': return one(db, `SELECT lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctcvr' AND arm = ${sqlString(who!)}`);
    case 'ab_true_lift': return one(db, `SELECT true_lift AS v FROM ab_lifts WHERE ${where} AND metric = 'ctr' AND arm = ${sqlString(who!)}`);
    case 'ab_ctr': return one(db, `SELECT ctr AS v FROM ab_results WHERE ${where} AND arm = ${sqlString(who!)}`);
    case 'srm_p_value': return one(db, `SELECT min(srm_p_value) AS v FROM ab_assignment WHERE ${run}`);
    case 'max_user_share': return one(db, `SELECT max(max_user_share) AS v FROM ab_assignment WHERE ${run}${who ? ` AND arm = ${sqlString(who)}` : ''}`);
    default: throw new Error(`unhandled metric ${e.metric}`);
  }
}

/** The claim's value in one stored run: the metric, minus the `vs` metric when given. NaN when undefined. */
export async function claimValue(db: Db, runId: string, c: Claim): Promise<number> {
  const e = c.expectation;
  const who = isOffline(e) ? e.strategy : e.arm;
  const a = await single(db, runId, c, who);
  if (a === null) return NaN;
  if (!e.vs) return a;
  const b = await single(db, runId, c, e.vs);
  return b === null ? NaN : a - b;
}

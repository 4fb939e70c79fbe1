// `crossab fit`: a scenario shaped like an imported log, and a measured account of how close it is.
// The fit is by moments, onto the knobs a scenario already has, from the log's first part (by time):
//   domain shares      each domain's share of displays (all arms)
//   catalogues         each domain's items (its side table, else the items its rows show), no overlap
//                      between domains (their item tables are separate), every item a candidate
//   base CTR           the control arm's CTR per domain (OBD's control is uniform: every item equally)
//   position effects   the control arm's CTR per position over position 1's → abtest.positionBias
//   features           each categorical user and item feature's vocabulary, its Zipf skew fitted by
//                      maximum likelihood to the value frequencies, and the domains that log it
// What the log cannot say is set and written down (users: no id, so one request each; the click
// function's shape: the generator's own truth, calibrated to the fitted base CTRs). The rest of the
// log is held out, and the diagnostics compare it with traffic generated from the fitted scenario.
import { parseScenario } from '../scenario/load.js';
import type { PolicyArm, Scenario } from '../scenario/schema.js';
import { wilson } from '../ope/summary.js';
import { openDb, type Db } from '../store/db.js';
import {
  featureCounts,
  itemFeatureCounts,
  loadDataset,
  logCounts,
  loggedDisplays,
  logArms,
  logSpan,
  type CountRow,
  type FeatureValueRow,
  type LogWindow,
} from '../store/logs.js';
import { fitClickModel, predict, type ClickModel } from './click-model.js';
import type { FitPage } from '../report/fit.js';
import type { FitDiagnosticRow } from '../report/charts.js';
import { UserError } from '../util/errors.js';
import { Discrete, stream } from '../world/rng.js';
import { generateWorld, type World } from '../world/world.js';
import type { SlotPolicy } from '../ope/logged.js';
import type { PolicySpec } from '../scenario/policy.js';
import { readOpenLog, targetPolicy } from './readout.js';
import { simulateTest, type DomainTruth, type SimulatedArm } from './simulated-test.js';

/** A name the scenario schema accepts: lower-case letters, digits, _ and -, starting with a letter. */
export function scenarioName(raw: string): string {
  const s = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return (s || 'x').slice(0, 64);
}

/** The Zipf exponent (0 to 4) maximising the likelihood of value counts sorted by frequency over a vocabulary of `vocab` values. */
export function zipfSkew(counts: readonly number[], vocab = counts.length): number {
  const sorted = [...counts].sort((a, b) => b - a);
  let best = 0;
  let bestLl = -Infinity;
  for (let s = 0; s <= 4 + 1e-9; s += 0.01) {
    let z = 0;
    for (let r = 1; r <= vocab; r++) z += r ** -s;
    let ll = 0;
    sorted.forEach((n, r) => (ll += n * (-s * Math.log(r + 1) - Math.log(z))));
    if (ll > bestLl + 1e-12) {
      bestLl = ll;
      best = s;
    }
  }
  return Math.round(best * 100) / 100;
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

const rateOf = (clicks: number, n: number): Interval => {
  const [low, high] = wilson(clicks, n);
  return { value: n ? clicks / n : Number.NaN, low, high };
};

export interface Fitted {
  dataset: string;
  control: string;
  /** Seconds since the log's start: [0, cut) fitted, [cut, end] held out. */
  cut: number;
  span: number;
  domains: {
    name: string;
    source: string;
    share: number;
    items: number;
    baseCtr: Interval;
    positionCtr: Interval[];
    /** The fitted click model; the world's catalogue order is itemIds' order. */
    clickModel: { bias: number; items: number[]; positions: number[]; itemIds: string[] };
  }[];
  positionBias: number[];
  /** Held-out log loss per domain: the fitted click model's and the fitting part's constant CTR's. */
  heldOutLogLoss: { domain: string; model: number; constant: number }[];
  features: { name: string; source: string; kind: 'categorical' | 'numeric'; vocab?: number; skew?: number; domains: string[] }[];
  assumptions: string[];
}

/** Per-domain, per-position counts → the control's CTR curve and its ratio to position 1. */
function positions(rows: CountRow[], domain: string, K: number): Interval[] {
  return Array.from({ length: K }, (_, k) => {
    const r = rows.find((x) => x.domain === domain && x.key === String(k + 1));
    return rateOf(r?.clicks ?? 0, r?.rows ?? 0);
  });
}

function categorical(rows: FeatureValueRow[], source: string, used: Set<string>): Fitted['features'] {
  const names = [...new Set(rows.map((r) => r.feature))];
  const out: Fitted['features'] = [];
  for (const raw of names) {
    const of = rows.filter((r) => r.feature === raw);
    const numeric = of.every((r) => r.value !== 'null' && Number.isFinite(Number(r.value)));
    const values = [...new Set(of.map((r) => r.value))];
    let name = scenarioName(raw);
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    const domains = [...new Set(of.map((r) => r.domain))];
    // A numeric column with few values (an id or a flag) is still a category to the generator.
    if (numeric && values.length > 20) out.push({ name, source, kind: 'numeric', domains });
    else {
      const counts = values.map((v) => of.filter((r) => r.value === v).reduce((s, r) => s + r.rows, 0));
      out.push({ name, source, kind: 'categorical', vocab: Math.max(2, values.length), skew: zipfSkew(counts, Math.max(2, values.length)), domains });
    }
  }
  return out;
}

async function fitFrom(db: Db, dataset: string, fitShare: number): Promise<Fitted> {
  const ds = await loadDataset(db, dataset);
  const span = await logSpan(db, dataset);
  const cut = span * fitShare;
  const fitAll: LogWindow = { arm: null, from: 0, to: cut };
  const fitControl: LogWindow = { arm: ds.control, from: 0, to: cut };
  const K = ds.mapping.positions.count;
  const shares = await logCounts(db, dataset, 'all', fitAll);
  const control = await logCounts(db, dataset, 'all', fitControl);
  const byPosition = await logCounts(db, dataset, 'position', fitControl);
  if (!control.length) throw new UserError(`fit: the control arm '${ds.control}' has no rows in the first ${(100 * fitShare).toFixed(0)}% of the log`);
  const items = await itemFeatureCounts(db, dataset, ds.control);
  const total = shares.reduce((s, r) => s + r.rows, 0);
  const models = new Map<string, { log: Awaited<ReturnType<typeof loggedDisplays>>; model: ClickModel }>();
  for (const r of shares) {
    const log = await loggedDisplays(db, dataset, r.domain, ds.control, { from: 0, to: cut });
    models.set(r.domain, { log, model: fitClickModel(log.item, log.position, log.click, log.items.length, K) });
  }
  const domains = shares.map((r) => {
    const c = control.find((x) => x.domain === r.domain);
    const { log, model } = models.get(r.domain)!;
    return {
      name: scenarioName(r.domain),
      source: r.domain,
      share: r.rows / total,
      // The domain's catalogue as imported: its side tables' items, else the items its rows show.
      items: log.items.length,
      baseCtr: rateOf(c?.clicks ?? 0, c?.rows ?? 0),
      positionCtr: positions(byPosition, r.domain, K),
      clickModel: { bias: model.bias, items: Array.from(model.items), positions: Array.from(model.positions), itemIds: log.items },
    };
  });
  // The replay's one position curve: the domains' fitted position logits averaged by their displays,
  // exp(δ − max δ) (at CTRs near 0.5% a logit shift is a multiplier to within half a per cent).
  const pooled = Array.from({ length: K }, (_, k) => domains.reduce((a, d) => a + d.share * d.clickModel.positions[k], 0));
  const top = Math.max(...pooled);
  const positionBias = pooled.map((p) => Math.max(0.01, Math.exp(p - top)));
  const used = new Set<string>();
  const user = await featureCounts(db, dataset, 'user', fitAll);
  const features = [...categorical(user, 'user', used), ...categorical(items, 'item', used)];
  for (const f of features) f.domains = f.domains.map(scenarioName);
  return {
    dataset,
    control: ds.control,
    cut,
    span,
    domains,
    positionBias,
    heldOutLogLoss: [],
    features,
    assumptions: [
      'no user id in the log: every request is its own user (users.count = requests, no activity skew, no cold start)',
      "the click function is the fitted item × position model alone: the features are generated with their fitted frequencies but move no click (the log's features were not in the model)",
      "position effects act in the logs as each domain's fitted logits, and in the A/B replay as one curve, exp(δ) pooled over domains (abtest.positionBias)",
      'context features (per-request columns) are not modelled',
    ],
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The fitted scenario. `policies`: the log's arms as policy arms; its A/B test then serves them (the
 * log's control first, as the control) beside the two strategies it trains.
 */
export function scenarioOf(
  f: Fitted,
  name: string,
  seed: number,
  requests: number,
  replayRequests: number,
  policies: { name: string; policy: PolicyArm }[] = [],
): Scenario {
  for (const d of f.domains)
    if (!f.features.some((x) => x.domains.includes(d.name)))
      throw new UserError(`fit: domain '${d.source}' logs no user or item feature a world can be given; map one in the mapping's features or items`);
  const itemsTotal = f.domains.reduce((s, d) => s + d.items, 0);
  const raw = {
    name,
    description: `Fitted by crossab fit to dataset '${f.dataset}' (first ${((100 * f.cut) / f.span).toFixed(0)}% of the log; the rest held out): domain shares, catalogues, base CTRs, a click model on item and position as its truth, feature vocabularies. Its fit file says how close it is.`,
    seed,
    domains: f.domains.map((d, k) => ({
      name: d.name,
      // Six digits, the last domain taking the rest, so the shares still sum to 1.
      share: k < f.domains.length - 1 ? round6(d.share) : round6(1 - f.domains.slice(0, -1).reduce((a, x) => a + round6(x.share), 0)),
      baseCtr: round6(Math.min(0.9, Math.max(0.001, d.baseCtr.value))),
      candidates: Math.min(1000, d.items),
      slate: f.positionBias.length,
      catalogue: round6(d.items / itemsTotal),
      features: f.features.filter((x) => x.domains.includes(d.name)).map((x) => x.name),
    })),
    features: f.features.map((x) =>
      x.kind === 'numeric' ? { name: x.name, kind: x.kind, source: x.source } : { name: x.name, kind: x.kind, source: x.source, vocab: x.vocab, skew: x.skew },
    ),
    users: { count: Math.max(10, Math.min(10_000_000, requests)), activitySkew: 0, coldStartShare: 0, idiosyncratic: 0, drift: 0 },
    truth: {
      main: 0,
      interaction: 0,
      fitted: {
        domains: Object.fromEntries(
          f.domains.map((d) => {
            const top = Math.max(...d.clickModel.positions);
            return [
              d.name,
              {
                items: d.clickModel.items.map((x) => +x.toFixed(6)),
                positions: d.clickModel.positions.map((x) => +(x - top).toFixed(6)),
                itemIds: d.clickModel.itemIds,
              },
            ];
          }),
        ),
      },
    },
    items: { count: Math.max(10, itemsTotal), popularitySkew: 0, overlap: 0 },
    traffic: { requests: Math.max(100, requests), replayRequests, loggingPolicy: 'random' },
    strategies: ['separate', 'shared-bottom'],
    abtest: {
      arms: [...policies.map((p) => p.name), 'separate', 'shared-bottom'],
      control: policies.length ? scenarioName(f.control) : 'separate',
      ...(policies.length ? { policies: Object.fromEntries(policies.map((p) => [p.name, p.policy])) } : {}),
      positionBias: f.positionBias.map(round6),
    },
  };
  return parseScenario(raw, name);
}

/** Gini of a distribution over items (0: every item alike) and the share of the top 10% of items. */
export function concentration(values: readonly number[]): { gini: number; top10: number } {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  const sum = v.reduce((s, x) => s + x, 0);
  if (!n || sum <= 0) return { gini: Number.NaN, top10: Number.NaN };
  let g = 0;
  v.forEach((x, i) => (g += (2 * (i + 1) - n - 1) * x));
  const k = Math.max(1, Math.round(0.1 * n));
  return { gini: g / (n * sum), top10: v.slice(n - k).reduce((s, x) => s + x, 0) / sum };
}

/** A diagnostic as the report draws it, and the interval it is judged by: the held-out log's, or the simulated samples'. */
export interface Diagnostic extends FitDiagnosticRow {
  interval: 'held-out log' | 'simulated samples';
}

/**
 * A statistic of sparse counts (46 clicks over 34 items) is mostly their noise, so the real value is
 * compared with the same statistic of 200 samples of the held-out size drawn from the fitted world
 * (each display an item by the simulated exposure, a click by that item's expected CTR): the 2.5% to
 * 97.5% range of those (their median is the world's value), a predictive check.
 */
function predictive(
  exposure: Float64Array,
  ctr: Float64Array,
  n: number,
  stat: (shown: Float64Array, clicks: Float64Array) => number,
  seed: number,
): [number, number, number] {
  const rng = stream(seed, 'fit-predictive');
  const items = new Discrete(exposure);
  const out: number[] = [];
  for (let b = 0; b < 200; b++) {
    const shown = new Float64Array(exposure.length);
    const clicks = new Float64Array(exposure.length);
    for (let i = 0; i < n; i++) {
      const j = items.sample(rng);
      shown[j]++;
      if (rng.next() < ctr[j]) clicks[j]++;
    }
    out.push(stat(shown, clicks));
  }
  out.sort((x, y) => x - y);
  return [out[4], out[99], out[195]];
}

export interface FitOutcome {
  fitted: Fitted;
  scenario: Scenario;
  diagnostics: Diagnostic[];
  holdoutRows: number;
  /** The real A/B test beside the same test in the fitted world (empty for a log of one arm). */
  ab: AbComparison[];
}

/** The real test beside the same test in the fitted world, per domain and treatment arm. */
export interface AbComparison {
  domain: string;
  arm: string;
  real: { lift: number; ciLow: number; ciHigh: number; decision: string };
  simulated: { lift: number; ciLow: number; ciHigh: number; decision: string };
  /** The treatment's true lift in the fitted world (its policies' true CTRs there). */
  trueLift: number;
  /** Over the simulated test's replicates: the lift's 2.5%, 50%, 97.5% points, each decision's share, and the share of replicates whose lift is below the real one. */
  replicates: number;
  liftRange: [number, number, number];
  decisionShares: Record<string, number>;
  realLiftRank: number;
}

/** Each arm of the log as a policy: its probabilities per domain (from --policy, else its own log's frequencies) and its displays. */
async function armPolicies(
  db: Db,
  dataset: string,
  f: Fitted,
  policies: { name: string; spec: PolicySpec }[],
): Promise<(SimulatedArm & { spec: PolicySpec })[]> {
  const K = f.positionBias.length;
  const arms: (SimulatedArm & { spec: PolicySpec })[] = [];
  const control = (await loadDataset(db, dataset)).control;
  for (const arm of (await logArms(db, dataset)).sort((a, b) => (a === control ? -1 : b === control ? 1 : 0))) {
    const spec = policies.find((p) => p.spec.arm === arm) ?? {
      name: `${arm} (own log's frequencies)`,
      spec: { kind: 'empirical', arm, estimate: 'frequency' } as PolicySpec,
    };
    const perDomain: SlotPolicy[] = [];
    const displays: number[] = [];
    for (const d of f.domains) {
      const own = await loggedDisplays(db, dataset, d.source, arm);
      const n = d.clickModel.itemIds.length;
      // A logger whose every propensity is 1/n is the uniform policy itself, not its sample's frequencies.
      const uniform = !policies.some((p) => p.spec.arm === arm) && own.propensity.every((x) => Math.abs(x - 1 / n) < 1e-9);
      const p = uniform
        ? { items: n, positions: K, p: new Float64Array(n * K).fill(1 / n) }
        : await targetPolicy(spec.spec, spec.name, d.source, d.clickModel.itemIds, K, async () => own);
      if (!p) throw new UserError(`fit: ${spec.name} gives no probabilities for domain '${d.source}'`);
      perDomain.push(p);
      displays.push(own.item.length);
    }
    arms.push({ name: arm, policies: perDomain, displays, spec: spec.spec });
  }
  return arms;
}

/** An arm's policy as a fitted scenario's abtest.policies entry: uniform if it is, BTS by its prior when given one, else its table. */
function policyArmOf(a: SimulatedArm & { spec: PolicySpec }, f: Fitted): PolicyArm {
  if (a.policies.every((p) => p.p.every((x) => Math.abs(x - 1 / p.items) < 1e-9))) return { kind: 'uniform' };
  const spec = a.spec;
  if (spec.kind === 'thompson-prior')
    return {
      kind: 'thompson-prior',
      domains: Object.fromEntries(
        f.domains.map((d) => {
          const t = spec.domains[d.source];
          const names = t.items ?? t.alpha.map((_, k) => String(k));
          const at = d.clickModel.itemIds.map((id) => names.indexOf(id));
          return [d.name, { alpha: at.map((k) => t.alpha[k]), beta: at.map((k) => t.beta[k]) }];
        }),
      ),
    };
  return {
    kind: 'table',
    domains: Object.fromEntries(
      f.domains.map((d, k) => {
        const p = a.policies[k];
        return [
          d.name,
          { probabilities: Array.from({ length: p.items }, (_, j) => Array.from({ length: p.positions }, (_, q) => round6(p.p[j * p.positions + q]))) },
        ];
      }),
    ),
  };
}

/** Replay the log's A/B test in the fitted world, with the log's own policies as arms and its traffic per arm and domain. */
async function abComparison(db: Db, dataset: string, f: Fitted, w: World, arms: SimulatedArm[], seed: number): Promise<AbComparison[]> {
  const real = await readOpenLog(db, { dataset, policies: [] });
  const truth: DomainTruth[] = f.domains.map((d, k) => ({
    name: d.source,
    bias: w.truth.bias[k],
    items: Float64Array.from(w.items.catalogues[k], (i) => w.truth.itemLogit![k][i]),
    positions: Float64Array.from(w.truth.positionLogit![k]),
  }));
  const control = arms.findIndex((a) => a.name === real.ab.control);
  const sim = simulateTest(truth, arms, control, real.rules, seed);
  const out: AbComparison[] = [];
  for (const d of f.domains)
    for (const a of arms) {
      if (a.name === real.ab.control) continue;
      const at = (ab: typeof real.ab) => ab.lifts.find((l) => l.arm === a.name && l.domain === d.source && l.metric === 'ctr' && l.segment === 'all')!;
      const decisionOf = (ds: typeof real.decisions) => {
        const x = ds.find((y) => y.domain === d.source)!;
        return x.decision + (x.arm ? `: ${x.arm}` : '');
      };
      const rl = at(real.ab);
      const sl = at(sim.ab);
      const ctr = (arm: string) => sim.trueCtr.find((x) => x.arm === arm && x.domain === d.source)!.ctr;
      const spread = sim.spread.find((x) => x.arm === a.name && x.domain === d.source)!;
      out.push({
        domain: d.source,
        arm: a.name,
        real: { lift: rl.lift, ciLow: rl.ciLow, ciHigh: rl.ciHigh, decision: decisionOf(real.decisions) },
        simulated: { lift: sl.lift, ciLow: sl.ciLow, ciHigh: sl.ciHigh, decision: decisionOf(sim.decisions) },
        trueLift: ctr(a.name) / ctr(real.ab.control) - 1,
        replicates: spread.replicates,
        liftRange: spread.lift,
        decisionShares: spread.decisions,
        realLiftRank: spread.lifts.filter((x) => x < rl.lift).length / Math.max(1, spread.lifts.length),
      });
    }
  return out;
}

export async function fitDataset(r: {
  db: string;
  dataset: string;
  name?: string;
  fitShare: number;
  seed: number;
  policies?: { name: string; spec: PolicySpec }[];
}): Promise<FitOutcome> {
  const db = await openDb(r.db, { readOnly: true });
  try {
    const fitted = await fitFrom(db, r.dataset, r.fitShare);
    const all = await logCounts(db, r.dataset, 'all', { arm: null, from: 0, to: fitted.cut });
    const K = fitted.positionBias.length;
    const requests = Math.round(all.reduce((s, x) => s + x.rows, 0) / K);
    const held: LogWindow = { arm: fitted.control, from: fitted.cut, to: fitted.span + 1 };
    const heldAll = await logCounts(db, r.dataset, 'all', held);
    const holdoutRows = heldAll.reduce((s, x) => s + x.rows, 0);
    const arms = await armPolicies(db, r.dataset, fitted, r.policies ?? []);
    const policyArms = arms.map((a) => ({ name: scenarioName(a.name), policy: policyArmOf(a, fitted) }));
    const scenario = scenarioOf(fitted, scenarioName(r.name ?? `${r.dataset}-fit`), r.seed, requests, Math.max(100, Math.round(holdoutRows / K)), policyArms);
    const world = generateWorld(scenario, r.seed);
    const diagnostics = await diagnose(db, r.dataset, fitted, world, held, r.seed);
    const ab = arms.length > 1 ? await abComparison(db, r.dataset, fitted, world, arms, r.seed) : [];
    return { fitted, scenario, diagnostics, holdoutRows, ab };
  } finally {
    db.close();
  }
}

async function diagnose(db: Db, dataset: string, f: Fitted, w: World, held: LogWindow, seed: number): Promise<Diagnostic[]> {
  const s = w.scenario;
  const l = w.logged;
  const D = s.domains.length;
  const K = f.positionBias.length;
  const sim = { n: new Float64Array(D), c: new Float64Array(D), nk: new Float64Array(D * K), ck: new Float64Array(D * K) };
  const simItems = s.domains.map(() => new Map<number, [number, number]>());
  // The simulated side counts expected clicks (the true probabilities), so its own sampling noise
  // does not enter the comparison: only the held-out log's interval does.
  for (let i = 0; i < l.n; i++) {
    const d = l.domain[i];
    const k = l.position[i] - 1;
    sim.n[d]++;
    sim.c[d] += l.pClick[i];
    sim.nk[d * K + k]++;
    sim.ck[d * K + k] += l.pClick[i];
    const e = simItems[d].get(l.item[i]) ?? [0, 0];
    e[0]++;
    e[1] += l.pClick[i];
    simItems[d].set(l.item[i], e);
  }
  const realAll = await logCounts(db, dataset, 'all', held);
  const realPos = await logCounts(db, dataset, 'position', held);
  const realItems = await logCounts(db, dataset, 'item', held);
  const out: Diagnostic[] = [];
  const push = (measure: string, domain: string, real: Interval, simulated: number) =>
    out.push({
      measure,
      domain,
      real: real.value,
      simulated,
      low: real.low,
      high: real.high,
      interval: 'held-out log',
      inside: real.low <= simulated && simulated <= real.high,
    });
  const check = (measure: string, domain: string, real: number, range: [number, number, number]) =>
    out.push({
      measure,
      domain,
      real,
      simulated: range[1],
      low: range[0],
      high: range[2],
      interval: 'simulated samples',
      inside: range[0] <= real && real <= range[2],
    });
  for (let d = 0; d < D; d++) {
    const src = f.domains[d].source;
    const ra = realAll.find((x) => x.domain === src);
    push('CTR', src, rateOf(ra?.clicks ?? 0, ra?.rows ?? 0), sim.c[d] / sim.n[d]);
    for (let k = 0; k < K; k++) {
      const rp = realPos.find((x) => x.domain === src && x.key === String(k + 1));
      push(`CTR at position ${k + 1}`, src, rateOf(rp?.clicks ?? 0, rp?.rows ?? 0), sim.ck[d * K + k] / sim.nk[d * K + k]);
    }
    // The fitted click model on held-out rows: observed CTR against its mean prediction, by thirds of the prediction.
    const cm = f.domains[d].clickModel;
    const model: ClickModel = { bias: cm.bias, items: Float64Array.from(cm.items), positions: Float64Array.from(cm.positions) };
    const heldLog = await loggedDisplays(db, dataset, src, held.arm!, { from: held.from, to: held.to });
    const at = new Map(cm.itemIds.map((x, j) => [x, j]));
    const pred = Array.from(heldLog.item, (a, i) => predict(model, at.get(heldLog.items[a]) ?? -1, heldLog.position[i]));
    const order = pred.map((_, i) => i).sort((x, y) => pred[x] - pred[y]);
    for (let t = 0; t < 3; t++) {
      const part = order.slice(Math.floor((t * order.length) / 3), Math.floor(((t + 1) * order.length) / 3));
      const clicks = part.reduce((a, i) => a + heldLog.click[i], 0);
      push(
        `calibration: ${['lowest', 'middle', 'highest'][t]} third of predictions`,
        src,
        rateOf(clicks, part.length),
        part.reduce((a, i) => a + pred[i], 0) / part.length,
      );
    }
    const ll = (p: number, y: number) => -(y ? Math.log(p) : Math.log(1 - p));
    const constant = f.domains[d].baseCtr.value;
    f.heldOutLogLoss.push({
      domain: src,
      model: pred.reduce((a, p, i) => a + ll(p, heldLog.click[i]), 0) / pred.length,
      constant: pred.reduce((a, _, i) => a + ll(constant, heldLog.click[i]), 0) / pred.length,
    });
    // Concentration over the domain's catalogue: displays and clicks per item (items never shown count as 0).
    const catalogue = f.domains[d].items;
    const realShown = realItems.filter((x) => x.domain === src);
    const pad = (xs: number[]) => [...xs, ...Array(Math.max(0, catalogue - xs.length)).fill(0)];
    const realDisplays = concentration(pad(realShown.map((x) => x.rows)));
    const realClicks = concentration(pad(realShown.map((x) => x.clicks)));
    const simShownItems = [...simItems[d].values()];
    const exposure = Float64Array.from(pad(simShownItems.map((x) => x[0])));
    const ctr = Float64Array.from(pad(simShownItems.map((x) => x[1] / x[0])));
    const n = realShown.reduce((a, x) => a + x.rows, 0);
    const range = (stat: (shown: Float64Array, clicks: Float64Array) => number, salt: number) => predictive(exposure, ctr, n, stat, seed * 31 + salt);
    check(
      'Gini of displays over items',
      src,
      realDisplays.gini,
      range((a) => concentration(Array.from(a)).gini, 1),
    );
    check(
      'Gini of clicks over items',
      src,
      realClicks.gini,
      range((_, c) => concentration(Array.from(c)).gini, 2),
    );
    check(
      "top 10% of items' share of clicks",
      src,
      realClicks.top10,
      range((_, c) => concentration(Array.from(c)).top10, 3),
    );
  }
  return out;
}

/** The fit as its report page shows it. */
export function fitPage(r: FitOutcome): FitPage {
  const f = r.fitted;
  return {
    title: `crossab fit: ${r.scenario.name} from dataset ${f.dataset}`,
    dataset: f.dataset,
    holdoutRows: r.holdoutRows,
    domains: f.domains.map((d) => {
      const top = Math.max(...d.clickModel.positions);
      return {
        name: d.source,
        share: d.share,
        items: d.items,
        baseCtr: d.baseCtr.value,
        baseLow: d.baseCtr.low,
        baseHigh: d.baseCtr.high,
        positions: d.clickModel.positions.map((x) => Math.exp(x - top)),
      };
    }),
    diagnostics: r.diagnostics,
    ab: r.ab.map((a) => ({
      domain: a.domain,
      arm: a.arm,
      real: `${pctOf(a.real.lift)} [${pctOf(a.real.ciLow)}, ${pctOf(a.real.ciHigh)}]`,
      realDecision: a.real.decision,
      trueLift: a.trueLift,
      range: a.liftRange,
      rank: a.realLiftRank,
      decisions: Object.entries(a.decisionShares)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
        .join(', '),
    })),
    logLoss: f.heldOutLogLoss,
    assumptions: f.assumptions,
  };
}

const pctOf = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : '–');

// The fit's first stage: the log's moments, from its first part by time, onto the knobs a scenario
// already has — domain shares, catalogues, base CTRs, a click model on item and position per domain
// (and the one position curve the replay uses), feature vocabularies and their Zipf skews — and what
// the log cannot say, written down as assumptions.
import { wilson } from '../../ope/summary.js';
import type { Db } from '../../store/db.js';
import {
  featureCounts,
  itemFeatureCounts,
  loadDataset,
  logCounts,
  loggedDisplays,
  logSpan,
  type CountRow,
  type FeatureValueRow,
  type LogWindow,
} from '../../store/logs.js';
import { fitClickModel, type ClickModel } from '../click-model.js';
import { UserError } from '../../util/errors.js';

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

/** A click rate with its Wilson interval. */
export const rateOf = (clicks: number, n: number): Interval => {
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

/** The scenario's moments from the log's first `fitShare` (by time). */
export async function fitMoments(db: Db, dataset: string, fitShare: number): Promise<Fitted> {
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
    features,
    assumptions: [
      'no user id in the log: every request is its own user (users.count = requests, no activity skew, no cold start)',
      "the click function is the fitted item × position model alone: the features are generated with their fitted frequencies but move no click (the log's features were not in the model)",
      "position effects act in the logs as each domain's fitted logits, and in the A/B replay as one curve, exp(δ) pooled over domains (abtest.positionBias)",
      'context features (per-request columns) are not modelled',
    ],
  };
}

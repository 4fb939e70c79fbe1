// The logged traffic: the logging policy's slates over each request's candidates, each impression's
// features where its domain exposes them, the domain biases calibrated to the scenario's base rates,
// and click and conversion labels drawn from the truth.
import type { Scenario } from '../scenario/schema.js';
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import { stream, type Rng } from './rng.js';
import type { Requests, timeline } from './traffic.js';
import { logSlate, loggingPolicy } from './logging.js';
import { contextTerms, logitsWithContext, type RawTruth, type Truth } from './truth.js';
import { calibrateBiasScaled } from './calibrate.js';
import type { Impressions } from './impressions.js';

/** Books the time since the last lap to a named stage of generation. */
type Lap = (stage: string) => void;

/** The logged traffic's impressions, and the domain biases calibrated on them (the truth's b_d). */
export function logImpressions(
  s: Scenario,
  layout: Layout,
  truth: RawTruth,
  users: Users,
  items: Items,
  req: Requests,
  tl: ReturnType<typeof timeline>,
  seed: number,
  lap: Lap,
): { imp: Impressions; row: Int32Array; experience: Int32Array; bias: Pick<Truth, 'bias' | 'convBias'> } {
  const D = s.domains.length;
  // Rows per domain, so that each domain's raw logits can be written in row order as they are made.
  const perDomain = new Int32Array(D);
  for (let r = 0; r < req.n; r++) perDomain[req.domain[r]] += s.domains[req.domain[r]].slate;
  const n = perDomain.reduce((a, b) => a + b, 0);
  const imp: Impressions = {
    n,
    request: new Int32Array(n),
    time: new Int32Array(n),
    period: new Uint8Array(n),
    user: new Int32Array(n),
    domain: new Uint8Array(n),
    item: new Int32Array(n),
    position: new Uint8Array(n),
    cat: [],
    num: [],
    click: new Uint8Array(n),
    conv: new Uint8Array(n),
    pClick: new Float32Array(n),
    pConv: new Float32Array(n),
    experience: new Int32Array(n),
  };
  const row = new Int32Array(req.n + 1);
  const experience = new Int32Array(req.n);
  const rawClick = Array.from(perDomain, (c) => new Float64Array(c));
  const rawConv = Array.from(perDomain, (c) => new Float64Array(c));
  showSlates(s, truth, users, items, req, tl, stream(seed, 'traffic:policy'), imp, rawClick, rawConv, row, experience);
  lap('slates and logits');
  fillFeatures(layout, users, items, imp, req);
  lap('features');
  // Calibrate each domain's biases so its mean CTR (and CVR among clicks) is the configured base,
  // working on exp(−raw) (computed in place, once) so no pass needs an exp per row.
  const clickScale = new Float64Array(D);
  const convScale = new Float64Array(D);
  const bias = new Float64Array(D);
  const convBias = new Float64Array(D);
  s.domains.forEach((dom, d) => {
    const ec = rawClick[d];
    const ev = rawConv[d];
    for (let j = 0; j < ec.length; j++) {
      ec[j] = Math.exp(-ec[j]);
      ev[j] = Math.exp(-ev[j]);
    }
    bias[d] = calibrateBiasScaled(ec, dom.baseCtr);
    clickScale[d] = Math.exp(-bias[d]);
    const pc = new Float64Array(ec.length);
    for (let j = 0; j < ec.length; j++) pc[j] = 1 / (1 + clickScale[d] * ec[j]);
    convBias[d] = calibrateBiasScaled(ev, dom.baseCvr, pc);
    convScale[d] = Math.exp(-convBias[d]);
  });
  lap('calibration');
  drawLabels(imp, rawClick, rawConv, clickScale, convScale, stream(seed, 'labels'));
  lap('labels');
  return { imp, row, experience, bias: { bias, convBias } };
}

/**
 * The logging policy's slate for every logged request, one row per shown item, and each row's raw
 * logits written in row order to its domain's arrays. Its own function so V8 optimises the loop.
 */
function showSlates(
  s: Scenario,
  truth: RawTruth,
  users: Users,
  items: Items,
  req: Requests,
  tl: ReturnType<typeof timeline>,
  policyRng: Rng,
  imp: Impressions,
  rawClick: Float64Array[],
  rawConv: Float64Array[],
  rowOf: Int32Array,
  experienceOf: Int32Array,
): void {
  const slate = new Int32Array(Math.max(...s.domains.map((d) => d.slate)));
  const at = new Int32Array(s.domains.length);
  const logits = new Float64Array(2);
  const ctx = new Float64Array(2);
  const L = truth.dim;
  const seen = new Int32Array(users.count);
  const slateSize = Int32Array.from(s.domains, (dom) => dom.slate);
  const policy = loggingPolicy(s);
  let row = 0;
  for (let r = 0; r < req.n; r++) {
    const d = req.domain[r];
    const k = slateSize[d];
    const c0 = req.candStart[r];
    logSlate(policy, req.candItems, c0, req.candStart[r + 1] - c0, k, items.popularity, policyRng, slate);
    rowOf[r] = row;
    const t = req.time[r];
    const period = t < tl.trainEnd ? 0 : t < tl.validEnd ? 1 : 2;
    const u = req.user[r];
    const experience = seen[u];
    experienceOf[r] = experience;
    contextTerms(truth, d, req.ctxLatent, r * L, ctx, 0);
    const rc = rawClick[d];
    const rv = rawConv[d];
    for (let j = 0; j < k; j++, row++) {
      const i = req.candItems[c0 + slate[j]];
      imp.request[row] = r;
      imp.time[row] = t;
      imp.period[row] = period;
      imp.user[row] = u;
      imp.domain[row] = d;
      imp.item[row] = i;
      imp.position[row] = j + 1;
      imp.experience[row] = experience;
      logitsWithContext(truth, d, u, i, ctx[0], ctx[1], experience, logits, 0, t / tl.total);
      rc[at[d]] = truth.positionLogit ? logits[0] + truth.positionLogit[d][j] : logits[0];
      rv[at[d]++] = logits[1];
    }
    seen[u] += k;
  }
  rowOf[req.n] = row;
}

/** Click and conversion probabilities from the calibrated biases, and labels drawn from them. */
function drawLabels(imp: Impressions, expClick: Float64Array[], expConv: Float64Array[], clickScale: Float64Array, convScale: Float64Array, rng: Rng): void {
  const at = new Int32Array(clickScale.length);
  for (let j = 0; j < imp.n; j++) {
    const d = imp.domain[j];
    const pc = 1 / (1 + clickScale[d] * expClick[d][at[d]]);
    const pv = 1 / (1 + convScale[d] * expConv[d][at[d]++]);
    imp.pClick[j] = pc;
    imp.pConv[j] = pv;
    const clicked = rng.next() < pc;
    const converted = rng.next() < pv;
    imp.click[j] = clicked ? 1 : 0;
    imp.conv[j] = clicked && converted ? 1 : 0;
  }
}

/** Copy each impression's feature values (user, item, context) where its domain exposes them. */
function fillFeatures(layout: Layout, users: Users, items: Items, imp: Impressions, req: Requests): void {
  const cols = featureColumns(layout, users, items, req, imp.n, imp.domain, imp.user, imp.item, imp.request);
  imp.cat = cols.cat;
  imp.num = cols.num;
}

/**
 * Feature columns for rows given by (domain, user, item, request): categorical values 1..vocab (0 where
 * the domain does not log the feature) and numeric values (NaN where not logged). Shared by the
 * logged impressions and the replay's candidates.
 */
export function featureColumns(
  layout: Layout,
  users: Users,
  items: Items,
  req: Requests,
  n: number,
  domain: Uint8Array,
  user: Int32Array,
  item: Int32Array,
  request: Int32Array,
): { cat: Int32Array[]; num: Float32Array[] } {
  // Per feature: which domains log it, and where its value comes from (the row's user, item or request).
  const exposed = (flags: boolean[][], j: number) => Int32Array.from(layout.domains, (_, d) => (flags[d][j] ? -1 : 0));
  const cat = layout.categorical.map((f, j) => {
    const mask = exposed(layout.exposesCat, j);
    if (f.name === 'item_id')
      return gatherCat(
        Int32Array.from({ length: items.count }, (_, i) => i + 1),
        item,
        domain,
        mask,
        n,
      );
    const [values, key] = f.source === 'user' ? [users.cat[j]!, user] : f.source === 'item' ? [items.cat[j]!, item] : [req.ctxCat[j]!, request];
    return gatherCat(values, key, domain, mask, n);
  });
  const num = layout.numeric.map((f, j) => {
    const on = exposed(layout.exposesNum, j);
    const [values, key] = f.source === 'user' ? [users.num[j]!, user] : f.source === 'item' ? [items.num[j]!, item] : [req.ctxNum[j]!, request];
    return gatherNum(values, key, domain, on, n);
  });
  return { cat, num };
}

/** out[r] = values[key[r]] where mask[domain[r]] is −1 (all bits), 0 where it is 0: without a branch. */
function gatherCat(values: Int32Array, key: Int32Array, domain: Uint8Array, mask: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[r] = values[key[r]] & mask[domain[r]];
  return out;
}

/** out[r] = values[key[r]] where on[domain[r]] is non-zero, NaN elsewhere. */
function gatherNum(values: Float32Array, key: Int32Array, domain: Uint8Array, on: Int32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) out[r] = on[domain[r]] ? values[key[r]] : NaN;
  return out;
}

// The fit's account of itself: the fitted world's traffic against the held-out rest of the log. A
// rate is judged by the held-out log's interval; a statistic of sparse counts by a predictive check
// (the same statistic of samples of the held-out size drawn from the fitted world).
import type { FitDiagnosticRow } from '../../report/fit-chart.js';
import type { Db } from '../../store/db.js';
import { logCounts, loggedDisplays, type LogWindow } from '../../store/logs.js';
import { Discrete, stream } from '../../world/rng.js';
import type { World } from '../../world/world.js';
import { predict, type ClickModel } from '../click-model.js';
import { rateOf, type Fitted, type Interval } from './moments.js';

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
 * compared with the same statistic of PREDICTIVE_SAMPLES samples of the held-out size drawn from the fitted world
 * (each display an item by the simulated exposure, a click by that item's expected CTR): the 2.5% to
 * 97.5% range of those (their median is the world's value), a predictive check.
 */
/** Samples of the held-out size a predictive check draws, and the 95% range it reads off them. */
const PREDICTIVE_SAMPLES = 200;
const TAIL = Math.round(0.025 * PREDICTIVE_SAMPLES);

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
  for (let b = 0; b < PREDICTIVE_SAMPLES; b++) {
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
  // The TAIL-th value from each end and the lower median.
  return [out[TAIL - 1], out[PREDICTIVE_SAMPLES / 2 - 1], out[PREDICTIVE_SAMPLES - TAIL]];
}

/** Held-out log loss in a domain: the fitted click model's and the fitting part's constant CTR's. */
export interface HeldOutLogLoss {
  domain: string;
  model: number;
  constant: number;
}

/**
 * The fitted world against the held-out log: per domain its CTR, CTR by position, the click model's
 * calibration and log loss on held-out rows, and how concentrated displays and clicks are over items.
 */
export async function diagnose(
  db: Db,
  dataset: string,
  f: Fitted,
  w: World,
  held: LogWindow,
  seed: number,
): Promise<{ diagnostics: Diagnostic[]; heldOutLogLoss: HeldOutLogLoss[] }> {
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
  const heldOutLogLoss: HeldOutLogLoss[] = [];
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
    heldOutLogLoss.push({
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
  return { diagnostics: out, heldOutLogLoss };
}

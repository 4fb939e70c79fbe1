// A check of the truth against its configuration, for tests and analysis: the domains' click
// functions on shared inputs should correlate as truth.correlation says.
import type { Layout } from './layout.js';
import type { Items, Users } from './population.js';
import { stream } from './rng.js';
import type { Truth } from './truth.js';
import { entityLatents } from './latents.js';

/**
 * Domain functions on shared inputs, for checking the configured correlation: for `samples` random
 * (user, item) pairs with every feature exposed, the pairwise Pearson correlation of
 * main·(s + sines) + interaction between domains (biases and personal taste excluded).
 */
export function domainCorrelation(t: Truth, layout: Layout, users: Users, items: Items, seed: number, samples = 4000): number[][] {
  const D = layout.domains.length;
  const L = t.dim;
  const allCat = layout.categorical.map(() => true);
  const allNum = layout.numeric.map(() => true);
  const uz = entityLatents(layout, t, users, { source: 'user', exposedCat: allCat, exposedNum: allNum, itemIds: false });
  const iz = entityLatents(layout, t, items, { source: 'item', exposedCat: allCat, exposedNum: allNum, itemIds: true });
  const rng = stream(seed, 'truth:correlation-check');
  const vals = Array.from({ length: D }, () => new Float64Array(samples));
  for (let k = 0; k < samples; k++) {
    const uo = rng.int(users.count) * L;
    const io = rng.int(items.count) * L;
    for (let d = 0; d < D; d++) {
      let sv = 0;
      for (let a = 0; a < L; a++) sv += t.clickDir[d][a] * (uz[uo + a] + iz[io + a]);
      let nl = 0;
      for (let j = 0; j < t.sineFreq.length; j++) nl += Math.sin(t.sineFreq[j] * sv + t.sinePhase[j]);
      if (t.sineFreq.length) nl /= Math.sqrt(t.sineFreq.length);
      let inter = 0;
      const Md = t.interaction[d];
      for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) inter += uz[uo + a] * Md[a * L + b] * iz[io + b];
      vals[d][k] = t.main * (sv + nl) + t.interactionScale[d] * inter;
    }
  }
  const corr = (a: Float64Array, b: Float64Array) => {
    let ma = 0,
      mb = 0;
    for (let i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  return vals.map((a) => vals.map((b) => corr(a, b)));
}

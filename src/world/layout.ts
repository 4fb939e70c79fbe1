// The world's feature layout: which features exist, their kinds and sizes, and which domain exposes
// which. Models and the store read this instead of the raw scenario.
import type { Scenario } from '../scenario/schema.js';

export type Source = 'user' | 'item' | 'context';

export interface CategoricalFeature {
  name: string;
  source: Source;
  /** Distinct values; stored values are 1..vocab, 0 means "not exposed in this domain". */
  vocab: number;
  skew: number;
  weight: number;
  domainShift: number;
}

export interface NumericFeature {
  name: string;
  source: Source;
  weight: number;
  domainShift: number;
}

export interface Layout {
  domains: string[];
  categorical: CategoricalFeature[];
  numeric: NumericFeature[];
  /** exposesCat[d][f]: domain d logs categorical feature f. */
  exposesCat: boolean[][];
  exposesNum: boolean[][];
}

export function buildLayout(s: Scenario): Layout {
  const categorical: CategoricalFeature[] = [];
  const numeric: NumericFeature[] = [];
  if (s.items.idFeature) {
    categorical.push({ name: 'item_id', source: 'item', vocab: s.items.count, skew: s.items.popularitySkew, weight: 1, domainShift: 0 });
  }
  for (const f of s.features) {
    if (f.kind === 'categorical') {
      categorical.push({ name: f.name, source: f.source, vocab: f.vocab!, skew: f.skew, weight: f.weight, domainShift: f.domainShift });
    } else {
      numeric.push({ name: f.name, source: f.source, weight: f.weight, domainShift: f.domainShift });
    }
  }
  const exposesCat = s.domains.map((d) => categorical.map((f) => (f.name === 'item_id' && s.items.idFeature) || d.features.includes(f.name)));
  const exposesNum = s.domains.map((d) => numeric.map((f) => d.features.includes(f.name)));
  return { domains: s.domains.map((d) => d.name), categorical, numeric, exposesCat, exposesNum };
}

/** Features exposed in every domain, in some, or in exactly one: the "mismatch" of a scenario. */
export function featureCoverage(layout: Layout): { name: string; kind: 'categorical' | 'numeric'; domains: string[] }[] {
  const rows: { name: string; kind: 'categorical' | 'numeric'; domains: string[] }[] = [];
  layout.categorical.forEach((f, j) => rows.push({ name: f.name, kind: 'categorical', domains: layout.domains.filter((_, d) => layout.exposesCat[d][j]) }));
  layout.numeric.forEach((f, j) => rows.push({ name: f.name, kind: 'numeric', domains: layout.domains.filter((_, d) => layout.exposesNum[d][j]) }));
  return rows;
}

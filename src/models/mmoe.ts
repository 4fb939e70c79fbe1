// `mmoe`: Multi-gate Mixture-of-Experts (Ma et al., KDD 2018, eq. 5–7) with domains as the tasks:
//   f^d(x) = Σ_i g^d(x)_i f_i(x),  g^d(x) = softmax(W_gd x),  y_d = h^d(f^d(x)).
// `omoe` (the paper's one-gate baseline, eq. 4) shares a single gate across domains.
import { Gate, MLP, applyExperts, mixExperts } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export function mixtureOfExperts(name: string, oneGate: boolean): StrategyInfo {
  return {
    name,
    settings: ['experts'],
    cost: 2,
    summary: oneGate ? 'one-gate mixture of experts (OMoE)' : 'multi-gate mixture of experts, one softmax gate per domain',
    create(ctx): Model {
      const { data, config, params, prior } = ctx;
      const emb = featureEmbedding(ctx);
      const experts = Array.from({ length: config.experts }, (_, k) => new MLP(params, `expert${k}`, emb.outDim, config.hidden));
      const gates = Array.from({ length: oneGate ? 1 : data.domains }, (_, d) => new Gate(params, `gate${d}`, emb.outDim, config.experts));
      const towers = domainTowers(ctx, 'tower', experts[0].outDim, prior.click);
      return {
        conversion: false,
        forward(b) {
          const x = emb.apply(b);
          const mixed = mixExperts(gates[oneGate ? 0 : b.domain].apply(x), applyExperts(experts, x));
          return { click: towers[b.domain].apply(mixed) };
        },
      };
    },
  };
}

// `ple`: Progressive Layered Extraction (Tang et al., RecSys 2020, §4.2–4.3, eq. 2–6) with domains as
// the tasks. Each extraction level (a CGC) has shared experts and experts specific to each domain;
// domain d's gate mixes its own and the shared experts,
//   g^{d,l}(x) = w^{d,l}(x) S^{d,l}(x),  w^{d,l} = softmax(W_g^{d,l} x^{d,l-1}),
// and below the top level a shared gate mixes every expert into the shared path's next input.
// Towers sit on the top level's per-domain output. With `conversion`, ESMM CVR towers as in
// shared-bottom.
import type * as tf from '@tensorflow/tfjs-core';
import { Gate, MLP, applyExperts, levelExperts, mixExperts } from './blocks.js';
import { featureEmbedding, domainTowers } from './parts.js';
import type { Model, StrategyInfo } from './model.js';

export function progressiveLayeredExtraction(name: string, conversion: boolean): StrategyInfo {
  return {
    name,
    settings: ['experts', 'levels', 'specificExperts'],
    cost: 8,
    summary: conversion ? 'PLE with ESMM conversion towers' : 'progressive layered extraction: shared + domain-specific experts over CGC levels',
    create(ctx): Model {
      const { data, config, params, prior } = ctx;
      const D = data.domains;
      const emb = featureEmbedding(ctx);
      const L = config.levels;
      const S = config.specificExperts;
      const E = config.experts;
      const levels = Array.from({ length: L }, (_, l) => {
        const inDim = l === 0 ? emb.outDim : config.hidden[config.hidden.length - 1];
        const p = params.scope(`level${l}`);
        const top = l === L - 1;
        return {
          shared: Array.from({ length: E }, (_, k) => new MLP(p, `shared${k}`, inDim, config.hidden)),
          specific: Array.from({ length: D }, (_, d) => Array.from({ length: S }, (_, k) => new MLP(p, `d${d}e${k}`, inDim, config.hidden))),
          gates: Array.from({ length: D }, (_, d) => new Gate(p, `gate${d}`, inDim, S + E)),
          sharedGate: top ? null : new Gate(p, 'gateShared', inDim, D * S + E),
        };
      });
      const hDim = config.hidden[config.hidden.length - 1];
      const towers = domainTowers(ctx, 'tower', hDim, prior.click);
      const cvr = conversion ? domainTowers(ctx, 'cvr', hDim, prior.cvr) : [];
      return {
        conversion,
        forward(b) {
          const d0 = b.domain;
          const x = emb.apply(b);
          // Per-domain inputs and the shared input of the current level.
          let inputs: tf.Tensor2D[] = Array.from({ length: D }, () => x);
          let sharedIn = x;
          for (let l = 0; l < L; l++) {
            const lv = levels[l];
            if (lv.sharedGate) {
              // Lower levels: every domain's path continues (the shared gate needs all experts).
              const { domain: specific, shared } = levelExperts(lv.specific, lv.shared, inputs, sharedIn, l === 0);
              // The level below the top feeds only the batch's domain (and the shared path) upward.
              const needed = (d: number) => l + 1 < L - 1 || d === d0;
              const next = lv.gates.map((g, d) => (needed(d) ? mixExperts(g.apply(inputs[d]), [...specific[d], ...shared]) : inputs[d]));
              sharedIn = mixExperts(lv.sharedGate.apply(sharedIn), [...specific.flat(), ...shared]);
              inputs = next;
            } else {
              // With one level, the domain's and the shared experts all read the features.
              const experts =
                l === 0
                  ? applyExperts([...lv.specific[d0], ...lv.shared], x)
                  : [...applyExperts(lv.specific[d0], inputs[d0]), ...applyExperts(lv.shared, sharedIn)];
              inputs[d0] = mixExperts(lv.gates[d0].apply(inputs[d0]), experts);
            }
          }
          return { click: towers[d0].apply(inputs[d0]), cvr: conversion ? cvr[d0].apply(inputs[d0]) : undefined };
        },
      };
    },
  };
}

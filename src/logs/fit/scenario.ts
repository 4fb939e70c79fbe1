// The fit's second stage: the fitted moments as a scenario file — its domains, features, click model
// as the truth, and the log's arms as policy arms of its A/B test.
import { parseScenario } from '../../scenario/load.js';
import type { PolicyArm, Scenario } from '../../scenario/schema.js';
import { UserError } from '../../util/errors.js';
import { scenarioName, type Fitted } from './moments.js';

/** Six digits: what a scenario file keeps of a fitted number. */
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

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
  // A world's catalogue has at least 10 items; padding it would give items no fitted logit.
  if (itemsTotal < 10) throw new UserError(`fit: the log shows ${itemsTotal} items over its domains; a world needs at least 10`);
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
    items: { count: itemsTotal, popularitySkew: 0, overlap: 0 },
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

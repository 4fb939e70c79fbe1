// The memory a scenario's world takes, estimated from the scenario alone before anything is drawn:
// a sum over the world's columns (bytes per logged impression, per request and candidate, per user,
// item and feature value), as world.ts, traffic.ts, truth.ts and population.ts allocate them, plus
// the model inputs built from it. Checked against peak RSS in test/world/footprint.test.ts.
import type { Scenario } from '../scenario/schema.js';
import { buildLayout } from './layout.js';
import { REPLAY_CHUNK, streamsReplay } from './world.js';

export interface WorldFootprint {
  loggedImpressions: number;
  replayCandidates: number;
  /** Whether the replay streams (traffic.streamReplay): then no copy holds it, only its chunk. */
  streamed: boolean;
  /** A streamed replay's slates as the main thread keeps them (0 when it is held: the candidates' cost is in the copies). */
  servedBytes: number;
  /** The world itself, and the model inputs built from it (dataset, history, replay candidates). */
  worldBytes: number;
  inputBytes: number;
  /** The world's bytes, and the inputs', by the scenario field that drives them. */
  byField: Record<string, number>;
  inputByField: Record<string, number>;
}

/** Traffic-weighted mean of a per-domain number; the largest when shares come from a Zipf law. */
function perRequest(s: Scenario, value: (d: Scenario['domains'][number]) => number): number {
  if (s.domainShares) return Math.max(...s.domains.map(value));
  return s.domains.reduce((a, d) => a + (d.share ?? 0) * value(d), 0);
}

export function worldFootprint(s: Scenario): WorldFootprint {
  const layout = buildLayout(s);
  const D = s.domains.length;
  const L = s.truth.latentDim;
  const fc = layout.categorical.length;
  const fn = layout.numeric.length;
  const ctx = [...layout.categorical, ...layout.numeric].filter((f) => f.source === 'context').length;
  const userFeatures = [...layout.categorical, ...layout.numeric].filter((f) => f.source === 'user').length;
  const R = s.traffic.requests;
  const RR = s.traffic.replayRequests;
  const U = s.users.count;
  const I = s.items.count;
  const vocab = layout.categorical.reduce((a, f) => a + f.vocab + 1, 0);
  const n = R * perRequest(s, (d) => d.slate);
  const cand = perRequest(s, (d) => d.candidates);
  const replayCandidates = RR * cand;
  const streamed = streamsReplay(s);
  // Per logged impression: 12 columns (33 bytes), 4 per feature, and the 16-byte raw logits of generation.
  const perImpression = 53 + 4 * (fc + fn);
  // Per request (logged and replay): time, user, domain, context features and latent, candidate pool.
  const perRequestBytes = 13 + 4 * ctx + 4 * L + 4 * cand;
  const byField: Record<string, number> = {
    // Logged requests keep their pools (off-policy evaluation ranks them), first row and experience.
    'traffic.requests': n * perImpression + R * (perRequestBytes + 8),
    'traffic.replayRequests': streamed ? 0 : RR * perRequestBytes,
    'users.count': U * (4 * L * (D + 3) + 8 * L + 16 * D + 8 * userFeatures + 160),
    'items.count': I * (4 * L * (D + 2) + 8 * D + 64),
    features: vocab * (4 * L + 8),
  };
  const worldBytes = Object.values(byField).reduce((a, b) => a + b, 0);
  // Dataset rows: feature indices and masks (8 per categorical field), numerics, labels, history;
  // the replay candidates are encoded the same way and scored by every arm.
  const perRow = 26 + 8 * fc + 4 * fn;
  const arms = s.abtest?.arms.length ?? 2;
  // The test period's candidates, encoded alike and scored by every strategy (off-policy evaluation's targets).
  const testCandidates = R * s.traffic.periods.test * cand;
  const strategies = s.strategies?.length ?? 8;
  const inputByField = {
    'traffic.requests': n * perRow + testCandidates * (perRow + 16 + 4 * strategies),
    // Streamed: one chunk's candidates at a time, encoded and scored.
    'traffic.replayRequests': streamed ? Math.min(RR, REPLAY_CHUNK) * cand * (perRow + 20) : replayCandidates * (perRow + 16 + 8 * arms),
  };
  // Streamed, per request: user, domain, time and slot start; per arm and slot: the shown item's two
  // probabilities and the worker's choice; per arm and request: expected clicks and conversions.
  const slots = perRequest(s, (d) => d.slate);
  const servedBytes = streamed ? RR * (13 + arms * (slots * 10 + 16)) : 0;
  const inputBytes = inputByField['traffic.requests'] + inputByField['traffic.replayRequests'];
  return { loggedImpressions: n, replayCandidates, streamed, servedBytes, worldBytes, inputBytes, byField, inputByField };
}

// Serving an A/B test inside the feedback loops (feedback.test): two participants share the replay
// period, each request served by its arm — its user's for the user-level designs, its (user, domain)'s
// when each domain randomises on its own, its user's cluster's for cluster randomisation, its
// domain-round's for switchback — in the same rounds, and the learners learn from the log the design gives them
// (abtest/interference.ts says what each design is and grades it). What comes back is each arm's
// clicks and impressions as ratio sums per unit, per domain and for all; it runs wherever the
// participants live (a trained arm's in the worker that holds its model).
import type { INTERFERENCE_DESIGNS } from '../scenario/metrics.js';
import { heldReplay, type World } from '../world/world.js';
import { userHash } from '../world/assign.js';
import { addUser, emptyRatio, type ClusteredRatio } from '../util/ratio-sums.js';
import { serveInRounds, type Served } from './serve-rounds.js';

/** What serves in rounds: the scores of a slice of the replay's candidates, and (a learner) what it learns from a log. */
export interface Participant {
  scoresFor(c0: number, c1: number, from: number, to: number): Float32Array;
  learn?(served: Served): void;
  /** Frees what it holds (a trained arm's copy of its weights) once its rounds are served. */
  dispose?(): void;
}

export type Design = (typeof INTERFERENCE_DESIGNS)[number];

export interface InterferenceTest {
  treatment: string;
  control: string;
  designs: Design[];
  /** Share of users (switchback: of each domain's rounds; cluster: of the clusters) in the treatment arm. */
  split: number;
  /** The cluster design: the categorical user feature whose values are the clusters. */
  clusterBy?: string;
  /** Switchback: rounds per period (one arm serves a domain for a whole period). */
  period: number;
  /** Switchback: rounds after a switch served but left out of the estimate (carry-over). */
  washout: number;
  rounds: number;
  every: number;
}

/** One served test: a design at one salt, each arm's ratio sums per domain (index 0: all domains). */
export interface TestOutcome {
  design: Design;
  salt: number;
  treatment: ClusteredRatio[];
  control: ClusteredRatio[];
}

/**
 * A switchback schedule: per domain and round, 1 when the treatment serves. The rounds are cut into
 * periods of `period` rounds; round(split · periods) of each domain's periods go to the treatment,
 * chosen by a hash of (salt, domain, period), so each domain switches on its own schedule.
 */
export function switchbackSchedule(salt: number, domains: number, rounds: number, period: number, split: number): Uint8Array {
  const out = new Uint8Array(domains * rounds);
  const periods = Math.ceil(rounds / period);
  const treated = Math.round(split * periods);
  const key = (d: number, k: number) => userHash(salt ^ 0x5bd1e995, d * periods + k);
  for (let d = 0; d < domains; d++) {
    const order = Array.from({ length: periods }, (_, k) => k).sort((a, b) => key(d, a) - key(d, b));
    for (const k of order.slice(0, treated)) out.fill(1, d * rounds + k * period, d * rounds + Math.min(rounds, (k + 1) * period));
  }
  return out;
}

/**
 * Cluster arms: of the values 1..clusters, round(split · clusters) go to the treatment, chosen by a
 * hash of (salt, value); an exact count, as a few clusters drawn one by one could all land in one arm.
 */
export function clusterArms(salt: number, clusters: number, split: number): Uint8Array {
  const out = new Uint8Array(clusters + 1);
  const key = (v: number) => userHash(salt ^ 0x165667b1, v);
  const order = Array.from({ length: clusters }, (_, k) => k + 1).sort((a, b) => key(a) - key(b));
  for (const v of order.slice(0, Math.round(split * clusters))) out[v] = 1;
  return out;
}

/** Whether a switchback round is washed out: one of the `washout` rounds before it served the other arm. */
export function washedOut(schedule: Uint8Array, d: number, t: number, rounds: number, washout: number): boolean {
  for (let j = 1; j <= washout && t - j >= 0; j++) if (schedule[d * rounds + t - j] !== schedule[d * rounds + t]) return true;
  return false;
}

/**
 * One assignment of one design: per domain and 'all', each arm's clicks and impressions by unit —
 * users for pooled and diverted, a user's cell of one domain for per-domain, clusters for cluster,
 * (domain, round) periods for switchback, whose washed-out rounds are served but not counted.
 */
export function serveTest(
  w: World,
  t: InterferenceTest,
  design: Design,
  salt: number,
  click: Float32Array,
  bias: (pos: number) => number,
  make: (name: string) => Participant,
): Omit<TestOutcome, 'design' | 'salt'> {
  const { rq } = heldReplay(w, 'feedback.test');
  const D = w.layout.domains.length;
  const R = t.rounds;
  const switchback = design === 'switchback';
  const perDomain = design === 'per-domain';
  const j = design === 'cluster' ? w.layout.categorical.findIndex((f) => f.name === t.clusterBy) : -1;
  const clusterOf = j >= 0 ? w.users.cat[j]! : null;
  const units = switchback ? R : clusterOf ? w.layout.categorical[j].vocab + 1 : w.users.count;
  const roundOf = new Int32Array(rq.n);
  for (let k = 0; k < R; k++) roundOf.fill(k, Math.floor((k * rq.n) / R), Math.floor(((k + 1) * rq.n) / R));
  const inTreatment = clusterOf ? clusterArms(salt, units - 1, t.split) : new Uint8Array(switchback ? 0 : perDomain ? units * D : units);
  // Each domain's split is a hash of its own, so a user's arms in two domains are independent.
  if (!clusterOf)
    for (let x = 0; x < inTreatment.length; x++) inTreatment[x] = (perDomain ? userHash(salt ^ 0x27d4eb2f, x) : userHash(salt, x)) < t.split ? 1 : 0;
  const schedule = switchback ? switchbackSchedule(salt, D, R, t.period, t.split) : new Uint8Array(0);
  const unitOf = (r: number) => (switchback ? roundOf[r] : clusterOf ? clusterOf[rq.user[r]] : rq.user[r]);
  const armOfCell = (unit: number, d: number) => (switchback ? schedule[d * R + unit] : perDomain ? inTreatment[unit * D + d] : inTreatment[unit]);
  const armOf = (r: number) => armOfCell(unitOf(r), rq.domain[r]);
  const arms = [make(t.control), make(t.treatment)];
  const clicks = new Float64Array(units * D);
  const impressions = new Float64Array(units * D);
  const scoresFor = (c0: number, c1: number, from: number, to: number) => {
    // Both arms score every candidate, so each draws its stream as it would in its full rollout.
    const [sc, st] = arms.map((a) => a.scoresFor(c0, c1, from, to));
    const out = new Float32Array(c1 - c0);
    for (let r = from; r < to; r++) out.set((armOf(r) ? st : sc).subarray(rq.candStart[r] - c0, rq.candStart[r + 1] - c0), rq.candStart[r] - c0);
    return out;
  };
  try {
    serveInRounds(w, {
      rounds: R,
      every: t.every,
      name: `${t.treatment}|${t.control}`,
      // Every design and assignment draws the same uniform for the same served slot: common random numbers.
      outcomes: 'test',
      kind: 'learner',
      click,
      bias,
      scoresFor,
      learn(served) {
        // Pooled, per-domain and cluster (production pipelines): both arms on everything served. Diverted, and switchback: each arm on what it served.
        if (design === 'pooled' || perDomain || clusterOf) for (const a of arms) a.learn?.(served);
        else
          arms.forEach((a, arm) => {
            const keep = served.request.map((r) => (armOf(r) === arm ? 1 : 0));
            const pick = <T extends Int32Array | Uint8Array>(x: T) => x.filter((_, j) => keep[j] === 1) as T;
            a.learn?.({ cand: pick(served.cand), request: pick(served.request), domain: pick(served.domain), clicked: pick(served.clicked) });
          });
      },
      observe(r, _k, c) {
        if (switchback && washedOut(schedule, rq.domain[r], roundOf[r], R, t.washout)) return;
        const cell = unitOf(r) * D + rq.domain[r];
        clicks[cell] += c;
        impressions[cell]++;
      },
    });
  } finally {
    for (const a of arms) a.dispose?.();
  }
  const treatment = Array.from({ length: D + 1 }, emptyRatio);
  const control = Array.from({ length: D + 1 }, emptyRatio);
  for (let u = 0; u < units; u++) {
    let x = 0;
    let y = 0;
    for (let d = 0; d < D; d++) {
      const cell = u * D + d;
      if (impressions[cell] === 0) continue;
      const cells = armOfCell(u, d) ? treatment : control;
      addUser(cells[d + 1], clicks[cell], impressions[cell]);
      // A user is one unit over the domains; a switchback period, or a user's cell in a domain split on its own, is a unit of its own domain.
      if (switchback || perDomain) addUser(cells[0], clicks[cell], impressions[cell]);
      x += clicks[cell];
      y += impressions[cell];
    }
    // A user, or a cluster, is one unit over the domains.
    if (!switchback && !perDomain && y > 0) addUser((inTreatment[u] ? treatment : control)[0], x, y);
  }
  return { treatment, control };
}

/** Every design of the test at the run's salt and at salts 1..assignments: the outcomes gradeDesigns reads. */
export function serveTests(
  w: World,
  t: InterferenceTest,
  o: { salt: number; assignments: number; click: Float32Array; bias: (pos: number) => number; make: (name: string) => Participant },
): TestOutcome[] {
  const salts = [o.salt, ...Array.from({ length: o.assignments }, (_, k) => k + 1)];
  return t.designs.flatMap((design) => salts.map((salt) => ({ design, salt, ...serveTest(w, t, design, salt, o.click, o.bias, o.make) })));
}

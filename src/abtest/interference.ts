// An A/B test inside the feedback loops (scenario.feedback.test), graded against the full rollout.
// Every other readout of crossab assumes the arms do not touch: each arm's slates are what its model
// would serve whoever is in the other arm. Here two participants of the feedback loops (learners, or
// static A/B arms) share the replay period: each request is served by its user's arm, in the same
// rounds, and the learners retrain on a log that depends on the design:
//   pooled    both arms retrain on the pooled log of both arms' users — what production pipelines do,
//             and the cause of symbiosis bias (Brennan et al., WWW 2025): each arm learns from slates
//             the other arm chose, so the test compares two systems that exist in neither rollout
//   diverted  each arm retrains on its own users' log only (data-diverted training, the standard
//             remedy): no arm learns from the other, at the price of learning from a share of traffic
//   switchback every user of a domain is served by one arm for a period of `period` rounds, the arms
//             alternating on a random schedule per domain; each arm retrains on what it served; the `washout` rounds
//             after a switch are left out of the estimate, for what the previous arm left behind
//             (worn items, a learner's log). Units are (domain, round) periods, not users
// The estimand is the global effect: the world run once with everyone on the treatment and once with
// everyone on the control (the full-rollout rounds data/serve-rounds.ts already serves every
// participant), as the relative lift of the true CTR served over the whole period. It is computed from
// expected clicks, so it carries no click noise. Each design's estimate is the clicks-per-impression
// lift between the arms with its delta-method interval over the design's units, graded over
// re-randomised assignments: bias, RMSE, spread, interval coverage of the global effect, and how often
// its decision (ship when the interval is above zero) agrees with the global effect's sign.
// Static arms do not learn, so every design is the same test and the global effect is the A/B true lift.
import type { INTERFERENCE_DESIGNS } from '../scenario/metrics.js';
import { heldReplay, type World } from '../world/world.js';
import { serveInRounds, type FeedbackRound } from '../data/serve-rounds.js';
import { userHash } from './assign.js';
import type { Participant } from './feedback.js';
import { addUser, emptyRatio, logRatioLift, type ClusteredRatio } from './stats/ratio.js';

export type Design = (typeof INTERFERENCE_DESIGNS)[number];

export interface InterferenceTest {
  treatment: string;
  control: string;
  designs: Design[];
  /** Share of users (switchback: of each domain's rounds) in the treatment arm. */
  split: number;
  /** Switchback: rounds per period (one arm serves a domain for a whole period). */
  period: number;
  /** Switchback: rounds after a switch served but left out of the estimate (carry-over). */
  washout: number;
  rounds: number;
  every: number;
}

/** One design's test on one domain (or 'all'): the test as run at the run's salt, and its grade over re-randomisations. */
export interface DesignGrade {
  design: Design;
  treatment: string;
  control: string;
  domain: string;
  /** The full-rollout relative lift of the true CTR: everyone on the treatment against everyone on the control. */
  globalLift: number;
  /** The test as run (the run's salt): the estimated lift, its interval and p-value. */
  estimate: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Over the re-randomised assignments (salts 1..assignments). */
  assignments: number;
  meanEstimate: number;
  /** meanEstimate − globalLift. */
  bias: number;
  rmse: number;
  /** Standard deviation of the estimates: the design's variance cost. */
  sd: number;
  /** Share of the intervals that hold the global lift. */
  coverage: number;
  /** Share of the assignments whose decision (ship when the interval is above zero, else keep) matches the global lift's sign. */
  decisionAccuracy: number;
}

/**
 * The global lift per domain (and 'all') from the full-rollout rounds of the two participants: expected
 * clicks over impressions of the whole period, treatment over control, minus 1.
 */
export function globalLifts(rounds: FeedbackRound[], treatment: string, control: string, domains: readonly string[]): Map<string, number> {
  const sums = (who: string, domain: string) => {
    let expected = 0;
    let impressions = 0;
    for (const r of rounds)
      if (r.participant === who && (domain === 'all' || r.domain === domain) && r.impressions > 0) {
        expected += r.trueCtr * r.impressions;
        impressions += r.impressions;
      }
    return expected / impressions;
  };
  return new Map(['all', ...domains].map((d) => [d, sums(treatment, d) / sums(control, d) - 1]));
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

/** Whether a switchback round is washed out: one of the `washout` rounds before it served the other arm. */
export function washedOut(schedule: Uint8Array, d: number, t: number, rounds: number, washout: number): boolean {
  for (let j = 1; j <= washout && t - j >= 0; j++) if (schedule[d * rounds + t - j] !== schedule[d * rounds + t]) return true;
  return false;
}

/**
 * One assignment of one design: per domain and 'all', each arm's clicks and impressions by unit —
 * users for pooled and diverted, (domain, round) periods for switchback, whose washed-out rounds
 * are served but not counted.
 */
export function serveTest(
  w: World,
  t: InterferenceTest,
  design: Design,
  salt: number,
  click: Float32Array,
  bias: (pos: number) => number,
  make: (name: string) => Participant,
): { treatment: ClusteredRatio[]; control: ClusteredRatio[] } {
  const { rq } = heldReplay(w, 'feedback.test');
  const D = w.layout.domains.length;
  const R = t.rounds;
  const switchback = design === 'switchback';
  const units = switchback ? R : w.users.count;
  const roundOf = new Int32Array(rq.n);
  for (let k = 0; k < R; k++) roundOf.fill(k, Math.floor((k * rq.n) / R), Math.floor(((k + 1) * rq.n) / R));
  const inTreatment = new Uint8Array(switchback ? 0 : units);
  for (let u = 0; u < inTreatment.length; u++) inTreatment[u] = userHash(salt, u) < t.split ? 1 : 0;
  const schedule = switchback ? switchbackSchedule(salt, D, R, t.period, t.split) : new Uint8Array(0);
  const unitOf = (r: number) => (switchback ? roundOf[r] : rq.user[r]);
  const armOfCell = (unit: number, d: number) => (switchback ? schedule[d * R + unit] : inTreatment[unit]);
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
      // Pooled: both arms on everything served. Diverted, and switchback: each arm on what it served.
      if (design === 'pooled') for (const a of arms) a.learn?.(served);
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
      // A user is one unit over the domains; a switchback period is a unit of its own domain.
      if (switchback) addUser(cells[0], clicks[cell], impressions[cell]);
      x += clicks[cell];
      y += impressions[cell];
    }
    if (!switchback && y > 0) addUser((inTreatment[u] ? treatment : control)[0], x, y);
  }
  return { treatment, control };
}

/**
 * Every design of the test: the run's salt as the test, salts 1..assignments as its grade. `rounds`
 * are the full-rollout rounds of the feedback loops (both participants' among them).
 */
export function gradeDesigns(
  w: World,
  t: InterferenceTest,
  rounds: FeedbackRound[],
  o: { salt: number; assignments: number; alpha: number; click: Float32Array; bias: (pos: number) => number; make: (name: string) => Participant },
): DesignGrade[] {
  const domains = ['all', ...w.layout.domains];
  const global = globalLifts(rounds, t.treatment, t.control, w.layout.domains);
  const test = (design: Design, salt: number) => {
    const { treatment, control } = serveTest(w, t, design, salt, o.click, o.bias, o.make);
    return domains.map((_, d) => logRatioLift(treatment[d], control[d], o.alpha));
  };
  return t.designs.flatMap((design) => {
    const asRun = test(design, o.salt);
    const graded = Array.from({ length: o.assignments }, (_, k) => test(design, k + 1));
    return domains.map((domain, d) => {
      const g = global.get(domain)!;
      const lifts = graded.map((l) => l[d]).filter((l) => Number.isFinite(l.lift));
      const n = lifts.length;
      const mean = lifts.reduce((a, l) => a + l.lift, 0) / n;
      const intervals = lifts.filter((l) => Number.isFinite(l.ciLow));
      return {
        design,
        treatment: t.treatment,
        control: t.control,
        domain,
        globalLift: g,
        estimate: asRun[d].lift,
        ciLow: asRun[d].ciLow,
        ciHigh: asRun[d].ciHigh,
        pValue: asRun[d].pValue,
        assignments: n,
        meanEstimate: mean,
        bias: mean - g,
        rmse: Math.sqrt(lifts.reduce((a, l) => a + (l.lift - g) ** 2, 0) / n),
        sd: n > 1 ? Math.sqrt(lifts.reduce((a, l) => a + (l.lift - mean) ** 2, 0) / (n - 1)) : NaN,
        coverage: intervals.filter((l) => l.ciLow <= g && g <= l.ciHigh).length / intervals.length,
        decisionAccuracy: intervals.filter((l) => l.ciLow > 0 === g > 0).length / intervals.length,
      };
    });
  });
}

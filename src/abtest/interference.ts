// An A/B test inside the feedback loops (scenario.feedback.test), graded against the full rollout.
// Every other readout of crossab assumes the arms do not touch: each arm's slates are what its model
// would serve whoever is in the other arm. Here two participants of the feedback loops (learners,
// static A/B arms, or two retrained arms of one strategy or of two) share the replay period, each request
// served by its arm in the same rounds (data/serve-test.ts serves it, where the participants live),
// and the learners retrain on a log that depends on the design:
//   pooled      users split; both arms retrain on the pooled log of both arms' users — what
//               production pipelines do, and the cause of symbiosis bias (Brennan et al., WWW 2025):
//               each arm learns from slates the other chose, so the test compares two systems that
//               exist in neither rollout
//   diverted    users split; each arm retrains on its own users' log only (data-diverted training,
//               the standard remedy), at the price of learning from a share of the traffic
//   switchback  each domain served by one arm for `period` rounds at a time, on a random schedule per
//               domain; each arm retrains on what it served; the `washout` rounds after a switch are
//               left out of the estimate, for what the previous arm left behind (worn items, a
//               learner's log). The units are (domain, round) periods, not users
//   per-domain  users split in each domain on its own hash — each surface running its own test — so a
//               user can be in the treatment on one domain and the control on another; both arms
//               retrain on the pooled log. With a user state that crosses domains
//               (feedback.userState) what the treatment shows on one domain reaches the control's
//               cells on another. The units are a user's cells, one per domain
//   cluster     whole clusters of users (the values of a user feature, test.clusterBy) split;
//               both arms retrain on the pooled log. When items wear per market (itemState.by)
//               and the markets are the clusters, each market's items are worn by one arm only,
//               as in its rollout — at the price of few units. The units are the clusters
// The estimand is the global effect: the world run once with everyone on the treatment and once with
// everyone on the control (the full-rollout rounds data/serve-rounds.ts already serves every
// participant), as the relative lift of the true CTR served over the whole period. It is computed from
// expected clicks, so it carries no click noise. Each design's estimate is the clicks-per-impression
// lift between the arms with its delta-method interval over the design's units, graded over
// re-randomised assignments: bias, RMSE, spread, interval coverage of the global effect, and how often
// its decision (ship when the interval is above zero) agrees with the global effect's sign.
// Static arms do not learn, so every design is the same test and the global effect is the A/B true lift.
import type { World } from '../world/world.js';
import type { FeedbackRound } from '../data/serve-rounds.js';
import type { Design, InterferenceTest, TestOutcome } from '../data/serve-test.js';
import { logRatioLift } from './stats/ratio.js';

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
 * Every design graded: per design, the first outcome (the run's salt) is the test as run and the
 * following `assignments` ones its re-randomisations (serveTests' order). `rounds` are the
 * full-rollout rounds of the feedback loops (both participants' among them).
 */
export function gradeDesigns(w: World, t: InterferenceTest, rounds: FeedbackRound[], outcomes: TestOutcome[], alpha: number): DesignGrade[] {
  const domains = ['all', ...w.layout.domains];
  const global = globalLifts(rounds, t.treatment, t.control, w.layout.domains);
  return t.designs.flatMap((design) => {
    const [asRun, ...graded] = outcomes.filter((x) => x.design === design).map((x) => domains.map((_, d) => logRatioLift(x.treatment[d], x.control[d], alpha)));
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

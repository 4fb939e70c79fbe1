// Feedback loops (scenario.feedback): each participant is deployed to the whole replay period in
// rounds of serve → log → retrain on its own log (data/serve-rounds.ts has the rounds). A learner
// here ranks each request by what its own log says so far, and after every `every` rounds what it
// served and what was clicked joins its log. A learner only learns about what it showed (exposure
// bias), so what it shows more, it knows more about, and a learner that ranks by what was clicked
// shows it again (popularity amplification).
//   popular   ranks by its log's clicks per item (ties at random): the most-clicked list
//   thompson  ranks by θ ~ Beta(1 + clicks, 1 + impressions − clicks) per item: Thompson sampling
// Both start from the logged training period's impressions of the domain (warmStart), or from an
// empty log (ties broken at random: the first round is a random slate). A/B arms join the loop
// too: static ones here, as they are (their exposure is the same every round, the baselines the
// learners drift away from); with arms 'retrain' a trained arm's rounds run where its model lives
// (train/feedback-retrain.ts). Outcomes come from the static truth (scenario.dynamics does not
// apply here) and the position curve.
import type { Scenario } from '../scenario/schema.js';
import { gammaDraw, stream } from '../world/rng.js';
import { heldReplay, type World } from '../world/world.js';
import { serveInRounds, type FeedbackRound } from '../data/serve-rounds.js';
import type { Participant } from '../data/serve-test.js';

export type Feedback = NonNullable<Scenario['feedback']>;
export type { FeedbackRound };

/**
 * Every participant's rounds: the feedback block's learners, and the given static arms (name →
 * candidate scores of the replay). `click` is each replay candidate's true click probability.
 */
/**
 * A count-based learner of the feedback block, from its starting log. Each call starts afresh, and
 * every learner of one name draws its tie-breaks and Thompson samples from the same stream: the same
 * learner fed the same log ranks the same way, in the full rollout and in an A/B test.
 */
export function countLearner(w: World, name: string, learner: Feedback['learners'][string]): Participant {
  const D = w.layout.domains.length;
  // Per domain, per item: impressions and clicks in the learner's log, from the logged training period.
  const imps = Array.from({ length: D }, () => new Float64Array(w.items.count));
  const clicks = Array.from({ length: D }, () => new Float64Array(w.items.count));
  const lg = w.logged;
  for (let i = 0; i < (learner.warmStart ? lg.n : 0); i++) {
    if (lg.period[i] !== 0) continue;
    imps[lg.domain[i]][lg.item[i]]++;
    clicks[lg.domain[i]][lg.item[i]] += lg.click[i];
  }
  const rng = stream(w.seed, `feedback:${name}`);
  const { rq } = heldReplay(w, 'feedback');
  return {
    scoresFor(c0, c1, from, to) {
      const scores = new Float32Array(c1 - c0);
      for (let r = from; r < to; r++) {
        const d = rq.domain[r];
        for (let k = rq.candStart[r]; k < rq.candStart[r + 1]; k++) {
          const i = rq.candItems[k];
          if (learner.kind === 'popular') scores[k - c0] = clicks[d][i] + 0.5 * rng.next();
          else {
            const a = gammaDraw(1 + clicks[d][i], rng);
            scores[k - c0] = a / (a + gammaDraw(1 + imps[d][i] - clicks[d][i], rng));
          }
        }
      }
      return scores;
    },
    learn(served) {
      served.cand.forEach((k, j) => {
        const d = served.domain[j];
        imps[d][rq.candItems[k]]++;
        clicks[d][rq.candItems[k]] += served.clicked[j];
      });
    },
  };
}

/** A static A/B arm as a participant: its candidate scores, every round. */
export const staticArm = (scores: Float32Array): Participant => ({ scoresFor: (c0, c1) => scores.subarray(c0, c1) });

/**
 * Every participant's rounds: the feedback block's learners, and the given static arms (name →
 * candidate scores of the replay). `click` is each replay candidate's true click probability.
 */
export function feedbackLoops(w: World, fb: Feedback, click: Float32Array, statics: Map<string, Float32Array>, bias: (pos: number) => number): FeedbackRound[] {
  const out: FeedbackRound[] = [];
  const common = { rounds: fb.rounds, every: fb.every, click, bias };
  for (const [name, scores] of statics) out.push(...serveInRounds(w, { ...common, name, kind: 'static', ...staticArm(scores) }));
  for (const [name, learner] of Object.entries(fb.learners))
    out.push(...serveInRounds(w, { ...common, name, kind: 'learner', ...countLearner(w, name, learner) }));
  return out;
}

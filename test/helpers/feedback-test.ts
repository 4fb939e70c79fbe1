// The world the feedback.test tests share (abtest/interference, data/serve-test): tiny with 3,000
// replay requests and two learners from an empty log, its true click probabilities, and the pieces
// a test is built from.
import { generateWorld } from '../../src/world/world.js';
import { candidatesOf, trainingInputs } from '../../src/data/inputs.js';
import { candidateTruth } from '../../src/data/candidate-truth.js';
import { gradeDesigns } from '../../src/abtest/interference.js';
import { feedbackLoops, staticArm } from '../../src/abtest/feedback.js';
import { serveTests, type InterferenceTest } from '../../src/data/serve-test.js';
import type { World } from '../../src/world/world.js';
import { scenario } from './scenarios.js';

export const s = scenario('tiny', (r) => {
  r.traffic.replayRequests = 3000;
  r.feedback = { rounds: 4, learners: { pop: { kind: 'popular', warmStart: false }, ts: { kind: 'thompson', warmStart: false } } };
});
export const w = generateWorld(s, 3);
export const click = candidateTruth(w, candidatesOf(trainingInputs(w))).click;
/** No position effect. */
export const flat = () => 1;
/** The truth distorted by a fixed pseudo-random factor in [0.5, 1.5] per candidate: a worse static ranking. */
export const noisy = Float32Array.from(click, (c, k) => c * (0.5 + ((k * 7919) % 101) / 100));

/** A user-level test of two participants with both designs, one round per update. */
export const test2 = (treatment: string, control: string, rounds = 4): InterferenceTest => ({
  treatment,
  control,
  designs: ['pooled', 'diverted'],
  split: 0.5,
  period: 1,
  washout: 1,
  rounds,
  every: 1,
});

/** Every design served and graded, as the feedback stage does (on this world unless another is given). */
export const grade = (
  t: InterferenceTest,
  rounds: Parameters<typeof gradeDesigns>[2],
  o: Parameters<typeof serveTests>[2] & { alpha: number; world?: World },
) => gradeDesigns(o.world ?? w, t, rounds, serveTests(o.world ?? w, t, o), o.alpha);

/** The truth and the noisy ranking as static arms 'oracle' and 'noisy': their full rollouts over `rounds` rounds, and a test's participants. */
export function oracleAndNoisy(rounds: number) {
  const scores = new Map([
    ['oracle', Float32Array.from(click)],
    ['noisy', noisy],
  ]);
  return {
    rounds: feedbackLoops(w, { ...s.feedback!, rounds, learners: {} }, click, scores, flat),
    make: (name: string) => staticArm(name === 'oracle' ? Float32Array.from(click) : noisy),
  };
}

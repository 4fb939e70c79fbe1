// Step 6c of a run (experiment.ts): the feedback loops of scenario.feedback, and the A/B test inside
// them (feedback.test) graded against their full rollouts. Retrained arms run their loops where their
// models live, during training (train/feedback-retrain.ts); retrainLoops says which.
import type { Scenario } from '../scenario/schema.js';
import { armModel } from '../scenario/rules.js';
import type { TrainingInputs } from '../data/inputs.js';
import { positionCurve } from '../data/slates.js';
import type { OfflineResults } from '../train/parallel.js';
import type { RetrainLoop } from '../train/feedback-retrain.js';
import type { Arm } from '../abtest/readout.js';
import { countLearner, feedbackLoops, staticArm, type Feedback, type FeedbackRound } from '../abtest/feedback.js';
import { gradeDesigns, type DesignGrade } from '../abtest/interference.js';
import { serveTests } from '../data/serve-test.js';

/**
 * A test between two retrained arms whose models are different strategies: the treatment's strategy,
 * whose worker also trains the control's (the partner) to serve the test; null otherwise.
 */
export function testPartner(scenario: Scenario): { holder: string; partner: string } | null {
  const t = scenario.feedback?.test;
  if (scenario.feedback?.arms !== 'retrain' || !t || scenario.feedback.learners[t.treatment] || scenario.feedback.learners[t.control]) return null;
  const [holder, partner] = [armModel(scenario, t.treatment), armModel(scenario, t.control)];
  return holder !== null && partner !== null && holder !== partner ? { holder, partner } : null;
}

/**
 * With scenario.feedback's arms 'retrain', the loops each trained strategy runs where it was trained:
 * its own arm's, and each 'explore' arm's over it. Other policy arms stay static. When feedback.test
 * pits two of them against each other, the treatment's loop carries the test's settings: the run's
 * salt, the assignments (--grade, else the test's) and, when the control's model is another
 * strategy's, that strategy and the control's loop (the treatment's worker trains it again).
 */
export function retrainLoops(scenario: Scenario, arms: Arm[], run: { salt: number; assignments?: number } = { salt: 1 }): Map<string, RetrainLoop[]> {
  const out = new Map<string, RetrainLoop[]>();
  if (scenario.feedback?.arms !== 'retrain') return out;
  const test = scenario.feedback.test;
  const pair = testPartner(scenario);
  const loopOf = (arm: string): RetrainLoop => {
    const pol = scenario.abtest?.policies?.[arm];
    return { participant: arm, temperature: pol?.kind === 'explore' ? pol.temperature : null };
  };
  for (const arm of new Set(arms.map((a) => a.strategy))) {
    const base = armModel(scenario, arm);
    if (base === null) continue;
    const loop = loopOf(arm);
    if (test?.treatment === arm) {
      loop.test = { salt: run.salt, assignments: run.assignments ?? test.assignments };
      if (pair) loop.test.partner = { strategy: pair.partner, loop: loopOf(test.control) };
    }
    out.set(base, [...(out.get(base) ?? []), loop]);
  }
  return out;
}

export interface FeedbackResults {
  /** Every participant's rounds, each deployed to the whole replay period. */
  rounds: FeedbackRound[];
  /** feedback.test: each design per domain, against the global lift (empty without a test). */
  designs: DesignGrade[];
}

/**
 * 6c. The feedback loops: the block's learners and every A/B arm — retrained (its rounds ran in
 * training, beside its model) or static (served as trained) — then feedback.test's designs, graded
 * over `assignments` re-randomisations (the test's own count when not given).
 */
export function feedbackStage(
  p: TrainingInputs,
  off: OfflineResults,
  ab: { scores: Map<string, Float32Array>; click: Float32Array },
  arms: Arm[],
  fb: Feedback,
  o: { salt: number; assignments?: number; alpha: number },
): FeedbackResults {
  const w = p.world;
  const bias = positionCurve(w.scenario.abtest?.positionBias);
  const retrained = off.trained.flatMap((t) => t.feedback.rounds);
  const done = new Set(retrained.map((r) => r.participant));
  const statics = new Map([...new Set(arms.map((a) => a.strategy))].filter((s) => !done.has(s)).map((s) => [s, ab.scores.get(s)!] as const));
  const rounds = [...retrained, ...feedbackLoops(w, fb, ab.click, statics, bias)];
  const t = fb.test;
  if (!t) return { rounds, designs: [] };
  const test = { ...t, rounds: fb.rounds, every: fb.every };
  // A test between two retrained arms was served beside the treatment's model (and the control's, trained there again), in training.
  const make = (name: string) => (fb.learners[name] ? countLearner(w, name, fb.learners[name]) : staticArm(statics.get(name)!));
  const outcomes = done.has(t.treatment)
    ? off.trained.flatMap((x) => x.feedback.tests)
    : serveTests(w, test, { salt: o.salt, assignments: o.assignments ?? t.assignments, click: ab.click, bias, make });
  return { rounds, designs: gradeDesigns(w, test, rounds, outcomes, o.alpha) };
}

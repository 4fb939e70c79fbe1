// Step 6c of a run (experiment.ts): the feedback loops of scenario.feedback, and the A/B test inside
// them (feedback.test) graded against their full rollouts. Retrained arms run their loops where their
// models live, during training (train/feedback-retrain.ts); retrainLoops says which.
import type { Scenario } from '../scenario/schema.js';
import type { TrainingInputs } from '../data/inputs.js';
import { positionCurve } from '../data/slates.js';
import type { OfflineResults } from '../train/parallel.js';
import type { RetrainLoop } from '../train/feedback-retrain.js';
import type { Arm } from '../abtest/readout.js';
import { countLearner, feedbackLoops, staticArm, type Feedback, type FeedbackRound } from '../abtest/feedback.js';
import { gradeDesigns, type DesignGrade } from '../abtest/interference.js';

/**
 * With scenario.feedback's arms 'retrain', the loops each trained strategy runs where it was trained:
 * its own arm's, and each 'explore' arm's over it. Other policy arms stay static.
 */
export function retrainLoops(scenario: Scenario, arms: Arm[]): Map<string, RetrainLoop[]> {
  const out = new Map<string, RetrainLoop[]>();
  if (scenario.feedback?.arms !== 'retrain') return out;
  for (const arm of new Set(arms.map((a) => a.strategy))) {
    const pol = scenario.abtest?.policies?.[arm];
    if (pol && pol.kind !== 'explore') continue;
    const base = pol?.kind === 'explore' ? pol.strategy : arm;
    out.set(base, [...(out.get(base) ?? []), { participant: arm, temperature: pol?.kind === 'explore' ? pol.temperature : null }]);
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
  const retrained = off.trained.flatMap((t) => t.feedback);
  const done = new Set(retrained.map((r) => r.participant));
  const statics = new Map([...new Set(arms.map((a) => a.strategy))].filter((s) => !done.has(s)).map((s) => [s, ab.scores.get(s)!] as const));
  const rounds = [...retrained, ...feedbackLoops(w, fb, ab.click, statics, bias)];
  const t = fb.test;
  if (!t) return { rounds, designs: [] };
  const make = (name: string) => (fb.learners[name] ? countLearner(w, name, fb.learners[name]) : staticArm(statics.get(name)!));
  const test = { ...t, rounds: fb.rounds, every: fb.every };
  return {
    rounds,
    designs: gradeDesigns(w, test, rounds, { salt: o.salt, assignments: o.assignments ?? t.assignments, alpha: o.alpha, click: ab.click, bias, make }),
  };
}

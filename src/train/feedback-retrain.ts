// Feedback loops for trained arms (scenario.feedback with arms: 'retrain'): the trained model serves
// the replay in rounds, and after every `every` rounds it is fine-tuned on what it served itself and
// the clicks that drew — its own log, so it learns only about the items it chose to show (exposure
// bias), and the next round it serves from the updated weights. An 'explore' arm runs the same loop
// on its strategy's model, sampling its slates (Gumbel noise at its temperature) from the current
// scores; its log is its own, so the two arms of one strategy drift apart. Each loop starts from the
// trained weights; they are restored after it. The rounds, the clicks and their stream are those of
// every other participant (data/serve-rounds.ts); this runs in the thread that holds the model.
// With feedback.test between two of the loops, the test is served here too (data/serve-test.ts):
// each arm from its own copy of the trained weights, with its own Adam and streams. When the control
// is another strategy's loop, that strategy is trained here a second time (the same seed gives the
// same weights to the bit) so that both arms' models live in the thread that serves the test.
import { heldReplay } from '../world/world.js';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingInputs } from '../data/inputs.js';
import type { Dataset } from '../data/dataset.js';
import { withRoom } from '../data/dataset.js';
import { candidateTruth } from '../data/candidate-truth.js';
import { exploreScore, positionCurve } from '../data/slates.js';
import { serveInRounds, type FeedbackRound } from '../data/serve-rounds.js';
import { stream } from '../world/rng.js';
import { adam } from './adam.js';
import { fineTune, fitStrategy, type Trained } from './trainer.js';
import { strategy } from '../models/registry.js';
import { serveTests, type Participant, type TestOutcome } from '../data/serve-test.js';

/** One participant to run: the strategy's own arm (temperature null) or an 'explore' arm of it. */
export interface RetrainLoop {
  participant: string;
  temperature: number | null;
  /**
   * Set on the treatment's loop when feedback.test pits it against another retrained arm: the run's
   * salt, the assignments to grade and, when the control is another strategy's arm, that strategy and
   * its loop. The test is then served here, beside the model.
   */
  test?: { salt: number; assignments: number; partner?: Partner };
}

/** The control of a test whose model is another strategy's: that strategy and its loop. */
export interface Partner {
  strategy: string;
  loop: RetrainLoop;
}

export interface Retrained {
  rounds: FeedbackRound[];
  /** feedback.test between two of the loops: every design's served outcomes, graded by the caller (empty otherwise). */
  tests: TestOutcome[];
  /** Updates run (over all loops) and the wall time of every loop together. */
  updates: number;
  seconds: number;
}

/**
 * The loops of the strategy trained as `t`, then the test one of them carries; `partner` is the
 * control's model when it is another strategy's (trained here again for the test).
 */
export function retrainInRounds(
  p: TrainingInputs,
  t: Trained,
  cds: Dataset & { request: Int32Array; item: Int32Array },
  loops: RetrainLoop[],
  partner?: Trained,
): Retrained {
  const t0 = performance.now();
  const w = p.world;
  const fb = w.scenario.feedback!;
  const { rq } = heldReplay(w, "feedback.arms 'retrain'");
  const click = candidateTruth(w, cds).click;
  const bias = positionCurve(w.scenario.abtest?.positionBias);
  let servedRows = 0;
  for (let r = 0; r < rq.n; r++) servedRows += w.scenario.domains[rq.domain[r]].slate;
  // Two regions of served rows: a test's two arms each learn into their own (pooled, both copy the same rows).
  const room = withRoom(p.ds, 2 * servedRows);
  // Each model's variables, and a copy of its trained values to start every loop from and put back at the end.
  const models = new Map([t, ...(partner ? [partner] : [])].map((m) => [m, { weights: [...m.params.list, ...m.params.state], trained: [] as tf.Tensor[] }]));
  for (const m of models.values()) m.trained = m.weights.map((v) => tf.clone(v));
  let updates = 0;
  /** A loop as a participant, from its model's trained weights, with its own copy of them, its optimizer and its streams. */
  const participant = (loop: RetrainLoop, region: number, model: Trained = t): Participant => {
    const { weights, trained } = models.get(model)!;
    const own = trained.map((v) => tf.variable(v, false));
    const optimizer = adam(w.scenario.training.learningRate);
    const rng = stream(w.seed, `feedback:retrain:${loop.participant}`);
    // The same noise stream as the static 'explore' arm: its first round serves the static arm's slates.
    const noise = stream(w.seed, `policy-arm:${loop.participant}`);
    let next = p.ds.n + region * servedRows;
    const use = () => weights.forEach((v, k) => v.assign(own[k]));
    return {
      scoresFor(c0, c1) {
        use();
        const s = model
          .score(
            cds,
            Int32Array.from({ length: c1 - c0 }, (_, k) => c0 + k),
          )
          .click.slice(c0, c1);
        if (loop.temperature === null) return s;
        for (let k = 0; k < s.length; k++) s[k] = exploreScore(s[k], loop.temperature, noise.next());
        return s;
      },
      learn(served) {
        use();
        const rows = new Int32Array(served.cand.length);
        served.cand.forEach((k, j) => {
          room.put(cds, k, next, served.clicked[j]);
          rows[j] = next++;
        });
        fineTune(model, room.ds, rows, { train: p.split.train, history: p.history }, w.scenario.training, fb.epochs, optimizer, rng);
        own.forEach((o, k) => o.assign(weights[k]));
        updates++;
      },
      dispose() {
        optimizer.dispose();
        tf.dispose(own);
      },
    };
  };
  const rounds: FeedbackRound[] = [];
  let tests: TestOutcome[] = [];
  try {
    for (const loop of loops) {
      const one = participant(loop, 0);
      rounds.push(...serveInRounds(w, { rounds: fb.rounds, every: fb.every, name: loop.participant, kind: 'retrained', click, bias, ...one }));
      one.dispose?.();
    }
    const settings = loops.find((l) => l.test)?.test;
    const test = fb.test;
    if (settings && test) {
      if (settings.partner && !partner) throw new Error(`feedback.test: the control's model (${settings.partner.strategy}) is not here to serve it`);
      const byName = new Map(loops.map((l) => [l.participant, l]));
      const make = (name: string) =>
        name === test.control && settings.partner
          ? participant(settings.partner.loop, 0, partner)
          : participant(byName.get(name)!, name === test.control ? 0 : 1);
      tests = serveTests(w, { ...test, rounds: fb.rounds, every: fb.every }, { ...settings, click, bias, make });
    }
  } finally {
    for (const { weights, trained } of models.values()) {
      weights.forEach((v, k) => v.assign(trained[k]));
      tf.dispose(trained);
    }
  }
  return { rounds, tests, updates, seconds: (performance.now() - t0) / 1000 };
}

/**
 * retrainInRounds for a strategy trained as `t` in this thread; when the test its loops carry has a
 * control of another strategy, that strategy is trained here first, with the run's seed, and freed after.
 */
export async function retrainHere(
  p: TrainingInputs,
  t: Trained,
  cds: Dataset & { request: Int32Array; item: Int32Array },
  loops: RetrainLoop[],
  seed: number,
  signal?: AbortSignal,
): Promise<Retrained> {
  const other = loops.find((l) => l.test?.partner)?.test?.partner;
  const partner = other ? await fitStrategy(strategy(other.strategy), p.ds, p.split, p.history, p.world.scenario.training, seed, undefined, signal) : undefined;
  try {
    return retrainInRounds(p, t, cds, loops, partner);
  } finally {
    partner?.dispose();
  }
}

// Feedback loops for trained arms (scenario.feedback with arms: 'retrain'): the trained model serves
// the replay in rounds, and after every `every` rounds it is fine-tuned on what it served itself and
// the clicks that drew — its own log, so it learns only about the items it chose to show (exposure
// bias), and the next round it serves from the updated weights. An 'explore' arm runs the same loop
// on its strategy's model, sampling its slates (Gumbel noise at its temperature) from the current
// scores; its log is its own, so the two arms of one strategy drift apart. Each loop starts from the
// trained weights; they are restored after it. The rounds, the clicks and their stream are those of
// every other participant (data/serve-rounds.ts); this runs in the thread that holds the model.
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
import { fineTune, type Trained } from './trainer.js';

/** One participant to run: the strategy's own arm (temperature null) or an 'explore' arm of it. */
export interface RetrainLoop {
  participant: string;
  temperature: number | null;
}

export interface Retrained {
  rounds: FeedbackRound[];
  /** Updates run (over all loops) and the wall time of every loop together. */
  updates: number;
  seconds: number;
}

export function retrainInRounds(p: TrainingInputs, t: Trained, cds: Dataset & { request: Int32Array; item: Int32Array }, loops: RetrainLoop[]): Retrained {
  const t0 = performance.now();
  const w = p.world;
  const fb = w.scenario.feedback!;
  const { rq } = heldReplay(w, "feedback.arms 'retrain'");
  const click = candidateTruth(w, cds).click;
  const bias = positionCurve(w.scenario.abtest?.positionBias);
  let servedRows = 0;
  for (let r = 0; r < rq.n; r++) servedRows += w.scenario.domains[rq.domain[r]].slate;
  const room = withRoom(p.ds, servedRows);
  const weights = [...t.params.list, ...t.params.state];
  const trained = weights.map((v) => tf.clone(v));
  const rounds: FeedbackRound[] = [];
  let updates = 0;
  try {
    for (const loop of loops) {
      const optimizer = adam(w.scenario.training.learningRate);
      const rng = stream(w.seed, `feedback:retrain:${loop.participant}`);
      // The same noise stream as the static 'explore' arm: its first round serves the static arm's slates.
      const noise = stream(w.seed, `policy-arm:${loop.participant}`);
      let next = p.ds.n;
      const scoresFor = (c0: number, c1: number): Float32Array => {
        const s = t
          .score(
            cds,
            Int32Array.from({ length: c1 - c0 }, (_, k) => c0 + k),
          )
          .click.slice(c0, c1);
        if (loop.temperature === null) return s;
        for (let k = 0; k < s.length; k++) s[k] = exploreScore(s[k], loop.temperature, noise.next());
        return s;
      };
      const learn = (served: { cand: Int32Array; clicked: Uint8Array }) => {
        const rows = new Int32Array(served.cand.length);
        served.cand.forEach((k, j) => {
          room.put(cds, k, next, served.clicked[j]);
          rows[j] = next++;
        });
        fineTune(t, room.ds, rows, { train: p.split.train, history: p.history }, w.scenario.training, fb.epochs, optimizer, rng);
        updates++;
      };
      const kind = 'retrained';
      rounds.push(...serveInRounds(w, { rounds: fb.rounds, every: fb.every, name: loop.participant, kind, click, bias, scoresFor, learn }));
      optimizer.dispose();
      weights.forEach((v, k) => v.assign(trained[k]));
    }
  } finally {
    tf.dispose(trained);
  }
  return { rounds, updates, seconds: (performance.now() - t0) / 1000 };
}

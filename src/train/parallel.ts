// Training many strategies, in-process or on a pool of worker threads (one per core by default).
// A strategy's result is what the rest of a run needs from it — its curve and timings, its test-period
// predictions and, for A/B arms, its scores of the replay candidates — so models never leave the
// thread that trained them. Workers generate the same world from (scenario, seed) and train with the
// same seeds, so a parallel run's numbers equal a serial run's to the last digit on one backend.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../scenario/schema.js';
import type { Listener, ProgressEvent } from '../events.js';
import type { BackendName } from '../tf/backend.js';
import { strategy } from '../strategies/registry.js';
import { buildCandidateDataset, type Dataset } from './data.js';
import type { History } from './history.js';
import { fitStrategy, type EpochPoint, type Predictions } from './trainer.js';
import type { World } from '../world/world.js';

export interface TrainedResult {
  strategy: string;
  curve: EpochPoint[];
  bestEpoch: number;
  seconds: number;
  samplesPerSecond: number;
  /** Probabilities for every logged row (only test rows are meaningful). */
  test: Predictions;
  /** Click probabilities of every replay candidate, when the strategy is an A/B arm. */
  candidates: Float32Array | null;
}

export type CandidateDataset = ReturnType<typeof buildCandidateDataset>;

/** What training needs from a prepared world (a structural subset of pipeline's Prepared). */
export interface TrainingInputs {
  world: World;
  ds: Dataset;
  history: History;
  split: { train: Int32Array; valid: Int32Array; test: Int32Array };
  /** Built on first use and kept: every arm scores the same candidates. */
  candidates?: CandidateDataset;
}

export function candidatesOf(p: TrainingInputs): CandidateDataset {
  p.candidates ??= buildCandidateDataset(p.world, p.ds);
  return p.candidates;
}

/** Train one strategy in this thread and keep only its results. */
export async function trainOne(p: TrainingInputs, name: string, seed: number, scoreCandidates: boolean, onEvent: Listener): Promise<TrainedResult> {
  const t = await fitStrategy(strategy(name), p.ds, p.split, p.history, p.world.scenario.training, seed, onEvent);
  try {
    const test = t.predict(p.split.test);
    let candidates: Float32Array | null = null;
    if (scoreCandidates) {
      const cds = candidatesOf(p);
      candidates = t.score(cds, Int32Array.from({ length: cds.n }, (_, k) => k)).click;
    }
    return { strategy: name, curve: t.curve, bestEpoch: t.bestEpoch, seconds: t.seconds, samplesPerSecond: t.samplesPerSecond, test, candidates };
  } finally {
    t.dispose();
  }
}

/** The number of worker threads a run uses by default: one per core. */
export const DEFAULT_WORKERS = availableParallelism();

export interface ParallelOptions {
  /** Worker threads; 1 trains in this thread. */
  workers: number;
  backend: BackendName;
  /** Strategies whose replay-candidate scores are needed (the A/B arms). */
  candidates: ReadonlySet<string>;
}

/** Relative training cost, to start the slowest first (measured samples/s on the default scenario). */
const COST: Record<string, number> = { ple: 8, 'ple-esmm': 8, maml: 6, 'maml-noadapt': 6, adatt: 6, 'apg-self': 4, 'cross-stitch': 3, 'shared-private': 3, mmoe: 2, omoe: 2, star: 2, separate: 2 };

export async function trainAll(p: TrainingInputs, names: string[], seed: number, o: ParallelOptions, onEvent: Listener): Promise<TrainedResult[]> {
  const workers = Math.max(1, Math.min(o.workers, names.length));
  if (workers === 1) {
    const out: TrainedResult[] = [];
    for (const name of names) out.push(await trainOne(p, name, seed, o.candidates.has(name), onEvent));
    return out;
  }
  const queue = [...names].sort((a, b) => (COST[b] ?? 1) - (COST[a] ?? 1));
  const results = new Map<string, TrainedResult>();
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { scenario: p.world.scenario, seed, backend: o.backend },
  }));
  try {
    await Promise.all(pool.map((w) => new Promise<void>((resolve, reject) => {
      const next = () => {
        const name = queue.shift();
        if (!name) return resolve();
        w.postMessage({ name, candidates: o.candidates.has(name) });
      };
      w.on('message', (m: { type: 'event'; event: ProgressEvent } | { type: 'result'; result: TrainedResult } | { type: 'error'; message: string; stack?: string }) => {
        if (m.type === 'event') onEvent(m.event);
        else if (m.type === 'result') {
          results.set(m.result.strategy, m.result);
          next();
        } else {
          const e = new Error(`worker: ${m.message}`);
          e.stack = m.stack;
          reject(e);
        }
      });
      w.once('error', reject);
      w.once('exit', (code) => { if (queue.length || code !== 0) reject(new Error(`a training worker exited (code ${code})`)); });
      next();
    })));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return names.map((n) => results.get(n)!);
}

// Training many strategies, in-process or on a pool of worker threads (one per core by default).
// A strategy's result is what the rest of a run needs from it — its curve and timings, its test-period
// predictions and, for A/B arms, its scores of the replay candidates — so models never leave the
// thread that trained them. Workers read the inputs this thread built, shared (util/shared.ts), and
// train with the same seeds, so a parallel run's numbers equal a serial run's to the last digit on one backend.
import type { MamlModel } from '../models/maml.js';
import { serveWhileAdapting } from './serve-time.js';
import { retrainHere, type Retrained, type RetrainLoop } from './feedback-retrain.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Listener, ProgressEvent } from '../util/events.js';
import type { BackendName } from '../tf/backend.js';
import { strategy } from '../models/registry.js';
import { candidatesOf, testCandidatesOf, type TrainingInputs } from '../data/inputs.js';
import type { StrategyMetrics } from '../metrics/offline.js';
import type { Predictions } from '../models/model.js';
import { fitStrategy, type EpochPoint } from './trainer.js';
import { chooseSlates, interleaveSlates, rankingParts, WHOLE_REPLAY, type ReplayShard } from './replay-slates.js';

/** The shard a pool's tasks rank (ParallelOptions.shard). */
export type { ReplayShard };
import { shareArrays } from '../util/shared.js';
import { expertDiagnostics, type ExpertDiagnostic } from './experts.js';
import { modelFootprint, RECYCLE_HEAP } from './memory.js';

/** A run's offline results: every trained strategy's test-period metrics, the ceiling and floor, and what training left. */
export interface OfflineResults {
  strategies: Record<string, StrategyMetrics>;
  oracle: StrategyMetrics;
  constant: StrategyMetrics;
  trained: TrainedResult[];
}

export interface TrainedResult {
  strategy: string;
  curve: EpochPoint[];
  bestEpoch: number;
  seconds: number;
  samplesPerSecond: number;
  /** Probabilities for every logged row (only test rows are meaningful). */
  test: Predictions;
  /** Click probabilities of every replay candidate, when the strategy is an A/B arm (and the replay is held). */
  candidates: Float32Array | null;
  /**
   * When the strategy is an A/B arm and the replay streams: per slate slot of every replay request (in
   * request order), the offset into the request's candidates of the item its scores put there.
   */
  slates: Uint16Array | null;
  /** With `slates`: the slots of each chunk of the replay period (world.ts REPLAY_CHUNK requests) in them, 0 for a chunk another shard ranks. */
  slateChunks: Int32Array | null;
  /** Click probabilities of every candidate of the logged test period's requests (off-policy evaluation ranks by them). */
  testCandidates: Float32Array;
  /** maml-serve: seconds spent serving the replay while adapting on its own impressions (else null). */
  serveSeconds: number | null;
  /** scenario.feedback with arms 'retrain': its arms' rounds, fine-tuned on their own logs, and feedback.test served between two of them (else empty). */
  feedback: Pick<Retrained, 'rounds' | 'tests'>;
  /** A mixture model's gates and experts on each domain's test rows (train/experts.ts; empty without gates). */
  experts: ExpertDiagnostic[];
}

/**
 * What training does with the replay for a strategy: nothing (it is no A/B arm, or its slates come
 * from shard files), score it (a held replay: every candidate; a streamed one: rank every chunk), or
 * rank one shard's chunks of a streamed replay.
 */
export type ReplayWork = boolean | ReplayShard;

/** Train one strategy in this thread and keep only its results. */
export async function trainOne(
  p: TrainingInputs,
  name: string,
  seed: number,
  scoreCandidates: ReplayWork,
  onEvent: Listener,
  signal?: AbortSignal,
  retrain: RetrainLoop[] = [],
): Promise<TrainedResult> {
  const t = await fitStrategy(strategy(name), p.ds, p.split, p.history, p.world.scenario.training, seed, onEvent, signal);
  try {
    const test = t.predict(p.split.test);
    const every = (n: number) => Int32Array.from({ length: n }, (_, k) => k);
    let candidates: Float32Array | null = null;
    let slates: Uint16Array | null = null;
    let slateChunks: Int32Array | null = null;
    let serveSeconds: number | null = null;
    if (scoreCandidates && !p.world.replay)
      ({ slates, slateChunks } = chooseSlates(p, t, name, onEvent, scoreCandidates === true ? WHOLE_REPLAY : scoreCandidates));
    else if (scoreCandidates) {
      const cds = candidatesOf(p);
      const maml = t.model as Partial<MamlModel>;
      if (maml.serveTime) {
        const served = serveWhileAdapting(p, maml as MamlModel, cds, name, seed);
        candidates = served.scores;
        serveSeconds = served.seconds;
        onEvent({
          type: 'log',
          message: `${name}: served the replay adapting on its own impressions in ${served.seconds.toFixed(1)} s (${served.chunks} adaptations)`,
        });
      } else candidates = t.score(cds, every(cds.n)).click;
    }
    const tcs = testCandidatesOf(p);
    const testCandidates = t.score(tcs, every(tcs.n)).click;
    // Last: the loops fine-tune the weights (and put them back after each), so every score above is the trained model's.
    let feedback: TrainedResult['feedback'] = { rounds: [], tests: [] };
    if (retrain.length) {
      const r = await retrainHere(p, t, candidatesOf(p), retrain, seed, signal);
      feedback = { rounds: r.rounds, tests: r.tests };
      const who = retrain.map((l) => l.participant).join(', ');
      onEvent({
        type: 'log',
        message: `${name}: ${who} served ${p.world.scenario.feedback!.rounds} feedback rounds retraining on their own logs in ${r.seconds.toFixed(1)} s (${r.updates} updates)`,
      });
    }
    return {
      strategy: name,
      curve: t.curve,
      bestEpoch: t.bestEpoch,
      seconds: t.seconds,
      samplesPerSecond: t.samplesPerSecond,
      test,
      candidates,
      slates,
      slateChunks,
      testCandidates,
      serveSeconds,
      feedback,
      experts: expertDiagnostics(t.model, p.ds, p.split.test),
    };
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
  /** A streamed replay: the shard whose chunks those strategies rank (default: the whole replay). */
  shard?: ReplayShard;
  /** scenario.feedback with arms 'retrain': per strategy, the arms whose feedback loops it runs. */
  retrain?: ReadonlyMap<string, RetrainLoop[]>;
  /** A pool shared with other runs (check's seeds); otherwise one is made for this call. */
  pool?: TrainingPool;
  /** The pool's order among runs sharing it: lower first. */
  priority?: number;
  /** Aborting it stops training at once: in-process between steps, on a pool by terminating the workers. */
  signal?: AbortSignal;
}

interface Task {
  inputs: TrainingInputs;
  seed: number;
  name: string;
  candidates: ReplayWork;
  retrain: RetrainLoop[];
  /** Lower runs first (check: the seed's position), then the costlier strategy. */
  priority: number;
  onEvent: Listener;
  resolve(r: TrainedResult): void;
  reject(e: Error): void;
}

type WorkerMessage =
  | { type: 'event'; event: ProgressEvent }
  | { type: 'result'; result: TrainedResult; heapBytes: number | null }
  | { type: 'error'; message: string; stack?: string };

/**
 * Worker threads that train strategies of any (scenario, seed): a worker keeps the model inputs of the
 * worlds it trained on last, so tasks of several seeds can share the pool — the next seed's strategies
 * start while the last ones of the previous seed finish, and no core waits for a seed's slowest model.
 */
export class TrainingPool {
  private readonly queue: Task[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  /** Workers replaced on purpose: their exit is not a failure. */
  private readonly retired = new Set<Worker>();
  private broken: Error | null = null;
  private closed = false;

  /** Workers replaced because their heap grew past the recycling bound. */
  replacements = 0;

  constructor(
    readonly size: number,
    readonly backend: BackendName,
    private readonly recycleHeap = RECYCLE_HEAP,
  ) {
    for (let k = 0; k < size; k++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { backend: this.backend } });
    w.on('message', (m: WorkerMessage) => {
      const task = this.busy.get(w);
      if (!task) return;
      if (m.type === 'event') {
        task.onEvent(m.event);
        return;
      }
      this.busy.delete(w);
      // A wasm heap never shrinks, and what one strategy left fragmented the next one grows past
      // (seven strategies in one worker: 1.0 -> 2.1 GB at a 30 MB table): a large one is replaced.
      if (m.type === 'result' && m.heapBytes !== null && m.heapBytes > this.recycleHeap && !this.closed) this.replace(w);
      else this.idle.push(w);
      if (m.type === 'result') task.resolve(m.result);
      else {
        const e = new Error(`worker: ${m.message}`);
        e.stack = m.stack;
        task.reject(e);
      }
      this.dispatch();
    });
    const fail = (e: Error) => {
      this.broken ??= e;
      this.busy.get(w)?.reject(e);
      this.busy.delete(w);
      for (const t of this.queue.splice(0)) t.reject(e);
    };
    w.once('error', fail);
    w.once('exit', (code) => {
      if (!this.closed && !this.retired.has(w)) fail(new Error(`a training worker exited (code ${code})`));
    });
    return w;
  }

  /** Terminate `w` (not awaited) and put a fresh worker in its place. */
  private replace(w: Worker): void {
    this.retired.add(w);
    this.replacements++;
    void w.terminate();
    this.idle.push(this.spawn());
  }

  /**
   * Train `name` on the inputs of (scenario, seed) in a worker; resolves with its results. The inputs
   * are moved into shared memory first (once: the test period's candidates too, which every strategy
   * scores), so a message carries their object graph and never a copy of the data.
   */
  train(
    inputs: TrainingInputs,
    seed: number,
    name: string,
    candidates: ReplayWork,
    priority: number,
    onEvent: Listener,
    retrain: RetrainLoop[] = [],
  ): Promise<TrainedResult> {
    if (this.broken) return Promise.reject(this.broken);
    testCandidatesOf(inputs);
    shareArrays(inputs);
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, seed, name, candidates, retrain, priority, onEvent, resolve, reject });
      this.queue.sort((a, b) => a.priority - b.priority || (strategy(b.name).cost ?? 1) - (strategy(a.name).cost ?? 1));
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift()!;
      const t = this.queue.shift()!;
      this.busy.set(w, t);
      // The inputs' arrays are in shared memory: the message carries the object graph, not the data.
      const key = `${t.seed}:${t.inputs.world.fingerprint}:${JSON.stringify(t.inputs.world.scenario)}`;
      w.postMessage({ key, inputs: t.inputs, seed: t.seed, name: t.name, candidates: t.candidates, retrain: t.retrain });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }

  /** Stop now: every task in flight or queued fails with `reason`, and the workers are terminated without waiting. */
  abort(reason: Error): void {
    this.broken ??= reason;
    for (const t of [...this.busy.values(), ...this.queue.splice(0)]) t.reject(reason);
    this.busy.clear();
    void this.close().catch(() => {});
  }
}

export async function trainAll(p: TrainingInputs, names: string[], seed: number, o: ParallelOptions, onEvent: Listener): Promise<TrainedResult[]> {
  o.signal?.throwIfAborted();
  const workers = Math.max(1, Math.min(o.workers, names.length));
  // This thread's wasm heap cannot be given back: strategies that would grow it far train in a worker that can be replaced.
  const work = (name: string): ReplayWork => o.candidates.has(name) && (o.shard ?? true);
  const heavy = o.backend === 'wasm' && names.length > 1 && names.some((n) => modelFootprint(p.world.scenario, n, p.world.layout).wasmHeapBytes > RECYCLE_HEAP);
  if (workers === 1 && !o.pool && !heavy) {
    const out: TrainedResult[] = [];
    for (const name of names) out.push(await trainOne(p, name, seed, work(name), onEvent, o.signal, o.retrain?.get(name)));
    return out;
  }
  const pool = o.pool ?? new TrainingPool(workers, o.backend);
  const onAbort = () => pool.abort(o.signal!.reason instanceof Error ? o.signal!.reason : new Error(String(o.signal!.reason)));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parts = rankingParts(p, o, pool.size);
    return await Promise.all(
      names.map((n) =>
        work(n) === true && parts > 1
          ? rankInParts(pool, p, seed, n, parts, o.priority ?? 0, onEvent)
          : pool.train(p, seed, n, work(n), o.priority ?? 0, onEvent, o.retrain?.get(n)),
      ),
    );
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    if (!o.pool && !o.signal?.aborted) await pool.close();
  }
}

/**
 * One arm trained in every part (the same weights: training is deterministic for a strategy and seed)
 * and its replay ranked chunk k by part k mod `parts`; the slates put back in request order are those
 * one worker ranking the whole replay would hold. The first part's results stand for the strategy;
 * the others report their ranking only.
 */
async function rankInParts(
  pool: TrainingPool,
  p: TrainingInputs,
  seed: number,
  name: string,
  parts: number,
  priority: number,
  onEvent: Listener,
): Promise<TrainedResult> {
  const quiet: Listener = (e) => {
    if (e.type === 'log') onEvent(e);
  };
  const results = await Promise.all(
    Array.from({ length: parts }, (_, k) => pool.train(p, seed, name, { index: k, count: parts }, priority, k ? quiet : onEvent)),
  );
  return { ...results[0], ...interleaveSlates(results.map((r) => ({ slates: r.slates!, slateChunks: r.slateChunks! }))) };
}

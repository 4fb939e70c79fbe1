// The PyTorch yardstick: twins of crossab's strategies in one persistent Python process, so each
// strategy is measured A (tfjs), B (PyTorch), A, B… in alternation, and the machine's CPU time used
// by anything else during each pair, so a ratio is only reported when the machine was otherwise idle.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ACTIVITY_LEVELS, type Dataset } from '../src/data/dataset.js';
import type { TrainingConfig } from '../src/scenario/schema.js';
import { TrainingSchema } from '../src/scenario/blocks.js';
import { DEFAULT_LORA_RANK } from '../src/models/mlora.js';
import { DEFAULT_HAMUR_RANK } from '../src/models/hamur.js';
import { DEFAULT_SOFT_SHARING } from '../src/models/soft-sharing.js';
import { DEFAULT_SLUICE_ORTHOGONALITY } from '../src/models/sluice.js';

export interface TwinResult {
  samples_per_s: number;
  wall_s: number;
  cpu_s: number;
}

export interface Twins {
  version: string;
  /** The BLAS library the twins' process loaded (from its memory map), e.g. openblas-pthread. */
  blas: string;
  names: string[];
  measure(strategy: string, batch: number, steps: number, warmup: number): Promise<TwinResult>;
  /** Train a twin with crossab's recipe (epochs, early stopping) and write its test rows' click probabilities to `path` (float32). */
  fit(strategy: string, seed: number, path: string): Promise<{ epochs: number; valid_auc: number }>;
  pid: number;
  close(): void;
}

/** The Python with torch (Debian's python3-torch lives in /usr/bin's Python), or null. */
export function torchPython(): string | null {
  return ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) ?? null;
}

/**
 * Write the rows the twins read: the same rows, columns and shapes crossab trains on, and after them
 * (for the AUC parity) the validation and test rows, the counts of each in the meta file.
 */
export function writeDump(
  dir: string,
  ds: Dataset,
  train: Int32Array,
  t: TrainingConfig,
  batches: number[],
  heldOut: { valid: Int32Array; test: Int32Array } = { valid: new Int32Array(0), test: new Int32Array(0) },
): string {
  const rows = Int32Array.from([...train, ...heldOut.valid, ...heldOut.test]);
  // Each column: the training rows' values, row after row, in the column's own element type.
  const columns: [string, Int32Array | Float32Array | Uint8Array, number][] = [
    ['cat', ds.cat, ds.fc],
    ['mask', ds.catMask, ds.fc],
    ['num', ds.num, ds.fn],
    ['click', ds.click, 1],
    ['conv', ds.conv, 1],
    ['domain', ds.domain, 1],
    ['user', ds.user, 1],
    ['activity', ds.activity, 1],
  ];
  for (const [name, src, width] of columns) {
    const out = new (src.constructor as new (n: number) => typeof src)(rows.length * width);
    rows.forEach((r, k) => out.set(src.subarray(r * width, (r + 1) * width), k * width));
    writeFileSync(join(dir, `data.${name}`), out);
  }
  const meta = join(dir, 'data.json');
  writeFileSync(
    meta,
    JSON.stringify({
      fc: ds.fc,
      fn: ds.fn,
      tableRows: ds.tableRows,
      dim: t.embeddingDim,
      hidden: t.hidden,
      tower: t.tower,
      experts: t.experts,
      specificExperts: t.specificExperts,
      levels: t.levels,
      loraRank: t.loraRank ?? DEFAULT_LORA_RANK,
      hamurRank: t.hamurRank ?? DEFAULT_HAMUR_RANK,
      softSharing: t.softSharing ?? DEFAULT_SOFT_SHARING,
      sluiceOrthogonality: t.sluiceOrthogonality ?? DEFAULT_SLUICE_ORTHOGONALITY,
      domains: ds.domains,
      activityLevels: ACTIVITY_LEVELS,
      lr: t.learningRate,
      maml: t.maml,
      commonCat: Array.from(ds.commonCat),
      batches,
      nTrain: train.length,
      nValid: heldOut.valid.length,
      nTest: heldOut.test.length,
      patience: t.patience,
      epochs: t.epochs,
      batchSize: t.batchSize,
      // GradNorm's α and rate for 'shared-bottom-esmm+gradnorm': the scenario's, else the schema's defaults.
      gradNorm: t.lossWeights?.gradNorm ?? TrainingSchema.parse({ lossWeights: { gradNorm: {} } }).lossWeights?.gradNorm,
    }),
  );
  return meta;
}

/** Every thread pool the twins could use pinned to one thread: torch's are set in the script, BLAS's must be set before it loads. */
const ONE_THREAD = {
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  BLIS_NUM_THREADS: '1',
  VECLIB_MAXIMUM_THREADS: '1',
  NUMEXPR_NUM_THREADS: '1',
};

export async function startTwins(python: string, script: string, meta: string): Promise<Twins> {
  const child: ChildProcessWithoutNullStreams = spawn(python, [script, meta], { env: { ...process.env, ...ONE_THREAD }, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`the PyTorch twins stopped: ${stderr.trim().split('\n').pop() ?? ''}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const hello = (await next()) as { torch: string; twins: string[] };
  return {
    version: hello.torch,
    blas: blasOf(child.pid!),
    names: hello.twins,
    pid: child.pid!,
    async measure(strategy, batch, steps, warmup) {
      child.stdin.write(`${JSON.stringify({ strategy, batch, steps, warmup })}\n`);
      return (await next()) as unknown as TwinResult;
    },
    async fit(strategy, seed, path) {
      child.stdin.write(`${JSON.stringify({ fit: strategy, seed, path })}\n`);
      return (await next()) as unknown as { epochs: number; valid_auc: number };
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

/**
 * Which BLAS a process has loaded. Debian's python3-torch links the generic libblas.so.3, which is
 * the reference BLAS unless an optimised one (libopenblas0-pthread) is installed: measured here, the
 * reference BLAS made the twins ~4× slower (separate 79k vs 344k samples/s), a yardstick of nothing.
 */
function blasOf(pid: number): string {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  const libs = [
    ...new Set(
      maps
        .split('\n')
        .map((l) => l.split(/\s+/)[5] ?? '')
        .filter((p) => /blas|blis|mkl/i.test(p)),
    ),
  ];
  const file = (p: string) => p.split('/').pop() ?? p;
  const optimised = libs.map(file).filter((f) => /openblas|blis|mkl/i.test(f));
  if (optimised.length) return optimised.join(', ');
  return libs.length ? `reference (${libs.map((p) => p.split('/').slice(-2).join('/')).join(', ')})` : 'none found';
}

/** Busy and stolen CPU seconds of the whole machine (all cores) since boot, from /proc/stat. */
function machineSeconds(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle, iowait and steal; steal is
  // time the hypervisor gave this machine's cores to someone else.
  const busy = f.slice(0, 7).reduce((a, b) => a + b, 0) - f[3] - f[4];
  return { busy: busy / 100, steal: (f[7] ?? 0) / 100 }; // USER_HZ
}

/** CPU seconds (user + system, all threads) of a process, from /proc/<pid>/stat. */
function processSeconds(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Measures how much CPU everything but the given processes used during a stretch of time, in cores
 * (0 = nothing else ran; 1 = another process kept a whole core busy), and how much the hypervisor
 * stole. Resolution: 10 ms of CPU.
 */
export function otherLoad(pids: number[]): () => { others: number; steal: number } {
  const t0 = performance.now();
  const m0 = machineSeconds();
  const own0 = pids.reduce((a, p) => a + processSeconds(p), 0);
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const m = machineSeconds();
    const others = m.busy - m0.busy - (pids.reduce((a, p) => a + processSeconds(p), 0) - own0);
    return { others: Math.max(0, others) / wall, steal: (m.steal - m0.steal) / wall };
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

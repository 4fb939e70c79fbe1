// The runs a check judges: one complete stored run per seed, reused when the store already holds one
// made from the same scenario (ignoring its expectations and prose), seed, crossab build, backend and
// generated data; otherwise run now and stored like any `crossab run`.
import type { Scenario } from '../scenario/schema.js';
import type { Listener } from '../util/events.js';
import { completeRuns } from '../store/catalog.js';
import { trainingInputs } from '../data/inputs.js';
import { generateWorld } from '../world/world.js';
import { executeRun } from '../experiment/experiment.js';
import type { RunPlan } from '../experiment/plan.js';
import { newHandle, type RunHandle } from '../experiment/cancel.js';
import { DEFAULT_WORKERS, TrainingPool } from '../train/parallel.js';
import { VERSION } from '../util/version.js';
import { UserError } from '../util/errors.js';

export interface SeedRun {
  seed: number;
  runId: string;
  reused: boolean;
  seconds: number;
}

/** What decides a run's results, as canonical JSON: not its name, prose, expectations, seed or strategy list. */
export function runKey(s: Record<string, unknown>): string {
  const ignored = new Set(['$schema', 'description', 'seed', 'expectations', 'check', 'strategies', 'name']);
  const rest = Object.fromEntries(Object.entries(s).filter(([k]) => !ignored.has(k)));
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(rest));
}

interface Wanted {
  scenario: Scenario;
  seed: number;
  backend: string;
  /** The generated data's fingerprint; null: any (a sweep's unit key already pinned build, scenario and seed). */
  fingerprint: string | null;
  strategies: string[];
  arms: string[];
  control: string;
  exclude: string[];
  /** Re-randomised assignments the run must have graded (0: none needed). */
  grade: number;
}

/** The newest complete stored run that has everything `w` needs, or null. */
export async function findReusable(dbPath: string, w: Wanted): Promise<string | null> {
  const rows = await completeRuns(dbPath, { scenario: w.scenario.name, seed: w.seed, version: VERSION, backend: w.backend, fingerprint: w.fingerprint });
  const key = runKey(w.scenario as unknown as Record<string, unknown>);
  const hit = rows.find((r) => {
    if (w.exclude.includes(r.run_id!)) return false;
    const trained = new Set(String(r.strategies).split(','));
    if (w.grade && Number(r.graded) !== w.grade) return false;
    return w.strategies.every((n) => trained.has(n)) && r.arms === w.arms.join(',') && r.control === w.control && runKey(JSON.parse(r.scenario_json!)) === key;
  });
  return hit ? hit.run_id! : null;
}

export interface EnsureOptions {
  db: string;
  /** The scenario's plan (strategies, arms, backend), made once for all its seeds. */
  plan: RunPlan;
  /** Never reuse: run every seed again. */
  fresh: boolean;
  /** Run IDs that must not be reused (a baseline is not its own candidate). */
  exclude?: string[];
  handle: RunHandle;
  /** Worker threads for training each run. */
  workers?: number;
  /** Grade each run's decisions over this many re-randomised assignments (0 or absent: no grading). */
  grade?: number;
  /** Run nothing: a seed without a reusable run is an error naming it (check --from: the sweep named here made the runs). */
  reuseOnly?: string;
}

/** Seeds trained at once by a check: the next seed's strategies fill the cores while the last ones of the previous seed finish. */
export const CONCURRENT_SEEDS = 2;

/**
 * One complete stored run per seed, reusing what the store holds. Seeds to train share one pool of
 * worker threads, up to CONCURRENT_SEEDS at a time, the earlier seed's strategies first; each run's
 * numbers are those of a run on its own (each strategy trains alone in a worker with its own seeds).
 */
export async function ensureRuns(scenario: Scenario, seeds: number[], o: EnsureOptions, onEvent: Listener): Promise<SeedRun[]> {
  const { names, arms, backend, engine } = o.plan;
  const workers = o.workers ?? DEFAULT_WORKERS;
  // check --from trains nothing, so it starts no worker threads.
  const pool = workers > 1 && !o.reuseOnly ? new TrainingPool(workers, backend) : undefined;
  const out: SeedRun[] = [];
  const inFlight = new Set<Promise<void>>();
  const errors: Error[] = [];
  const missing: number[] = [];
  o.handle.others = new Set();
  try {
    for (const [index, seed] of seeds.entries()) {
      while (inFlight.size >= (pool ? CONCURRENT_SEEDS : 1)) await Promise.race(inFlight);
      if (errors.length) break;
      const t0 = performance.now();
      // The data's fingerprint decides reuse; the model inputs are built only when training. A sweep's
      // runs are matched without it: their unit key hashed this build, scenario and seed, and
      // regenerating every world only to compare fingerprints was most of check --from's time.
      const world = o.reuseOnly ? null : generateWorld(scenario, seed);
      const stored = o.fresh
        ? null
        : await findReusable(o.db, {
            scenario,
            seed,
            backend: engine,
            fingerprint: world?.fingerprint ?? null,
            strategies: names,
            arms: arms.arms.map((a) => a.name),
            control: arms.arms[arms.control].name,
            exclude: o.exclude ?? [],
            grade: o.grade ?? 0,
          });
      if (stored) {
        onEvent({ type: 'log', message: `${scenario.name} seed ${seed}: reusing stored run ${stored}` });
        out[index] = { seed, runId: stored, reused: true, seconds: 0 };
        continue;
      }
      if (o.reuseOnly) {
        missing.push(seed);
        continue;
      }
      onEvent({ type: 'log', message: `${scenario.name} seed ${seed}: training ${names.join(', ')}` });
      const handle = newHandle(o.db);
      o.handle.others.add(handle);
      const job = executeRun(
        { scenario, seed, db: o.db, report: false, plan: o.plan, inputs: trainingInputs(world!), workers, pool, priority: index, grade: o.grade || undefined },
        onEvent,
        handle,
      )
        .then((r) => {
          out[index] = { seed, runId: r.runId, reused: false, seconds: (performance.now() - t0) / 1000 };
        })
        .catch((e: Error) => {
          errors.push(e);
        })
        .finally(() => {
          inFlight.delete(job);
          o.handle.others!.delete(handle);
        });
      inFlight.add(job);
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  if (errors.length) throw errors[0];
  if (missing.length)
    throw new UserError(
      `check: ${scenario.name}: no run of seed${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in the store or in the sweep ${o.reuseOnly}; run its shards (crossab sweep status ${o.reuseOnly})`,
    );
  return out;
}

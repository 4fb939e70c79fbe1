// The runs a check judges: one complete stored run per seed, reused when the store already holds one
// made from the same scenario (ignoring its expectations and prose), seed, crossab build, backend and
// generated data; otherwise run now and stored like any `crossab run`.
import type { Scenario } from '../scenario/schema.js';
import type { Listener } from '../events.js';
import { openDb } from '../store/db.js';
import { sqlString } from '../store/columns.js';
import { trainingInputs } from '../pipeline.js';
import { generateWorld } from '../world/world.js';
import { checkRun, executeRun, type RunHandle } from '../run.js';
import { selectBackend } from '../tf/backend.js';
import { VERSION } from '../version.js';

export interface SeedRun {
  seed: number;
  runId: string;
  reused: boolean;
  seconds: number;
}

/** What decides a run's results, as canonical JSON: not its name, prose, expectations, seed or strategy list. */
export function runKey(s: Record<string, unknown>): string {
  const { $schema, description, seed, expectations, check, strategies, name, ...rest } = s;
  void $schema, void description, void seed, void expectations, void check, void strategies, void name;
  const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(canon(rest));
}

interface Wanted {
  scenario: Scenario;
  seed: number;
  backend: string;
  fingerprint: string;
  strategies: string[];
  arms: string[];
  control: string;
  exclude: string[];
}

/** The newest complete stored run that has everything `w` needs, or null. */
export async function findReusable(dbPath: string, w: Wanted): Promise<string | null> {
  const db = await openDb(dbPath);
  try {
    const rows = (await db.con.runAndReadAll(`SELECT run_id, scenario_json, strategies, arms, control FROM runs
      WHERE status = 'complete' AND scenario = ${sqlString(w.scenario.name)} AND seed = ${w.seed} AND version = ${sqlString(VERSION)}
        AND backend = ${sqlString(w.backend)} AND fingerprint = ${sqlString(w.fingerprint)}
      ORDER BY finished_at DESC, run_id DESC`)).getRowObjectsJson() as Record<string, string | null>[];
    const key = runKey(w.scenario as unknown as Record<string, unknown>);
    const hit = rows.find((r) => {
      if (w.exclude.includes(r.run_id!)) return false;
      const trained = new Set(String(r.strategies).split(','));
      return w.strategies.every((n) => trained.has(n)) && r.arms === w.arms.join(',') && r.control === w.control
        && runKey(JSON.parse(r.scenario_json!)) === key;
    });
    return hit ? hit.run_id! : null;
  } finally {
    db.close();
  }
}

export interface EnsureOptions {
  db: string;
  backend?: string;
  /** Never reuse: run every seed again. */
  fresh: boolean;
  /** Run IDs that must not be reused (a baseline is not its own candidate). */
  exclude?: string[];
  handle: RunHandle;
  /** Worker threads for training each run. */
  workers?: number;
}

/** One complete stored run per seed, reusing what the store holds. */
export async function ensureRuns(scenario: Scenario, seeds: number[], o: EnsureOptions, onEvent: Listener): Promise<SeedRun[]> {
  const { names, arms } = await checkRun({ scenario, db: o.db, report: false });
  const backend = await selectBackend(o.backend);
  const out: SeedRun[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    // The data's fingerprint decides reuse; the model inputs are built only when training.
    const world = generateWorld(scenario, seed);
    const stored = o.fresh ? null : await findReusable(o.db, {
      scenario, seed, backend, fingerprint: world.fingerprint, strategies: names,
      arms: arms.arms.map((a) => a.name), control: arms.arms[arms.control].name, exclude: o.exclude ?? [],
    });
    if (stored) {
      onEvent({ type: 'log', message: `${scenario.name} seed ${seed}: reusing stored run ${stored}` });
      out.push({ seed, runId: stored, reused: true, seconds: 0 });
      continue;
    }
    onEvent({ type: 'log', message: `${scenario.name} seed ${seed}: training ${names.join(', ')}` });
    o.handle.runId = null;
    o.handle.finishing = null;
    const r = await executeRun({ scenario, seed, db: o.db, backend, report: false, prepared: trainingInputs(world), workers: o.workers }, onEvent, o.handle);
    out.push({ seed, runId: r.runId, reused: false, seconds: (performance.now() - t0) / 1000 });
  }
  return out;
}

// A sweep: the runs a check needs, as a fixed list of units that any number of processes on any
// number of machines share out by index, leaving files under one root folder and nothing else:
//   ROOT/sweep.json                              the plan: scenarios (as run), seeds, build, units
//   ROOT/<table>/scenario=<name>/seed=<n>/<key>.parquet   a finished unit's rows of that table
//   ROOT/_units/<key>.running.json | .done.json | .failed.json   each unit's state, written atomically
// A unit is one (scenario, seed): the run `check` would make for it — every strategy trained,
// evaluated, replayed, graded as the scenario's expectations need — made in a private store and
// exported table by table; its done marker, written last, lists its files, so a unit is finished
// exactly when that marker exists and a killed shard leaves at most stray files that nothing reads.
// Its key hashes what decides its results (build, backend, scenario as run, seed, the run's plan):
// the same unit has the same key on every machine, a rerun skips it, and builds never mix results.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import { parseScenario } from '../scenario/load.js';
import { UserError } from '../util/errors.js';
import { JsonSyntaxError, parseJson } from '../util/json.js';
import type { Listener } from '../util/events.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isAlive, processStamp } from '../util/liveness.js';
import { safeFileName } from '../util/file-name.js';
import { VERSION } from '../util/version.js';
import { exportRun, importRunFiles, isObjectStore, readRootFiles, type RootFiles, type RunFile } from '../store/sweep-files.js';
import { newHandle } from '../experiment/cancel.js';
import { ensureRuns, runKey } from '../check/runs.js';
import { gradeFor, planCheck, type CheckPlan, type SeedChoice } from '../check/suite.js';
import { unitsOfShard } from './shard.js';

export interface Unit {
  key: string;
  scenario: string;
  seed: number;
}

export interface SweepPlan {
  version: string;
  backend: string;
  /** Every scenario as run (defaults filled in) and the file it came from. */
  scenarios: { file: string; scenario: Scenario }[];
  seeds: SeedChoice;
  /** In order: scenario by scenario, seed by seed. Shard i of n takes units i, i + n, i + 2n, … */
  units: Unit[];
}

export type UnitState = 'done' | 'running' | 'interrupted' | 'failed' | 'missing';

/**
 * The root of a sweep, checked. Object storage (s3://, gs://) is read through DuckDB's httpfs; shards
 * write to a folder (a mounted bucket, a shared volume, or a local one synced up after), because their
 * atomic rename and marker removal are file-system operations.
 */
export function sweepRoot(root: string, o: { write?: boolean } = {}): string {
  if (root.trim() === '') throw new UserError('sweep: the root folder is an empty string');
  if (isObjectStore(root)) {
    if (o.write)
      throw new UserError(
        `sweep: shards write to a folder, not to '${root}': mount the bucket (or sync a local folder to it) and give that path; status, merge and check --from read '${root}' directly`,
      );
    return root.replace(/\/+$/, '');
  }
  return resolve(root);
}

const planFile = (root: string) => join(root, 'sweep.json');
const marker = (root: string, key: string, state: 'running' | 'done' | 'failed') => join(root, '_units', `${key}.${state}.json`);

function unitKey(version: string, backend: string, scenario: Scenario, seed: number, plan: CheckPlan['scenarios'][number]): string {
  const run = { strategies: plan.run.names, arms: plan.run.arms.arms.map((a) => a.name), control: plan.run.arms.control, grade: gradeFor(plan) };
  return createHash('sha256')
    .update(JSON.stringify([version, backend, scenario.name, runKey(scenario as unknown as Record<string, unknown>), seed, run]))
    .digest('hex')
    .slice(0, 20);
}

/** Plan the units of the scenarios' checks: everything that can be wrong with the input fails here. */
export async function planSweep(
  files: { file: string; scenario: Scenario }[],
  o: { seeds: SeedChoice; backend?: string },
): Promise<SweepPlan & { check: CheckPlan }> {
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.scenario.name)) throw new UserError(`sweep: two scenarios are named '${f.scenario.name}'; a sweep names its units by scenario`);
    names.add(f.scenario.name);
  }
  // planRun opens its store to validate it; a sweep's stores are its units' own, so a throwaway one.
  const scratch = join(tmpdir(), `crossab-sweep-plan-${process.pid}.duckdb`);
  try {
    const check = await planCheck(files, { db: scratch, backend: o.backend, workers: 1, seeds: o.seeds, baseline: null });
    const backend = check.scenarios[0]?.run.backend ?? 'wasm';
    const units = check.scenarios.flatMap((p) =>
      p.seeds.map((seed) => ({ key: unitKey(VERSION, p.run.engine, p.scenario, seed, p), scenario: p.scenario.name, seed })),
    );
    return { version: VERSION, backend, scenarios: files, seeds: o.seeds, units, check };
  } finally {
    rmSync(scratch, { force: true });
    rmSync(`${scratch}.wal`, { force: true });
  }
}

/** Write the plan to ROOT/sweep.json; a root that holds another sweep's plan is refused. */
export function writePlan(root: string, plan: SweepPlan): void {
  mkdirSync(root, { recursive: true });
  const body = JSON.stringify({ version: plan.version, backend: plan.backend, seeds: plan.seeds, scenarios: plan.scenarios, units: plan.units }, null, 1);
  if (existsSync(planFile(root))) {
    const old = readPlanFile(root);
    if (JSON.stringify(old.units) !== JSON.stringify(plan.units))
      throw new UserError(`sweep: ${root} holds another sweep (its units differ: another build, backend, scenario or seeds); use a new root`);
    return;
  }
  writeFileAtomic(planFile(root), `${body}\n`);
}

function readPlanFile(root: string): SweepPlan {
  return parsePlan(root, existsSync(planFile(root)) ? readFileSync(planFile(root), 'utf8') : undefined);
}

function parsePlan(root: string, text: string | undefined): SweepPlan {
  if (text === undefined) throw new UserError(`sweep: no sweep at '${root}' (no sweep.json); run 'crossab sweep plan … --root ${root}' first`);
  let raw: SweepPlan;
  try {
    raw = parseJson(text) as SweepPlan;
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UserError(`sweep: ${root}/sweep.json is not valid JSON (${e.message})`);
    throw e;
  }
  if (!Array.isArray(raw?.units) || !Array.isArray(raw?.scenarios)) throw new UserError(`sweep: ${root}/sweep.json is not a sweep plan`);
  return { ...raw, scenarios: raw.scenarios.map((s) => ({ file: s.file, scenario: parseScenario(s.scenario, `${basename(s.file)} in sweep.json`) })) };
}

/** The plan at ROOT, re-planned by this build: its units must be the ones the plan lists (same build, backend, scenarios, seeds). */
export async function loadPlan(root: string, backend?: string): Promise<SweepPlan & { check: CheckPlan }> {
  const stored = readPlanFile(root);
  const plan = await planSweep(stored.scenarios, { seeds: stored.seeds, backend: backend ?? stored.backend });
  if (JSON.stringify(plan.units) !== JSON.stringify(stored.units))
    throw new UserError(
      `sweep: this build (${plan.version}, ${plan.backend}) is not the one that planned ${root} (${stored.version}, ${stored.backend}); run the shards with the same build, or plan a new root`,
    );
  return plan;
}

interface DoneMarker {
  key: string;
  scenario: string;
  seed: number;
  runId: string;
  seconds: number;
  host: string;
  finishedAt: string;
  files: RunFile[];
}

const markerName = (key: string, state: 'running' | 'done' | 'failed') => `_units/${key}.${state}.json`;

/** A marker's content, or null when it is absent or torn (a marker is written whole, so torn means foreign). */
const readMarker = <T>(files: RootFiles, key: string, state: 'running' | 'done' | 'failed'): T | null => {
  const text = files.texts.get(markerName(key, state));
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
};

export interface UnitStatus {
  unit: Unit;
  state: UnitState;
  detail: string;
  seconds?: number;
}

/** Each unit's state, from the files alone: done, running (its process alive, or on another host), interrupted (its process gone), failed or missing. */
function unitStates(files: RootFiles, units: Unit[]): UnitStatus[] {
  const here = hostname();
  return units.map((unit) => {
    const done = readMarker<DoneMarker>(files, unit.key, 'done');
    if (done) return { unit, state: 'done', detail: `run ${done.runId}, ${done.seconds.toFixed(1)} s on ${done.host}`, seconds: done.seconds };
    const running = readMarker<{ pid: number; stamp: string | null; host: string; startedAt: string }>(files, unit.key, 'running');
    const failed = readMarker<{ error: string; at: string }>(files, unit.key, 'failed');
    if (running && (!failed || running.startedAt > failed.at)) {
      if (running.host === here && !isAlive(running.pid, running.stamp))
        return { unit, state: 'interrupted', detail: `its process (PID ${running.pid}) ended without finishing it` };
      return { unit, state: 'running', detail: `PID ${running.pid} on ${running.host} since ${running.startedAt}` };
    }
    if (failed) return { unit, state: 'failed', detail: failed.error };
    return { unit, state: 'missing', detail: '' };
  });
}

export interface ShardOutcome {
  ran: number;
  skipped: number;
  failed: { unit: Unit; error: string }[];
  seconds: number;
}

/**
 * Run shard `index` of `count`: each of its units not finished yet, one after another (each trains on
 * `workers` threads), leaving its files and its done marker; a failed unit is marked and the rest go on.
 */
export async function runShard(
  root: string,
  plan: SweepPlan & { check: CheckPlan },
  shard: { index: number; count: number },
  o: { workers?: number },
  onEvent: Listener,
): Promise<ShardOutcome> {
  const mine = unitsOfShard(plan.units, shard.index, shard.count);
  const t0 = performance.now();
  const out: ShardOutcome = { ran: 0, skipped: 0, failed: [], seconds: 0 };
  const todo = mine.filter((u) => !existsSync(marker(root, u.key, 'done')));
  out.skipped = mine.length - todo.length;
  onEvent({
    type: 'log',
    message: `shard ${shard.index}/${shard.count}: ${mine.length} of ${plan.units.length} units, ${out.skipped} finished already, ${todo.length} to run`,
  });
  let spent = 0;
  const work = join(root, '_work');
  removeDeadWork(work, new Set(todo.map((u) => u.key)));
  if (todo.length) for (const dir of [work, join(root, '_units')]) mkdirSync(dir, { recursive: true });
  for (const [k, unit] of todo.entries()) {
    const p = plan.check.scenarios.find((s) => s.scenario.name === unit.scenario)!;
    const db = join(work, `${unit.key}-${process.pid}.duckdb`);
    const startedAt = new Date().toISOString();
    writeFileAtomic(marker(root, unit.key, 'running'), JSON.stringify({ pid: process.pid, stamp: processStamp(), host: hostname(), startedAt }));
    const t1 = performance.now();
    try {
      const [run] = await ensureRuns(
        p.scenario,
        [unit.seed],
        { db, plan: p.run, fresh: true, handle: newHandle(db), workers: o.workers, grade: gradeFor(p) },
        onEvent,
      );
      const dir = join(root, '%TABLE%', `scenario=${safeFileName(unit.scenario)}`, `seed=${unit.seed}`);
      const files = await exportRun(db, run.runId, (table) => join(dir.replace('%TABLE%', table), `${unit.key}.parquet`));
      const seconds = (performance.now() - t1) / 1000;
      const done: DoneMarker = {
        key: unit.key,
        scenario: unit.scenario,
        seed: unit.seed,
        runId: run.runId,
        seconds,
        host: hostname(),
        finishedAt: new Date().toISOString(),
        files: files.map((f) => ({ ...f, path: f.path.slice(root.length + 1) })),
      };
      writeFileAtomic(marker(root, unit.key, 'done'), `${JSON.stringify(done, null, 1)}\n`);
      rmSync(marker(root, unit.key, 'running'), { force: true });
      rmSync(marker(root, unit.key, 'failed'), { force: true });
      out.ran++;
      spent += seconds;
      const left = todo.length - k - 1;
      onEvent({
        type: 'log',
        message: `unit ${out.skipped + k + 1}/${mine.length} of shard ${shard.index}/${shard.count} done: ${unit.scenario} seed ${unit.seed} in ${seconds.toFixed(1)} s${left ? `; ${left} left, ETA ${Math.round((spent / (k + 1)) * left)} s` : ''}`,
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') throw e;
      const error = (e as Error).message.split('\n')[0];
      writeFileAtomic(marker(root, unit.key, 'failed'), JSON.stringify({ error, at: new Date().toISOString(), host: hostname() }));
      rmSync(marker(root, unit.key, 'running'), { force: true });
      out.failed.push({ unit, error });
      onEvent({ type: 'log', message: `unit ${unit.scenario} seed ${unit.seed} failed: ${error}` });
    } finally {
      for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
    }
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

/**
 * A killed unit leaves its private store (`_work/KEY-PID.duckdb`, and its .wal) behind. The next run of
 * the shard that owns the unit removes it, unless its writer still runs on this machine.
 */
function removeDeadWork(work: string, keys: ReadonlySet<string>): void {
  if (!existsSync(work)) return;
  for (const name of readdirSync(work)) {
    const m = /^(.+)-(\d+)\.duckdb(\.wal)?$/.exec(name);
    if (m && keys.has(m[1]) && !isAlive(Number(m[2]))) rmSync(join(work, name), { force: true });
  }
}

/** The sweep at ROOT as units by state, and the files it holds. */
export async function sweepStatus(root: string): Promise<{ plan: SweepPlan; states: UnitStatus[]; files: RootFiles }> {
  const files = await readRootFiles(root);
  const plan = parsePlan(root, files.texts.get('sweep.json'));
  return { plan, states: unitStates(files, plan.units), files };
}

/** Merge every finished unit's files into the store; the units not finished are returned, not skipped silently. */
export async function mergeSweep(
  root: string,
  db: string,
  o: { sameBuild?: boolean } = {},
): Promise<{ plan: SweepPlan; added: string[]; skipped: string[]; unfinished: UnitStatus[]; seconds: number }> {
  const t0 = performance.now();
  const { plan, states, files } = await sweepStatus(root);
  // A check reuses only runs of its own build: another build's sweep would merge and then match nothing.
  if (o.sameBuild && plan.version !== VERSION)
    throw new UserError(`sweep: ${root} was made by build ${plan.version}; this is ${VERSION}: judge it with that build, or plan and run the sweep again`);
  const present = new Set(files.data);
  const toRead: RunFile[] = [];
  for (const s of states) {
    if (s.state !== 'done') continue;
    for (const f of readMarker<DoneMarker>(files, s.unit.key, 'done')!.files) {
      if (!present.has(f.path))
        throw new UserError(
          `sweep: unit ${s.unit.scenario} seed ${s.unit.seed} is marked done but its file ${f.path} is missing; delete ${root}/${markerName(s.unit.key, 'done')} and rerun its shard`,
        );
      toRead.push({ ...f, path: `${root}/${f.path}` });
    }
  }
  const { added, skipped } = await importRunFiles(db, toRead);
  return { plan, added, skipped, unfinished: states.filter((s) => s.state !== 'done'), seconds: (performance.now() - t0) / 1000 };
}

/** Files under ROOT that no done marker lists (a killed unit's, or a temporary file): what a cleanup may delete. */
export function strayFiles(files: RootFiles): string[] {
  const listed = new Set<string>();
  for (const [name, text] of files.texts)
    if (name.endsWith('.done.json'))
      try {
        for (const x of (JSON.parse(text) as DoneMarker).files ?? []) listed.add(x.path);
      } catch {
        // a torn marker lists nothing
      }
  return files.data.filter((f) => !listed.has(f));
}

// `crossab check`: regression-test strategy choices. Each scenario's expectations are judged on paired
// per-seed values from stored runs (reused when identical, run otherwise); `--baseline` compares new
// runs with a stored run metric by metric. Exit 0 all pass, 1 any fail (or inconclusive, unless
// allowed), 2 bad input.
import { basename } from 'node:path';
import { loadScenario, parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { UserError } from '../util/errors.js';
import { plainLogger } from '../util/logger.js';
import { silent } from '../util/events.js';
import { formatTable } from '../util/table.js';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { sqlString } from '../store/columns.js';
import { checkRun, withCancellation, type RunHandle } from '../experiment/experiment.js';
import { resolveRunId } from '../store/run-data.js';
import { claims, claimValue, type Claim } from '../check/expectations.js';
import { ensureRuns, type SeedRun } from '../check/runs.js';
import { judge } from '../check/judge.js';
import { writeJunit, type CaseResult, type Suite } from '../check/junit.js';
import { DEFAULT_TOLERANCES, compareWithBaseline, moveCase, type Tolerances } from '../check/baseline.js';
import { checkOutputPath, intFlag, parse } from './args.js';
import { COMMANDS } from './specs.js';

const DEFAULT_SEED_COUNT = 3;

/** '1,2,3' is a list of seeds; a single number N is N seeds counting up from the scenario's seed. */
export function parseSeeds(value: string | undefined): { list?: number[]; count?: number } {
  if (value === undefined) return {};
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p))) throw new UserError(`check: --seeds must be a count (5) or a list of seeds (1,2,3), got '${value}'`);
  const nums = parts.map(Number);
  if (nums.some((n) => n > 2 ** 31 - 1)) throw new UserError(`check: --seeds: a seed must be at most ${2 ** 31 - 1}`);
  if (value.includes(',')) {
    if (new Set(nums).size !== nums.length) throw new UserError(`check: --seeds lists a seed twice ('${value}')`);
    return { list: nums };
  }
  if (nums[0] < 1 || nums[0] > 100) throw new UserError(`check: --seeds N must be between 1 and 100, got ${nums[0]}`);
  return { count: nums[0] };
}

function seedsFor(s: Scenario, flag: { list?: number[]; count?: number }, fallback?: number[]): number[] {
  if (flag.list) return flag.list;
  if (flag.count) return Array.from({ length: flag.count }, (_, k) => s.seed + k);
  return fallback ?? s.check?.seeds ?? Array.from({ length: DEFAULT_SEED_COUNT }, (_, k) => s.seed + k);
}

export function parseTolerances(value: string | undefined): Tolerances {
  const tol: Tolerances = { ...DEFAULT_TOLERANCES };
  if (value === undefined) return tol;
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !(m[1] in tol)) throw new UserError(`check: --tolerance takes metric=value pairs for ${Object.keys(tol).join(', ')}; got '${part}'`);
    tol[m[1] as keyof Tolerances] = Number(m[2]);
  }
  return tol;
}

interface Judged extends CaseResult {
  /** The expectation judged; none for a baseline comparison. */
  claim?: Claim;
  values: number[];
  mean: number;
  ciLow: number;
  ciHigh: number;
}

interface ScenarioResult {
  scenario: string;
  file: string;
  runs: SeedRun[];
  judged: Judged[];
  seconds: number;
}

const num = (x: number) => (Number.isFinite(x) ? x : null);
const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');

export async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parse('check', argv, COMMANDS.check.flags, COMMANDS.check.positionals);
  const workers = intFlag('check', 'workers', values.workers, 1, 64);
  const baselineId = values.baseline;
  if (!baselineId && positionals.length === 0) throw new UserError("check: missing scenario file; see 'crossab check --help'");
  if (baselineId && positionals.length > 1) throw new UserError('check: --baseline compares one scenario; give at most one scenario file');
  if (!baselineId && values.tolerance !== undefined) throw new UserError('check: --tolerance applies only with --baseline');
  const seedFlag = parseSeeds(values.seeds);
  const tol = parseTolerances(values.tolerance);
  const dbPath = checkOutputPath('check', 'db', values.db ?? DEFAULT_DB);
  const junit = values.junit === undefined ? undefined : checkOutputPath('check', 'junit', values.junit, '.xml');
  const allow = !!values['allow-inconclusive'];
  const log = values.json ? silent : plainLogger(process.stderr, true);
  const handle: RunHandle = { runId: null, db: dbPath, finishing: null };

  // Everything that can be wrong with the input is found before the first run starts.
  let baseline: { runId: string; seed: number; scenario: Scenario } | null = null;
  if (baselineId) {
    const db = await openDb(dbPath, { readOnly: true });
    try {
      const runId = await resolveRunId(db, baselineId);
      const [row] = (await db.con.runAndReadAll(`SELECT seed, scenario_json FROM runs WHERE run_id = ${sqlString(runId)}`)).getRowObjectsJson() as Record<string, string | number>[];
      baseline = { runId, seed: Number(row.seed), scenario: parseScenario(JSON.parse(String(row.scenario_json)), `baseline ${runId}`) };
    } finally {
      db.close();
    }
  }
  const scenarios = positionals.length ? positionals.map((f) => ({ file: f, scenario: loadScenario(f) })) : [{ file: `(run ${baseline!.runId})`, scenario: baseline!.scenario }];
  const plans: { file: string; scenario: Scenario; claims: Claim[]; seeds: number[] }[] = [];
  for (const { file, scenario } of scenarios) {
    const { names } = await checkRun({ scenario, db: dbPath, report: false });
    const cs = baseline ? [] : claims(scenario, names, basename(file));
    if (!baseline && cs.length === 0) throw new UserError(`check: ${basename(file)} has no expectations; add an "expectations" list or use --baseline RUN_ID`);
    plans.push({ file, scenario, claims: cs, seeds: seedsFor(scenario, seedFlag, baseline ? [baseline.seed] : undefined) });
  }

  return withCancellation(handle, async () => {
    const results: ScenarioResult[] = [];
    for (const p of plans) {
      const t0 = performance.now();
      const runs = await ensureRuns(p.scenario, p.seeds, { db: dbPath, backend: values.backend, fresh: !!values.fresh, exclude: baseline ? [baseline.runId] : [], handle, workers }, log);
      const judged: Judged[] = [];
      const db = await openDb(dbPath, { readOnly: true });
      try {
        if (baseline) {
          const moves = await compareWithBaseline(db, baseline.runId, runs.map((r) => r.runId), tol);
          for (const m of moves) {
            const c = moveCase(m, tol);
            judged.push({ ...c, values: [m.candidate], mean: m.delta, ciLow: NaN, ciHigh: NaN });
          }
        }
        for (const c of p.claims) {
          const vals: number[] = [];
          for (const r of runs) vals.push(await claimValue(db, r.runId, c));
          const e = c.expectation;
          const j = judge(vals, { atLeast: e.atLeast, atMost: e.atMost, over: e.over, confidence: e.confidence });
          judged.push({ ...j, claim: c, name: c.label, detail: runs.map((r, k) => `seed ${r.seed} (run ${r.runId}): ${vals[k]}`).join('\n') });
        }
      } finally {
        db.close();
      }
      results.push({ scenario: p.scenario.name, file: p.file, runs, judged, seconds: (performance.now() - t0) / 1000 });
    }

    const every = results.flatMap((r) => r.judged);
    const failed = every.filter((j) => j.verdict === 'fail').length;
    const inconclusive = every.filter((j) => j.verdict === 'inconclusive').length;
    const passed = every.length - failed - inconclusive;
    const code = failed > 0 || (inconclusive > 0 && !allow) ? 1 : 0;
    if (junit) {
      const suites: Suite[] = results.map((r) => ({ name: baseline ? `${r.scenario} vs ${baseline.runId}` : r.scenario, seconds: r.seconds, cases: r.judged }));
      writeJunit(junit, suites, allow);
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({
        baseline: baseline?.runId ?? null, passed, failed, inconclusive, exit_code: code, junit: junit ?? null,
        scenarios: results.map((r) => ({
          scenario: r.scenario, file: r.file, seconds: r.seconds,
          runs: r.runs.map((x) => ({ seed: x.seed, run_id: x.runId, reused: x.reused })),
          results: r.judged.map((j) => ({
            name: j.name, verdict: j.verdict, reason: j.reason, expectation: j.claim ? { ...j.claim.expectation, domain: j.claim.domain } : null,
            values: j.values.map(num), mean: num(j.mean), ci_low: num(j.ciLow), ci_high: num(j.ciHigh),
          })),
        })),
      }) + '\n');
    } else {
      for (const r of results) {
        const reused = r.runs.filter((x) => x.reused).length;
        process.stdout.write(`\n${r.scenario} (${r.file}): seeds ${r.runs.map((x) => x.seed).join(', ')}; ${reused} of ${r.runs.length} runs reused from the store\n`);
        const shown = baseline ? r.judged.filter((j) => j.verdict !== 'pass' || j.reason.startsWith('improved')) : r.judged;
        if (baseline) process.stdout.write(`${r.judged.length} metrics compared with ${baseline.runId}: ${r.judged.filter((j) => j.verdict === 'fail').length} regressed or missing, ${r.judged.filter((j) => j.reason.startsWith('improved')).length} improved (tolerances ${Object.entries(tol).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
        if (shown.length) {
          process.stdout.write(formatTable(baseline ? ['metric', 'delta', 'verdict', 'why'] : ['expectation', 'mean', 'CI', 'verdict', 'why'],
            shown.map((j) => baseline ? [j.name, f4(j.mean), j.verdict.toUpperCase(), j.reason]
              : [j.name, f4(j.mean), Number.isFinite(j.ciLow) ? `[${f4(j.ciLow)}, ${f4(j.ciHigh)}]` : '', j.verdict.toUpperCase(), j.reason])) + '\n');
        }
      }
      const allowed = inconclusive && allow ? ' (inconclusive allowed)' : '';
      process.stdout.write(`\ncheck: ${passed} passed, ${failed} failed, ${inconclusive} inconclusive${allowed}${junit ? `; JUnit XML in ${junit}` : ''}\n`);
    }
    return code;
  });
}

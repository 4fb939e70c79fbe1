// `crossab check`: regression-test strategy choices. Each scenario's expectations are judged on paired
// per-seed values from stored runs (reused when identical, run otherwise); `--baseline` compares new
// runs with a stored run metric by metric. Exit 0 all pass, 1 any fail (or inconclusive, unless
// allowed), 2 bad input.
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { UserError } from '../util/errors.js';
import { plainLogger } from '../util/logger.js';
import { silent } from '../util/events.js';
import { formatTable } from '../util/table.js';
import { DEFAULT_DB } from '../store/location.js';
import { discardNewStore } from '../store/db.js';
import { existsSync } from 'node:fs';
import { newHandle, withCancellation } from '../experiment/cancel.js';
import { loadBaseline, planCheck, runCheck, tally, type Judged, type SeedChoice } from '../check/suite.js';
import { writeJunit, type Suite } from '../check/junit.js';
import { DEFAULT_TOLERANCES, type Tolerances } from '../check/baseline.js';
import { MAX_SEED, checkOutputPath, parse, workersFlag } from './args.js';
import { mergeSweep, sweepRoot } from '../sweep/sweep.js';
import { COMMANDS } from './specs.js';

/** '1,2,3' is a list of seeds; a single number N is N seeds counting up from the scenario's seed. */
export function parseSeeds(value: string | undefined): SeedChoice {
  if (value === undefined) return {};
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p)))
    throw new UserError(`check: --seeds must be a count (5) or a list of seeds (1,2,3), got '${value}'`);
  const nums = parts.map(Number);
  if (nums.some((n) => n > MAX_SEED)) throw new UserError(`check: --seeds: a seed must be at most ${MAX_SEED}`);
  if (value.includes(',')) {
    if (new Set(nums).size !== nums.length) throw new UserError(`check: --seeds lists a seed twice ('${value}')`);
    return { list: nums };
  }
  if (nums[0] < 1 || nums[0] > 100) throw new UserError(`check: --seeds N must be between 1 and 100, got ${nums[0]}`);
  return { count: nums[0] };
}

export function parseTolerances(value: string | undefined): Tolerances {
  const tol: Tolerances = { ...DEFAULT_TOLERANCES };
  if (value === undefined) return tol;
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m || !(m[1] in tol)) throw new UserError(`check: --tolerance takes metric=value pairs for ${Object.keys(tol).join(', ')}; got '${part}'`);
    tol[m[1] as keyof Tolerances] = Number(m[2]);
  }
  return tol;
}

const num = (x: number) => (Number.isFinite(x) ? x : null);

/** What an expectation's values are: the metric, of whom, and less whom (its unit is the metric's). */
function measured(j: Judged): string {
  const e = j.claim?.expectation;
  if (!e) return '';
  const who = e.strategy ?? e.arm;
  return `${e.metric}${who ? ` of ${who}` : ''}${e.vs ? ` − ${e.vs}` : ''}${e.method ? ` (${e.method})` : ''}`;
}
const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');

export async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parse('check', argv, COMMANDS.check.flags, COMMANDS.check.positionals);
  const workers = workersFlag('check', values.workers);
  const baselineId = values.baseline;
  if (baselineId && values.from !== undefined) throw new UserError('check: --from judges a sweep; it does not take --baseline');
  if (values.from !== undefined && values.fresh) throw new UserError('check: --from runs nothing, so --fresh does not apply');
  if (!baselineId && values.from === undefined && positionals.length === 0) throw new UserError("check: missing scenario file; see 'crossab check --help'");
  if (baselineId && positionals.length > 1) throw new UserError('check: --baseline compares one scenario; give at most one scenario file');
  if (!baselineId && values.tolerance !== undefined) throw new UserError('check: --tolerance applies only with --baseline');
  const seedFlag = parseSeeds(values.seeds);
  const tol = parseTolerances(values.tolerance);
  const dbPath = checkOutputPath('check', 'db', values.db ?? DEFAULT_DB);
  const junit = values.junit === undefined ? undefined : checkOutputPath('check', 'junit', values.junit, '.xml');
  const allow = !!values['allow-inconclusive'];
  const log = values.json ? silent : plainLogger(process.stderr, true);
  const handle = newHandle(dbPath);
  const baseline = baselineId ? await loadBaseline(dbPath, baselineId) : null;
  const sweep = values.from === undefined ? null : await mergeSweep(sweepRoot(values.from), dbPath, { sameBuild: true });
  if (sweep && !values.json)
    process.stderr.write(
      `sweep ${values.from}: ${sweep.added.length} runs merged into ${dbPath}, ${sweep.skipped.length} there already; ${sweep.unfinished.length} of ${sweep.plan.units.length} units unfinished\n`,
    );
  const files = positionals.length
    ? positionals.map((f) => ({ file: f, scenario: loadScenarioFile(f) }))
    : sweep
      ? sweep.plan.scenarios
      : [{ file: `(run ${baseline!.runId})`, scenario: baseline!.scenario }];
  const seeds = sweep && values.seeds === undefined ? sweep.plan.seeds : seedFlag;
  // Planning opens the store to check it; a check refused here leaves no new file behind.
  const existed = existsSync(dbPath);
  const plan = await planCheck(files, { db: dbPath, backend: values.backend ?? sweep?.plan.backend, workers, seeds, baseline }).catch((e) => {
    if (!existed) discardNewStore(dbPath);
    throw e;
  });

  return withCancellation(handle, async () => {
    const results = await runCheck(plan, { db: dbPath, fresh: !!values.fresh, workers, tolerances: tol, handle, reuseOnly: values.from }, log);
    const { passed, failed, inconclusive, code } = tally(results, allow);
    if (junit) {
      const suites: Suite[] = results.map((r) => ({ name: baseline ? `${r.scenario} vs ${baseline.runId}` : r.scenario, seconds: r.seconds, cases: r.judged }));
      writeJunit(junit, suites, allow);
    }
    if (values.json) {
      process.stdout.write(
        JSON.stringify({
          baseline: baseline?.runId ?? null,
          passed,
          failed,
          inconclusive,
          exit_code: code,
          junit: junit ?? null,
          scenarios: results.map((r) => ({
            scenario: r.scenario,
            file: r.file,
            seconds: r.seconds,
            runs: r.runs.map((x) => ({ seed: x.seed, run_id: x.runId, reused: x.reused })),
            results: r.judged.map((j) => ({
              name: j.name,
              verdict: j.verdict,
              reason: j.reason,
              expectation: j.claim ? { ...j.claim.expectation, domain: j.claim.domain } : null,
              values: j.values.map(num),
              mean: num(j.mean),
              ci_low: num(j.ciLow),
              ci_high: num(j.ciHigh),
            })),
            evidence: r.evidence.map((e) => ({
              domain: e.domain,
              decisions: e.decisions,
              keeps: e.keeps,
              arms: e.arms.map((a) => ({
                arm: a.arm,
                ships: a.ships,
                auc_deltas: a.deltas.map(num),
                mean: num(a.mean),
                ci_low: num(a.ciLow),
                ci_high: num(a.ciHigh),
              })),
              verdict: e.verdict,
            })),
          })),
        }) + '\n',
      );
    } else {
      for (const r of results) {
        const reused = r.runs.filter((x) => x.reused).length;
        process.stdout.write(
          `\n${r.scenario} (${r.file}): seeds ${r.runs.map((x) => x.seed).join(', ')}; ${reused} of ${r.runs.length} runs reused from the store\n`,
        );
        const shown = baseline ? r.judged.filter((j) => j.verdict !== 'pass' || j.reason.startsWith('improved')) : r.judged;
        if (baseline)
          process.stdout.write(
            `${r.judged.length} metrics compared with ${baseline.runId}: ${r.judged.filter((j) => j.verdict === 'fail').length} regressed or missing, ${r.judged.filter((j) => j.reason.startsWith('improved')).length} improved (tolerances ${Object.entries(
              tol,
            )
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})\n`,
          );
        if (shown.length) {
          process.stdout.write(
            formatTable(
              baseline ? ['metric', 'delta', 'verdict', 'why'] : ['expectation', 'metric', 'mean over seeds', 'CI', 'verdict', 'why'],
              shown.map((j) =>
                baseline
                  ? [j.name, f4(j.mean), j.verdict.toUpperCase(), j.reason]
                  : [j.name, measured(j), f4(j.mean), Number.isFinite(j.ciLow) ? `[${f4(j.ciLow)}, ${f4(j.ciHigh)}]` : '', j.verdict.toUpperCase(), j.reason],
              ),
            ) + '\n',
          );
        }
        if (r.evidence.length)
          process.stdout.write(
            `decisions over the seeds, beside the offline evidence:\n${formatTable(
              ['domain', 'A/B per seed', 'reading'],
              r.evidence.map((e) => [e.domain, e.decisions.join(', '), e.verdict]),
            )}\n`,
          );
      }
      // Name what needs attention before the count, so the last line stays the tally scripts read.
      const named = (v: string) => results.flatMap((r) => r.judged.filter((j) => j.verdict === v).map((j) => j.name));
      if (failed) process.stdout.write(`\nfailed: ${named('fail').join('; ')}\n`);
      if (inconclusive)
        process.stdout.write(
          `${failed ? '' : '\n'}inconclusive: ${named('inconclusive').join('; ')} — more seeds would decide (--seeds N)${allow ? '' : '; --allow-inconclusive lets them pass'}\n`,
        );
      const allowed = inconclusive && allow ? ' (inconclusive allowed)' : '';
      process.stdout.write(`\ncheck: ${passed} passed, ${failed} failed, ${inconclusive} inconclusive${allowed}${junit ? `; JUnit XML in ${junit}` : ''}\n`);
    }
    return code;
  });
}

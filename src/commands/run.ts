import { loadScenario } from '../scenario/load.js';
import { selectBackend } from '../tf/backend.js';
import { formatTable } from '../table.js';
import { abTest, disposeTrained, prepare, resolveStrategies, trainAndEvaluate } from '../pipeline.js';
import { plainLogger } from '../logger.js';
import { resolveArms } from '../abtest/arms.js';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { finishRun, markRun, newRunId, startRun } from '../store/runs.js';
import { VERSION } from '../version.js';
import type { ReplayResult } from '../abtest/replay.js';
import { checkOutputPath, intFlag, listFlag, parse } from './args.js';
import { offlineJson } from './train.js';
import type { OfflineResults } from '../pipeline.js';
import { stage } from '../pipeline.js';

export const usage = 'crossab run <scenario.json> [--seed N] [--strategies a,b] [--arms a,b] [--control a] [--aa] [--db PATH] [--backend node|wasm|cpu] [--json]';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');

export function abJson(ab: ReplayResult) {
  return ab.results.map((r) => {
    const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === r.segment);
    const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
    return {
      arm: r.arm, strategy: r.strategy, domain: r.domain, segment: r.segment, users: r.users, impressions: r.impressions,
      ctr: num(r.ctr), cvr: num(r.cvr), expected_ctr: num(r.expectedCtr),
      lift: num(l?.lift), ci_low: num(l?.ciLow), ci_high: num(l?.ciHigh), p_value: num(l?.pValue), true_lift: num(l?.trueLift), covered: l ? l.covered : null,
    };
  });
}

export function abTable(ab: ReplayResult, off: OfflineResults, domains: string[]): string {
  const rows = ab.results.filter((r) => r.segment === 'all' && (r.domain === 'all' || domains.includes(r.domain))).map((r) => {
    const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === 'all');
    const auc = off.strategies[r.strategy]?.auc[r.domain === 'all' ? 'overall' : r.domain];
    return [r.arm, r.domain, r.users, r.impressions, pct(r.ctr),
      l ? `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]` : '(control)', l ? l.pValue.toFixed(3) : '', l ? pct(l.trueLift) : '', l ? (l.covered ? 'yes' : 'NO') : '', auc ?? NaN];
  });
  return formatTable(['arm', 'domain', 'users', 'impressions', 'CTR', 'lift [95% CI]', 'p', 'true lift', 'covered', 'AUC'], rows as (string | number)[][]);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    seed: { type: 'string' }, strategies: { type: 'string' }, arms: { type: 'string' }, control: { type: 'string' }, aa: { type: 'boolean' },
    db: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' },
  }, { min: 1, max: 1, name: 'scenario file' });
  const seedFlag = intFlag('run', 'seed', values.seed, 0, 2 ** 31 - 1);
  const dbPath = checkOutputPath('run', 'db', values.db ?? DEFAULT_DB);
  const scenario = loadScenario(positionals[0]);
  const armFlags = { arms: listFlag(values.arms), control: values.control, aa: values.aa };
  // Arms must be trained: they join the strategy list.
  const base = resolveStrategies(scenario, listFlag(values.strategies));
  const { arms, control } = resolveArms(scenario, base, armFlags);
  const names = [...new Set([...base, ...arms.map((a) => a.strategy)])];
  resolveStrategies(scenario, names);
  // Check the database before any work: a bad path fails in a second, not after training.
  (await openDb(dbPath)).close();
  const backend = await selectBackend(values.backend);
  const log = values.json ? () => {} : plainLogger(process.stderr);
  log({ type: 'backend', backend });
  const seed = seedFlag ?? scenario.seed;
  const t0 = performance.now();
  const prepared = await prepare(scenario, seed, log);
  const runId = newRunId(scenario.name);
  await startRun(dbPath, {
    runId, scenario: scenario.name, scenarioJson: JSON.stringify(scenario), seed, backend, version: VERSION,
    fingerprint: prepared.world.fingerprint, strategies: names, arms: arms.map((a) => a.name), control: arms[control].name,
  });
  // Ctrl-C / SIGTERM: record the run as cancelled (never half-written) and exit; while the final
  // transaction is being written the signal waits for it.
  let finishing: Promise<unknown> | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    void (async () => {
      if (finishing) await finishing.catch(() => {});
      else await markRun(dbPath, runId, 'cancelled', `interrupted by ${sig}`).catch(() => {});
      process.stderr.write(`crossab: run ${runId} ${finishing ? 'finished before the interrupt' : 'cancelled'}\n`);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log({ type: 'log', message: `run ${runId} → ${dbPath}` });
  try {
    const offline = await trainAndEvaluate(prepared, names, seed, log);
    const ab = await abTest(prepared, offline, arms, control, seed, log);
    finishing = stage('store', log, () => finishRun(dbPath, runId, prepared.world, offline, ab, (performance.now() - t0) / 1000));
    await finishing;
    if (values.json) {
      process.stdout.write(JSON.stringify({ run_id: runId, db: dbPath, scenario: scenario.name, seed, backend, fingerprint: prepared.world.fingerprint,
        offline: offlineJson(offline).strategies, oracle: offlineJson(offline).oracle, ab: abJson(ab),
        srm: { users: ab.srm.users, chi2: ab.srm.chi2, p_value: ab.srm.pValue } }) + '\n');
    } else {
      process.stdout.write(`${abTable(ab, offline, prepared.world.layout.domains)}\n\nsample-ratio check: users per arm ${ab.srm.users.join(' / ')}, p = ${ab.srm.pValue.toFixed(3)}${ab.srm.pValue < 0.001 ? '  (MISMATCH)' : ''}\nrun ${runId} stored in ${dbPath}\n`);
    }
    disposeTrained(offline);
    return 0;
  } catch (e) {
    if (!finishing) await markRun(dbPath, runId, 'failed', (e as Error).message).catch(() => {});
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

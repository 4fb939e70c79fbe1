import { loadScenario } from '../scenario/load.js';
import { formatTable } from '../util/table.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_DB } from '../store/db.js';
import { DOMINANT_USER, type ReplayResult } from '../abtest/replay.js';
import type { OfflineResults } from '../train/parallel.js';
import { executeRun } from '../experiment/experiment.js';
import { newHandle, withCancellation } from '../experiment/cancel.js';
import { checkOutputPath, listFlag, parse, seedFlag, workersFlag } from './args.js';
import { COMMANDS } from './specs.js';
import { offlineJson } from './train.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');

export function abJson(ab: ReplayResult) {
  return ab.results.map((r) => {
    const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === r.segment);
    const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
    return {
      arm: r.arm,
      strategy: r.strategy,
      domain: r.domain,
      segment: r.segment,
      users: r.users,
      impressions: r.impressions,
      ctr: num(r.ctr),
      cvr: num(r.cvr),
      expected_ctr: num(r.expectedCtr),
      lift: num(l?.lift),
      ci_low: num(l?.ciLow),
      ci_high: num(l?.ciHigh),
      p_value: num(l?.pValue),
      true_lift: num(l?.trueLift),
      covered: l ? l.covered : null,
    };
  });
}

export function abTable(ab: ReplayResult, off: OfflineResults, domains: string[]): string {
  const rows = ab.results
    .filter((r) => r.segment === 'all' && (r.domain === 'all' || domains.includes(r.domain)))
    .map((r) => {
      const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === 'all');
      const auc = off.strategies[r.strategy]?.auc[r.domain === 'all' ? 'overall' : r.domain];
      return [
        r.arm,
        r.domain,
        r.users,
        r.impressions,
        pct(r.ctr),
        l ? `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]` : '(control)',
        l ? (Number.isFinite(l.pValue) ? l.pValue.toFixed(3) : '–') : '',
        l ? pct(l.trueLift) : '',
        l ? (l.covered ? 'yes' : 'NO') : '',
        auc ?? NaN,
      ];
    });
  return formatTable(['arm', 'domain', 'users', 'impressions', 'CTR', 'lift [95% CI]', 'p', 'true lift', 'covered', 'AUC'], rows as (string | number)[][]);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, COMMANDS.run.flags, COMMANDS.run.positionals);
  const workers = workersFlag('run', values.workers);
  const seed = seedFlag('run', values.seed);
  const db = checkOutputPath('run', 'db', values.db ?? DEFAULT_DB);
  const scenario = loadScenario(positionals[0]);
  const log = values.json ? () => {} : plainLogger(process.stderr);
  const handle = newHandle(db);
  return withCancellation(handle, async () => {
    const o = await executeRun(
      {
        scenario,
        seed,
        strategies: listFlag(values.strategies),
        arms: listFlag(values.arms),
        control: values.control,
        aa: values.aa,
        db,
        backend: values.backend,
        report: !values['no-report'],
        workers,
      },
      log,
      handle,
    );
    const w = o.inputs.world;
    if (values.json) {
      const off = offlineJson(o.offline);
      process.stdout.write(
        JSON.stringify({
          run_id: o.runId,
          db,
          report: o.reportPath,
          scenario: scenario.name,
          seed: o.seed,
          backend: o.backend,
          fingerprint: w.fingerprint,
          stages: o.stages,
          wall_seconds: o.wallSeconds,
          peak_rss_mb: o.peakRssMb,
          offline: off.strategies,
          oracle: off.oracle,
          ab: abJson(o.ab),
          srm: { users: o.ab.srm.users, chi2: o.ab.srm.chi2, p_value: o.ab.srm.pValue, max_user_share: o.ab.srm.maxUserShare },
        }) + '\n',
      );
    } else {
      const heavy = Math.max(...o.ab.srm.maxUserShare);
      if (heavy > DOMINANT_USER)
        process.stdout.write(
          `warning: one user makes ${(100 * heavy).toFixed(1)}% of an arm's impressions; user-clustered intervals are unreliable when few users dominate\n`,
        );
      process.stdout.write(
        `${abTable(o.ab, o.offline, w.layout.domains)}\n\nsample-ratio check: users per arm ${o.ab.srm.users.join(' / ')}, p = ${Number.isFinite(o.ab.srm.pValue) ? o.ab.srm.pValue.toFixed(3) : '–'}${o.ab.srm.pValue < 0.001 ? '  (MISMATCH)' : ''}\nrun ${o.runId} stored in ${db}${o.reportPath ? `\nreport: ${o.reportPath}` : ''}\n` +
          `time: ${Object.entries(o.stages)
            .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
            .join(', ')}; total ${o.wallSeconds.toFixed(1)} s; peak memory ${Math.round(o.peakRssMb)} MB\n`,
      );
    }
    return 0;
  });
}

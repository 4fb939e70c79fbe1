import { mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fitDataset } from '../logs/fit.js';
import { fitPage } from '../logs/fit/page.js';
import { fitHtml } from '../report/fit.js';
import { DEFAULT_DB } from '../store/location.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/errors.js';
import { formatTable } from '../util/table.js';
import { loadPolicy } from '../scenario/policy.js';
import { checkOutputPath, listFlag, parse, seedFlag } from './args.js';
import { COMMANDS } from './specs.js';
import { signedPercent as pct } from '../util/format.js';

const finite = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
const rate = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');

export async function fit(argv: string[]): Promise<number> {
  const { values, positionals } = parse('fit', argv, COMMANDS.fit.flags, COMMANDS.fit.positionals);
  if (!values.out) throw new UserError('fit: --out scenarios/NAME.json is required');
  const out = checkOutputPath('fit', 'out', values.out, '.json');
  const share = values['fit-share'] === undefined ? 0.5 : Number(values['fit-share']);
  if (!(share >= 0.1 && share <= 0.9)) throw new UserError(`fit: --fit-share must be a number from 0.1 to 0.9, got '${values['fit-share']}'`);
  const name = basename(out, '.json');
  const policies = (listFlag(values.policy) ?? []).map((path) => ({ name: path, spec: loadPolicy(path) }));
  // Every path is checked before the fit, which takes its time.
  const fitFile = values['fit-file'] ? checkOutputPath('fit', 'fit-file', values['fit-file'], '.json') : out.replace(/\.json$/, '.fit.json');
  if (fitFile === out) throw new UserError('fit: --fit-file must differ from --out');
  // The default report goes where run's do, reports/ (made if missing); a given path's folder must exist.
  const report = values['no-report']
    ? null
    : values.report
      ? checkOutputPath('fit', 'report', values.report, '.html')
      : resolve('reports', `${basename(out, '.json')}-fit.html`);
  const r = await fitDataset({
    db: values.db ?? DEFAULT_DB,
    dataset: positionals[0],
    name,
    fitShare: share,
    seed: seedFlag('fit', values.seed) ?? 1,
    policies,
  });
  writeFileAtomic(
    out,
    `${JSON.stringify({ ...r.scenario, description: `${r.scenario.description} (${values['fit-file'] ?? basename(fitFile)})` }, finite, 2)}\n`,
  );
  writeFileAtomic(
    fitFile,
    `${JSON.stringify({ fitted: { ...r.fitted, heldOutLogLoss: r.heldOutLogLoss }, holdoutRows: r.holdoutRows, diagnostics: r.diagnostics, ab: r.ab }, finite, 2)}\n`,
  );
  if (report) {
    mkdirSync(dirname(report), { recursive: true });
    writeFileAtomic(report, fitHtml(fitPage(r)));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ files: { scenario: out, fit: fitFile, report }, ...r }, finite)}\n`);
    return 0;
  }
  const inside = r.diagnostics.filter((d) => d.inside).length;
  process.stdout.write(
    [
      `fitted ${r.scenario.name} to dataset ${positionals[0]}: ${r.scenario.domains.length} domains, ${r.scenario.items.count} items, ${r.scenario.features.length} features; ` +
        `held out ${r.holdoutRows.toLocaleString('en')} control-arm displays`,
      '',
      formatTable(
        ['domain', 'share', 'items', 'base CTR [95%]', 'position effects (fitted, best = 1)'],
        r.fitted.domains.map((d) => [
          d.source,
          d.share.toFixed(3),
          d.items,
          `${rate(d.baseCtr.value)} [${rate(d.baseCtr.low)}, ${rate(d.baseCtr.high)}]`,
          d.clickModel.positions.map((x) => Math.exp(x - Math.max(...d.clickModel.positions)).toFixed(2)).join(' '),
        ]),
      ),
      '',
      `diagnostics: the held-out log beside traffic generated from the fitted scenario — ${inside} of ${r.diagnostics.length} inside the 95% interval`,
      "(rates: the held-out log's interval; concentration: the statistic's range over 200 simulated samples of the held-out size)",
      formatTable(
        ['measure', 'domain', 'held-out log', 'simulated', '95% interval', 'of', 'inside'],
        r.diagnostics.map((d) => [
          d.measure,
          d.domain,
          rate(d.real),
          rate(d.simulated),
          `[${rate(d.low)}, ${rate(d.high)}]`,
          d.interval,
          d.inside ? 'yes' : 'no',
        ]),
      ),
      ...(r.ab.length
        ? [
            '',
            `the log's A/B test again in the fitted world, ${r.ab[0].replicates} times: the same policies as arms, the same displays per arm and domain, clicks from the fitted truth`,
            formatTable(
              [
                'domain',
                'arm',
                'real lift [95%]',
                'real decision',
                'true lift (fitted world)',
                'simulated lifts 2.5–50–97.5%',
                'simulated lifts below the real one',
                'simulated decisions',
              ],
              r.ab.map((x) => [
                x.domain,
                x.arm,
                `${pct(x.real.lift)} [${pct(x.real.ciLow)}, ${pct(x.real.ciHigh)}]`,
                x.real.decision,
                pct(x.trueLift),
                x.liftRange.map((v) => pct(v)).join(' '),
                `${(100 * x.realLiftRank).toFixed(0)}%`,
                Object.entries(x.decisionShares)
                  .sort((p, q) => q[1] - p[1])
                  .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
                  .join(', '),
              ]),
            ),
          ]
        : []),
      '',
      `held-out log loss of the fitted click model (item × position) against the fitting part's constant CTR: ${r.heldOutLogLoss
        .map((x) => `${x.domain} ${x.model.toFixed(5)} vs ${x.constant.toFixed(5)}`)
        .join(', ')}`,
      '',
      'assumed, not fitted:',
      ...r.fitted.assumptions.map((a) => `  - ${a}`),
      '',
      `wrote ${out} and ${fitFile}${report ? `; the report: ${report}` : ''}`,
    ].join('\n') + '\n',
  );
  return 0;
}

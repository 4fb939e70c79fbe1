import { basename } from 'node:path';
import { fitDataset } from '../logs/fit.js';
import { DEFAULT_DB } from '../store/location.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/errors.js';
import { formatTable } from '../util/table.js';
import { checkOutputPath, parse, seedFlag } from './args.js';
import { COMMANDS } from './specs.js';

const finite = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
const rate = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '–');

export async function fit(argv: string[]): Promise<number> {
  const { values, positionals } = parse('fit', argv, COMMANDS.fit.flags, COMMANDS.fit.positionals);
  if (!values.out) throw new UserError('fit: --out scenarios/NAME.json is required');
  const out = checkOutputPath('fit', 'out', values.out, '.json');
  const share = values['fit-share'] === undefined ? 0.5 : Number(values['fit-share']);
  if (!(share >= 0.1 && share <= 0.9)) throw new UserError(`fit: --fit-share must be a number from 0.1 to 0.9, got '${values['fit-share']}'`);
  const name = basename(out, '.json');
  const r = await fitDataset({ db: values.db ?? DEFAULT_DB, dataset: positionals[0], name, fitShare: share, seed: seedFlag('fit', values.seed) ?? 1 });
  const fitFile = out.replace(/\.json$/, '.fit.json');
  writeFileAtomic(out, `${JSON.stringify({ ...r.scenario, description: `${r.scenario.description} (${basename(fitFile)})` }, finite, 2)}\n`);
  writeFileAtomic(fitFile, `${JSON.stringify({ fitted: r.fitted, holdoutRows: r.holdoutRows, diagnostics: r.diagnostics }, finite, 2)}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ files: { scenario: out, fit: fitFile }, ...r }, finite)}\n`);
    return 0;
  }
  const inside = r.diagnostics.filter((d) => d.inside).length;
  process.stdout.write(
    [
      `fitted ${r.scenario.name} to dataset ${positionals[0]}: ${r.scenario.domains.length} domains, ${r.scenario.items.count} items, ${r.scenario.features.length} features; ` +
        `held out ${r.holdoutRows.toLocaleString('en')} control-arm displays`,
      '',
      formatTable(
        ['domain', 'share', 'items', 'base CTR [95%]', 'position effects'],
        r.fitted.domains.map((d) => [
          d.source,
          d.share.toFixed(3),
          d.items,
          `${rate(d.baseCtr.value)} [${rate(d.baseCtr.low)}, ${rate(d.baseCtr.high)}]`,
          r.fitted.positionBias.map((b) => b.toFixed(2)).join(' '),
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
      '',
      `held-out log loss of the fitted click model (item × position) against the fitting part's constant CTR: ${r.fitted.heldOutLogLoss
        .map((x) => `${x.domain} ${x.model.toFixed(5)} vs ${x.constant.toFixed(5)}`)
        .join(', ')}`,
      '',
      'assumed, not fitted:',
      ...r.fitted.assumptions.map((a) => `  - ${a}`),
      '',
      `wrote ${out} and ${fitFile}`,
    ].join('\n') + '\n',
  );
  return 0;
}

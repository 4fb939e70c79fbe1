import { DEFAULT_DB } from '../store/location.js';
import { writeReport } from '../report/write.js';
import { mergeSweep, sweepRoot } from '../sweep/sweep.js';
import { UserError } from '../util/errors.js';
import { checkOutputDir, checkOutputPath, listFlag, parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function report(argv: string[]): Promise<number> {
  const { values } = parse('report', argv, COMMANDS.report.flags, COMMANDS.report.positionals);
  if (values.run && values.compare) throw new UserError('report: give --run or --compare, not both');
  const ids = listFlag(values.compare) ?? [values.run ?? 'latest'];
  if (values.compare && ids.length < 2) throw new UserError('report: --compare needs at least two run IDs');
  const out = values.out ? checkOutputPath('report', 'out', values.out, '.html') : undefined;
  const svg = values.svg ? checkOutputDir('report', 'svg', values.svg) : undefined;
  const db = values.from === undefined ? (values.db ?? DEFAULT_DB) : checkOutputPath('report', 'db', values.db ?? DEFAULT_DB);
  if (values.from !== undefined) {
    const m = await mergeSweep(sweepRoot(values.from), db);
    // A report of what has finished is still useful mid-sweep, so unfinished units are named, not fatal.
    process.stderr.write(
      `sweep ${values.from}: ${m.added.length} runs merged into ${db}, ${m.skipped.length} there already` +
        (m.unfinished.length
          ? `; ${m.unfinished.length} of ${m.plan.units.length} units unfinished: ${m.unfinished.map((s) => `${s.unit.scenario} seed ${s.unit.seed} (${s.state})`).join(', ')}`
          : '') +
        '\n',
    );
  }
  const { html, svgs } = await writeReport(db, ids, out, svg);
  process.stdout.write(`wrote ${html}${svgs.length ? ` and ${svgs.length} SVG charts in ${svg}` : ''}\n`);
  return 0;
}

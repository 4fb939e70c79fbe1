import { DEFAULT_DB } from '../store/location.js';
import { writeReport } from '../report/write.js';
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
  const { html, svgs } = await writeReport(values.db ?? DEFAULT_DB, ids, out, svg);
  process.stdout.write(`wrote ${html}${svgs.length ? ` and ${svgs.length} SVG charts in ${svg}` : ''}\n`);
  return 0;
}

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { loadRun, resolveRunId, type RunData } from '../store/run-data.js';
import { compareCharts, runCharts } from '../report/charts.js';
import { reportHtml } from '../report/html.js';
import { chartSvg } from '../report/svg.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { safeFileName } from '../util/file-name.js';
import { checkOutputDir, checkOutputPath, listFlag, parse } from './args.js';
import { COMMANDS } from './specs.js';

/** Write the report for stored runs; returns the HTML path. Files appear whole (write, then rename). */
export async function writeReport(dbPath: string, runIds: string[], out?: string, svgDir?: string): Promise<{ html: string; svgs: string[] }> {
  const db = await openDb(dbPath, { readOnly: true });
  let runs: RunData[];
  try {
    const ids: string[] = [];
    for (const id of runIds) ids.push(await resolveRunId(db, id));
    runs = [];
    for (const id of ids) runs.push(await loadRun(db, id));
  } finally {
    db.close();
  }
  const compare = runs.length > 1;
  const charts = compare ? compareCharts(runs) : runCharts(runs[0]);
  const title = compare ? `crossab: ${runs.length} runs compared` : `crossab report: ${runs[0].run.scenario} (seed ${runs[0].run.seed})`;
  const html = resolve(out ?? join('reports', `${compare ? 'compare' : safeFileName(String(runs[0].run.run_id))}.html`));
  mkdirSync(resolve(html, '..'), { recursive: true });
  writeFileAtomic(html, reportHtml(title, runs, charts));
  const svgs: string[] = [];
  if (svgDir) {
    mkdirSync(svgDir, { recursive: true });
    for (const c of charts) {
      const p = resolve(svgDir, `${safeFileName(c.id)}.svg`);
      writeFileAtomic(p, await chartSvg(c));
      svgs.push(p);
    }
  }
  return { html, svgs };
}

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

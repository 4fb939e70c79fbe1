import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { loadRun, resolveRunId, type RunData } from '../report/data.js';
import { compareCharts, runCharts } from '../report/specs.js';
import { reportHtml } from '../report/html.js';
import { chartSvg } from '../report/svg.js';
import { UserError } from '../errors.js';
import { checkOutputPath, listFlag, parse } from './args.js';

export const usage = 'crossab report [--run ID|latest] [--compare A,B,…] [--db PATH] [--out reports/NAME.html] [--svg DIR]';

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
  const html = resolve(out ?? join('reports', `${compare ? 'compare' : String(runs[0].run.run_id)}.html`));
  mkdirSync(resolve(html, '..'), { recursive: true });
  writeFileSync(`${html}.tmp`, reportHtml(title, runs, charts));
  renameSync(`${html}.tmp`, html);
  const svgs: string[] = [];
  if (svgDir) {
    mkdirSync(svgDir, { recursive: true });
    for (const c of charts) {
      const p = resolve(svgDir, `${c.id}.svg`);
      writeFileSync(p, await chartSvg(c));
      svgs.push(p);
    }
  }
  return { html, svgs };
}

export async function report(argv: string[]): Promise<number> {
  const { values } = parse('report', argv, {
    run: { type: 'string' }, compare: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' }, svg: { type: 'string' },
  }, { min: 0, max: 0, name: '' });
  if (values.run && values.compare) throw new UserError('report: give --run or --compare, not both');
  const ids = listFlag(values.compare) ?? [values.run ?? 'latest'];
  if (values.compare && ids.length < 2) throw new UserError('report: --compare needs at least two run IDs');
  const out = values.out ? checkOutputPath('report', 'out', values.out, '.html') : undefined;
  const { html, svgs } = await writeReport(values.db ?? DEFAULT_DB, ids, out, values.svg);
  process.stdout.write(`wrote ${html}${svgs.length ? ` and ${svgs.length} SVG charts in ${resolve(values.svg!)}` : ''}\n`);
  return 0;
}

// The report of stored runs as files: one self-contained HTML page and, on request, an SVG per chart.
// Everything shown is read back from the store; nothing is recomputed. Files appear whole (write, then rename).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDb } from '../store/db.js';
import { loadRun, resolveRunId, type RunData } from '../store/run-data.js';
import { runCharts } from './charts.js';
import { compareCharts } from './compare-charts.js';
import { reportHtml } from './html.js';
import { chartSvg } from './svg.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { safeFileName } from '../util/file-name.js';

/** Write the report for stored runs ('latest' or IDs); returns the HTML path and the SVGs written. */
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

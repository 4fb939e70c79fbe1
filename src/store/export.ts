// Logged impressions to Parquet through DuckDB: written to a temporary file and renamed, so a failed
// export never leaves a half-written file behind.
import { renameSync, rmSync } from 'node:fs';
import { FLOAT, INTEGER, UTINYINT } from '@duckdb/node-api';
import { appendColumns, sqlIdent, sqlString, type Column } from './columns.js';
import { createInstance } from './db.js';
import { removeStaleTemps, tempPath } from '../util/atomic-write.js';
import { PERIODS, type World } from '../world/world.js';

export function impressionColumns(w: World): Column[] {
  const l = w.logged;
  return [
    { name: 'request', type: INTEGER, data: l.request },
    { name: 'time', type: INTEGER, data: l.time },
    { name: 'period_code', type: UTINYINT, data: l.period },
    { name: 'user_id', type: INTEGER, data: l.user },
    { name: 'domain_code', type: UTINYINT, data: l.domain },
    { name: 'item_id_raw', type: INTEGER, data: l.item },
    { name: 'position', type: UTINYINT, data: l.position },
    ...w.layout.categorical.map((f, j) => ({ name: `f_${f.name}`, type: INTEGER, data: l.cat[j] })),
    ...w.layout.numeric.map((f, j) => ({ name: `f_${f.name}`, type: FLOAT, data: l.num[j] })),
    { name: 'click', type: UTINYINT, data: l.click },
    { name: 'conversion', type: UTINYINT, data: l.conv },
    { name: 'p_click', type: FLOAT, data: l.pClick },
    { name: 'p_conversion', type: FLOAT, data: l.pConv },
  ];
}

export async function writeParquet(w: World, path: string): Promise<void> {
  removeStaleTemps(path);
  const tmp = tempPath(path);
  const instance = await createInstance(':memory:');
  const con = await instance.connect();
  try {
    const cols = impressionColumns(w);
    await con.run(`CREATE TABLE imp (${cols.map((c) => `${sqlIdent(c.name)} ${c.type.toString()}`).join(', ')})`);
    await appendColumns(con, 'imp', cols, w.logged.n);
    const periods = `['${PERIODS.join("','")}']`;
    const domains = `[${w.layout.domains.map(sqlString).join(',')}]`;
    // Features a domain does not expose are stored as 0 / NaN in memory and as NULL in the file.
    const features = [
      ...w.layout.categorical.map((f) => `NULLIF("f_${f.name}", 0) AS ${sqlIdent(f.name)}`),
      ...w.layout.numeric.map((f) => `CASE WHEN isnan("f_${f.name}") THEN NULL ELSE "f_${f.name}" END AS ${sqlIdent(f.name)}`),
    ];
    await con.run(`COPY (SELECT request, time, ${periods}[period_code + 1] AS period, user_id, ${domains}[domain_code + 1] AS domain,
      item_id_raw AS item, position, ${features.join(', ')}, click, conversion, p_click, p_conversion FROM imp ORDER BY time, position)
      TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

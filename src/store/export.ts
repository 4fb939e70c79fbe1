// Logged impressions to Parquet through DuckDB: written to a temporary file and renamed, so a failed
// export never leaves a half-written file behind.
import { renameSync, rmSync } from 'node:fs';
import { DOUBLE, FLOAT, INTEGER, UTINYINT } from '@duckdb/node-api';
import { appendColumns, sqlIdent, sqlString, type Column } from './columns.js';
import { createInstance } from './db.js';
import { removeStaleTemps, tempPath } from '../util/atomic-write.js';
import { loggedPropensities, type World } from '../world/world.js';
import { PERIODS } from '../world/impressions.js';

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

/** Features a domain does not expose are 0 / NaN in memory and NULL in the file. */
const featureSelect = (w: World) => [
  ...w.layout.categorical.map((f) => `NULLIF("f_${f.name}", 0) AS ${sqlIdent(f.name)}`),
  ...w.layout.numeric.map((f) => `CASE WHEN isnan("f_${f.name}") THEN NULL ELSE "f_${f.name}" END AS ${sqlIdent(f.name)}`),
];

/** Load columns into an in-memory table and COPY a SELECT over it to Parquet: a temporary file, then a rename. */
async function copyToParquet(cols: Column[], rows: number, select: (table: string) => string, path: string): Promise<void> {
  removeStaleTemps(path);
  const tmp = tempPath(path);
  const instance = await createInstance(':memory:');
  const con = await instance.connect();
  try {
    await con.run(`CREATE TABLE imp (${cols.map((c) => `${sqlIdent(c.name)} ${c.type.toString()}`).join(', ')})`);
    await appendColumns(con, 'imp', cols, rows);
    await con.run(`COPY (${select('imp')}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const periodsSql = `['${PERIODS.join("','")}']`;
const domainsSql = (w: World) => `[${w.layout.domains.map(sqlString).join(',')}]`;

export async function writeParquet(w: World, path: string): Promise<void> {
  await copyToParquet(
    impressionColumns(w),
    w.logged.n,
    (t) => `SELECT request, time, ${periodsSql}[period_code + 1] AS period, user_id, ${domainsSql(w)}[domain_code + 1] AS domain,
      item_id_raw AS item, position, ${featureSelect(w).join(', ')}, click, conversion, p_click, p_conversion FROM ${t} ORDER BY time, position`,
    path,
  );
}

/**
 * The logs as bandit feedback in the shape Open Bandit Pipeline's slate estimators read: one row per
 * (slate_id, position), position from 0, action (the item), reward (the click), pscore (the logged
 * slate's probability, on each of its rows), pscore_item_position and pscore_cascade, and the context
 * (user, domain and the row's features), so an external OPE library can recompute every estimate.
 */
export async function writeBanditParquet(w: World, path: string): Promise<void> {
  const prop = loggedPropensities(w);
  const l = w.logged;
  // The slate's own probability: the cascade propensity at its last position.
  const slate = new Float64Array(l.n);
  for (let r = 0; r < w.loggedRequests.n; r++) slate.fill(prop.cascade[w.loggedRow[r + 1] - 1], w.loggedRow[r], w.loggedRow[r + 1]);
  const cols: Column[] = [
    ...impressionColumns(w),
    { name: 'pscore', type: DOUBLE, data: slate },
    { name: 'pscore_item_position', type: DOUBLE, data: prop.itemPosition },
    { name: 'pscore_cascade', type: DOUBLE, data: prop.cascade },
    { name: 'pscore_item', type: DOUBLE, data: prop.item },
  ];
  await copyToParquet(
    cols,
    l.n,
    (t) => `SELECT request AS slate_id, time AS timestamp, ${periodsSql}[period_code + 1] AS period, ${domainsSql(w)}[domain_code + 1] AS domain,
      user_id, position - 1 AS position, item_id_raw AS action, click AS reward, pscore, pscore_item_position, pscore_cascade, pscore_item,
      ${featureSelect(w).join(', ')} FROM ${t} ORDER BY timestamp, position`,
    path,
  );
}

// Importing real logs into the store, through DuckDB's own CSV and Parquet readers. An import is one
// transaction: every file is read into a scratch table, every mapped value is checked there, and only
// a dataset whose every file passed is written; a refused file leaves the store as it was.
import type { Mapping } from '../scenario/mapping.js';
import { expandColumns } from '../scenario/mapping.js';
import { UserError } from '../util/errors.js';
import { sqlIdent as id, sqlString as str } from './columns.js';
import { rowsOf as all, type Db } from './db.js';
import { transaction } from './transaction.js';

export interface LogFile {
  path: string;
  format: 'csv' | 'parquet';
  sha256: string;
  /** The domain and arm when the mapping takes them from the path; null when a column gives them. */
  domain: string | null;
  arm: string | null;
  /** The item side table next to it, if the mapping names one. */
  itemsPath: string | null;
}

export interface LogImport {
  dataset: string;
  checksum: string;
  mapping: Mapping;
  files: LogFile[];
  /** Replace a dataset of this name whose contents differ (otherwise that is refused). */
  replace: boolean;
}

export interface LogCount {
  domain: string;
  arm: string;
  rows: number;
  clicks: number;
}

export interface ImportOutcome {
  dataset: string;
  status: 'imported' | 'unchanged' | 'replaced';
  rows: number;
  counts: LogCount[];
}

const firstLine = (e: unknown) => ((e as Error).message ?? String(e)).split('\n')[0].replace(/^[A-Za-z ]+ Error: /, '');

const reader = (f: { path: string; format: 'csv' | 'parquet' }) =>
  f.format === 'csv' ? `read_csv(${str(f.path)}, header = true, all_varchar = true)` : `(SELECT COLUMNS(*)::VARCHAR FROM read_parquet(${str(f.path)}))`;

/**
 * A scratch table holding a file as text, with each row's number in the file (crossab_row, from 1);
 * a file DuckDB cannot read is the user's to fix. Insertion order is the file's (DuckDB preserves it),
 * and rowids run contiguously in it — from an offset, inside a transaction — so the number is rowid
 * less the first one.
 */
async function stage(db: Db, table: string, f: { path: string; format: 'csv' | 'parquet' }): Promise<string[]> {
  try {
    await db.con.run(`CREATE OR REPLACE TEMP TABLE ${table}_raw AS SELECT * FROM ${reader(f)}`);
  } catch (e) {
    throw new UserError(`${f.path}: cannot be read as ${f.format.toUpperCase()} (${firstLine(e)})`);
  }
  const columns = (await all(db, `SELECT column_name AS c FROM (DESCRIBE ${table}_raw)`)).map((r) => String(r.c));
  await db.con.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT rowid - (SELECT min(rowid) FROM ${table}_raw) + 1 AS crossab_row, * FROM ${table}_raw ORDER BY rowid`,
  );
  await db.con.run(`DROP TABLE ${table}_raw`);
  return columns;
}

interface Check {
  column: string;
  /** True for a good value (NULL counts as bad). */
  ok: string;
  says: string;
}

/** The smallest positive normal double (2^-1022). */
const MIN_NORMAL = '2.2250738585072014e-308';

const noNul = (column: string): Check => ({ column, ok: `${id(column)} IS NULL OR strpos(${id(column)}, chr(0)) = 0`, says: 'holds a NUL byte' });

/** The first row of the scratch table that fails any check, as one line naming file, row and column. */
async function firstBad(db: Db, table: string, path: string, checks: Check[]): Promise<void> {
  let worst: { row: number; check: Check; value: unknown } | null = null;
  for (const c of checks) {
    const [hit] = await all(db, `SELECT crossab_row AS r, ${id(c.column)} AS v FROM ${table} WHERE NOT coalesce(${c.ok}, false) ORDER BY crossab_row LIMIT 1`);
    if (hit && (!worst || Number(hit.r) < worst.row)) worst = { row: Number(hit.r), check: c, value: hit.v };
  }
  if (worst)
    throw new UserError(
      `${path}: row ${worst.row}, column '${worst.check.column}': ${worst.value === null ? 'empty' : `'${String(worst.value)}'`} ${worst.check.says}`,
    );
}

function missing(path: string, have: string[], want: string, what: string): UserError {
  const shown = have.length > 12 ? `${have.slice(0, 12).join(', ')}, …` : have.join(', ');
  return new UserError(`${path}: no column '${want}' (${what}); it has: ${shown}`);
}

const jsonOf = (cols: string[], from = '') => (cols.length ? `to_json(struct_pack(${cols.map((c) => `${id(c)} := ${from}${id(c)}`).join(', ')}))` : 'NULL');

async function importFile(db: Db, plan: LogImport, k: number): Promise<number> {
  const f = plan.files[k];
  const m = plan.mapping;
  const cols = await stage(db, 'crossab_log', f);
  const need = (name: string, what: string) => {
    if (!cols.includes(name)) throw missing(f.path, cols, name, what);
    return name;
  };
  const c = {
    time: need(m.columns.time, 'the time'),
    item: need(m.columns.item, 'the item'),
    position: need(m.columns.position, 'the position'),
    click: need(m.columns.click, 'the click'),
    propensity: need(m.columns.propensity, 'the propensity'),
    conversion: m.columns.conversion ? need(m.columns.conversion, 'the conversion') : null,
  };
  const domainCol = 'column' in m.domain ? need(m.domain.column, 'the domain') : null;
  const armCol = 'column' in m.arm ? need(m.arm.column, 'the arm') : null;
  const unitCol = typeof m.unit === 'object' ? need(m.unit.column, 'the unit') : null;
  const features = (patterns: string[], what: string) => {
    const { selected, unmatched } = expandColumns(patterns, cols);
    if (unmatched) throw missing(f.path, cols, unmatched, `${what} features`);
    return selected;
  };
  const userCols = features(m.features.user, 'user');
  const contextCols = features(m.features.context, 'context');
  const last = m.positions.first + m.positions.count - 1;
  const num = (col: string) => `TRY_CAST(${id(col)} AS DOUBLE)`;
  // A number is seconds since 1970 (crossab's own exports, Unix times); anything else a timestamp.
  const time = `CASE WHEN ${num(c.time)} IS NOT NULL THEN to_timestamp(${num(c.time)}) ELSE TRY_CAST(${id(c.time)} AS TIMESTAMPTZ) END`;
  const inList = (names: readonly string[]) => `(${names.map(str).join(', ')})`;
  const checks: Check[] = [
    { column: c.time, ok: `${time} IS NOT NULL`, says: 'is not a time' },
    { column: c.item, ok: `trim(${id(c.item)}) <> ''`, says: 'is not an item' },
    {
      column: c.position,
      ok: `TRY_CAST(${id(c.position)} AS INTEGER) BETWEEN ${m.positions.first} AND ${last}`,
      says: `is not a position from ${m.positions.first} to ${last}`,
    },
    { column: c.click, ok: `${num(c.click)} IN (0, 1)`, says: 'is not a click (0 or 1)' },
    { column: c.propensity, ok: `${num(c.propensity)} > 0 AND ${num(c.propensity)} <= 1`, says: 'is not a propensity in (0, 1]' },
    // Below the smallest normal double a weight 1/p overflows to Infinity: no logger's probability is that small.
    {
      column: c.propensity,
      ok: `${num(c.propensity)} >= ${MIN_NORMAL}`,
      says: `is a subnormal propensity (below ${MIN_NORMAL}), which no logging policy produces`,
    },
    // A NUL byte ends a string in C readers downstream and cannot be a real value.
    ...[c.item, ...(unitCol ? [unitCol] : []), ...userCols, ...contextCols].map((column) => noNul(column)),
  ];
  if (c.conversion) checks.push({ column: c.conversion, ok: `${num(c.conversion)} IN (0, 1)`, says: 'is not a conversion (0 or 1)' });
  if (domainCol) checks.push({ column: domainCol, ok: `${id(domainCol)} IN ${inList(m.domains!)}`, says: `is not a known domain (${m.domains!.join(', ')})` });
  if (armCol) checks.push({ column: armCol, ok: `${id(armCol)} IN ${inList(m.arms!)}`, says: `is not a known arm (${m.arms!.join(', ')})` });
  if (unitCol) checks.push({ column: unitCol, ok: `trim(${id(unitCol)}) <> ''`, says: 'is not a unit' });
  const [{ n }] = await all(db, 'SELECT count(*) AS n FROM crossab_log');
  if (Number(n) === 0) throw new UserError(`${f.path}: no rows`);

  let itemCols: string[] = [];
  if (f.itemsPath && m.items) {
    const items = { path: f.itemsPath, format: f.itemsPath.endsWith('.parquet') ? ('parquet' as const) : ('csv' as const) };
    const icols = await stage(db, 'crossab_items', items);
    if (!icols.includes(m.items.key)) throw missing(f.itemsPath, icols, m.items.key, "the items' key");
    const { selected, unmatched } = expandColumns(m.items.features, icols);
    if (unmatched) throw missing(f.itemsPath, icols, unmatched, 'item features');
    itemCols = selected;
    const [dup] = await all(db, `SELECT ${id(m.items.key)} AS k FROM crossab_items GROUP BY 1 HAVING count(*) > 1 LIMIT 1`);
    if (dup) throw new UserError(`${f.itemsPath}: item '${String(dup.k)}' appears more than once in column '${m.items.key}'`);
    await firstBad(db, 'crossab_items', f.itemsPath, [m.items.key, ...itemCols].map(noNul));
    checks.push({
      column: c.item,
      ok: `trim(${id(c.item)}) IN (SELECT trim(${id(m.items.key)}) FROM crossab_items)`,
      says: `is not an item of ${f.itemsPath}`,
    });
  }
  await firstBad(db, 'crossab_log', f.path, checks);

  const domainExpr = domainCol ? id(domainCol) : str(f.domain!);
  const armExpr = armCol ? id(armCol) : str(f.arm!);
  const unitExpr = unitCol ? id(unitCol) : m.unit === 'timestamp' ? `strftime(${time} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f')` : `'${k}:' || crossab_row`;
  await db.con.run(
    `INSERT INTO log_rows SELECT ${str(plan.dataset)}, ${k}, crossab_row, ${domainExpr}, ${armExpr},
       ${time} AT TIME ZONE 'UTC', ${unitExpr}, trim(${id(c.item)}),
       TRY_CAST(${id(c.position)} AS INTEGER) - ${m.positions.first} + 1, ${num(c.click)}::INTEGER,
       ${c.conversion ? `${num(c.conversion)}::INTEGER` : 'NULL'}, ${num(c.propensity)}, ${jsonOf(userCols)}, ${jsonOf(contextCols)}
     FROM crossab_log ORDER BY crossab_row`,
  );
  // Each file's catalogue with its side table's features, kept per file: OBD's random and bts item
  // tables hash the same item's categorical features to different values, so one file's cannot stand for another's.
  // A file of one domain has the whole side table as its catalogue (items it never showed included);
  // with the domain in a column, an item belongs to the domains whose rows show it.
  const itemsSql = !f.itemsPath
    ? `SELECT DISTINCT ${domainExpr} AS d, trim(${id(c.item)}) AS i, NULL AS j FROM crossab_log`
    : domainCol
      ? `SELECT DISTINCT l.${id(domainCol)} AS d, trim(l.${id(c.item)}) AS i, ${jsonOf(itemCols, 's.')} AS j
           FROM crossab_log l JOIN crossab_items s ON trim(l.${id(c.item)}) = trim(s.${id(m.items!.key)})`
      : `SELECT ${domainExpr} AS d, trim(s.${id(m.items!.key)}) AS i, ${jsonOf(itemCols, 's.')} AS j FROM crossab_items s`;
  await db.con.run(`INSERT INTO log_items SELECT ${str(plan.dataset)}, ${k}, d, i, j FROM (${itemsSql}) x ORDER BY d, i`);
  await db.con.run(
    `INSERT INTO log_files VALUES (${str(plan.dataset)}, ${k}, ${str(f.path)}, ${str(f.sha256)}, ${str(f.format)}, ${Number(n)}, ${f.itemsPath ? str(f.itemsPath) : 'NULL'})`,
  );
  return Number(n);
}

const DATASET_TABLES = ['log_rows', 'log_items', 'log_files', 'log_datasets'] as const;

/** Import a dataset: unchanged when the same checksum is already there; refused (or replaced) when the name holds other contents. */
export async function importLogs(db: Db, plan: LogImport): Promise<ImportOutcome> {
  const [prior] = await all(db, `SELECT checksum FROM log_datasets WHERE dataset = ${str(plan.dataset)}`);
  if (prior && prior.checksum === plan.checksum) return { dataset: plan.dataset, status: 'unchanged', ...(await counts(db, plan.dataset)) };
  if (prior && !plan.replace)
    throw new UserError(`dataset '${plan.dataset}' is already in the store with other contents; --replace to replace it, or --name another`);
  await db.con.run("SET TimeZone = 'UTC'");
  try {
    await transaction(db.con, async () => {
      if (prior) for (const t of DATASET_TABLES) await db.con.run(`DELETE FROM ${t} WHERE dataset = ${str(plan.dataset)}`);
      let rows = 0;
      for (let k = 0; k < plan.files.length; k++) rows += await importFile(db, plan, k);
      const m = plan.mapping;
      const unit = typeof m.unit === 'object' ? m.unit.column : m.unit;
      await db.con.run(
        `INSERT INTO log_datasets VALUES (${str(plan.dataset)}, ${str(plan.checksum)}, ${str(JSON.stringify(m))}, ${str(unit)}, ${str(m.control)}, ${rows}, now()::TIMESTAMP)`,
      );
      const [ctl] = await all(db, `SELECT 1 FROM log_rows WHERE dataset = ${str(plan.dataset)} AND arm = ${str(m.control)} LIMIT 1`);
      if (!ctl) throw new UserError(`dataset '${plan.dataset}': no row of the control arm '${m.control}'`);
    });
  } finally {
    await db.con
      .run('DROP TABLE IF EXISTS crossab_log; DROP TABLE IF EXISTS crossab_items; DROP TABLE IF EXISTS crossab_log_raw; DROP TABLE IF EXISTS crossab_items_raw')
      .catch(() => {});
  }
  return { dataset: plan.dataset, status: prior ? 'replaced' : 'imported', ...(await counts(db, plan.dataset)) };
}

async function counts(db: Db, dataset: string): Promise<{ rows: number; counts: LogCount[] }> {
  const rows = await all(
    db,
    `SELECT domain, arm, count(*) AS rows, sum(click) AS clicks FROM log_rows WHERE dataset = ${str(dataset)} GROUP BY ALL ORDER BY domain, arm`,
  );
  const out = rows.map((r) => ({ domain: String(r.domain), arm: String(r.arm), rows: Number(r.rows), clicks: Number(r.clicks) }));
  return { rows: out.reduce((s, r) => s + r.rows, 0), counts: out };
}

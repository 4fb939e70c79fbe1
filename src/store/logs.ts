// Real logs in the store: importing a dataset (through DuckDB's own CSV and Parquet readers) and
// reading it back for the A/B readout and the off-policy estimates. An import is one transaction:
// every file is read into a scratch table, every mapped value is checked there, and only a dataset
// whose every file passed is written; a refused file leaves the store as it was.
import type { Observations } from '../abtest/observed.js';
import type { Mapping } from '../scenario/mapping.js';
import { expandColumns } from '../scenario/mapping.js';
import { UserError } from '../util/errors.js';
import { sqlIdent as id, sqlString as str } from './columns.js';
import type { Db } from './db.js';
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

type Rows = Record<string, unknown>[];

async function all(db: Db, sql: string): Promise<Rows> {
  return (await db.con.runAndReadAll(sql)).getRowObjectsJson() as Rows;
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

export interface StoredDataset {
  dataset: string;
  mapping: Mapping;
  unit: string;
  control: string;
  rows: number;
  importedAt: string;
}

export async function loadDataset(db: Db, dataset: string): Promise<StoredDataset> {
  const [r] = await all(db, `SELECT * FROM log_datasets WHERE dataset = ${str(dataset)}`);
  if (!r) {
    const names = (await all(db, 'SELECT dataset FROM log_datasets ORDER BY 1')).map((x) => String(x.dataset));
    throw new UserError(`no imported dataset '${dataset}' in the store${names.length ? ` (it has: ${names.join(', ')})` : "; 'crossab import' one first"}`);
  }
  return {
    dataset,
    mapping: JSON.parse(String(r.mapping_json)) as Mapping,
    unit: String(r.unit),
    control: String(r.control),
    rows: Number(r.rows),
    importedAt: String(r.imported_at),
  };
}

/** The log's observations for the A/B readout: one per (arm, domain, unit, instant), in time order, and the log's first instant. */
export async function loggedObservations(
  db: Db,
  dataset: string,
): Promise<{ observations: Observations; start: string; end: number; hasConversions: boolean }> {
  const d = str(dataset);
  const arms = (await all(db, `SELECT DISTINCT arm FROM log_rows WHERE dataset = ${d} ORDER BY 1`)).map((r) => String(r.arm));
  const domains = (await all(db, `SELECT DISTINCT domain FROM log_rows WHERE dataset = ${d} ORDER BY 1`)).map((r) => String(r.domain));
  const [head] = await all(
    db,
    `SELECT strftime(min(time), '%Y-%m-%dT%H:%M:%S.%fZ') AS t0, epoch(max(time)) - epoch(min(time)) AS span, count(conversion) > 0 AS conv FROM log_rows WHERE dataset = ${d}`,
  );
  const rows = (
    await db.con.runAndReadAll(
      `WITH t0 AS (SELECT min(time) AS t0 FROM log_rows WHERE dataset = ${d}),
            u AS (SELECT unit, row_number() OVER (ORDER BY min(time), unit) - 1 AS k FROM log_rows WHERE dataset = ${d} GROUP BY unit)
       SELECT arm, domain, u.k, epoch(time) - epoch((SELECT t0 FROM t0)) AS t, count(*) AS n, sum(click) AS c, coalesce(sum(conversion), 0) AS v
       FROM log_rows JOIN u USING (unit) WHERE dataset = ${d} GROUP BY arm, domain, u.k, time ORDER BY time, u.k, arm, domain`,
    )
  ).getRows();
  const n = rows.length;
  const o: Observations = {
    arms,
    domains,
    arm: new Int32Array(n),
    domain: new Int32Array(n),
    unit: new Int32Array(n),
    units: 0,
    time: new Float64Array(n),
    rows: new Float64Array(n),
    clicks: new Float64Array(n),
    conversions: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    o.arm[i] = arms.indexOf(String(r[0]));
    o.domain[i] = domains.indexOf(String(r[1]));
    o.unit[i] = Number(r[2]);
    o.units = Math.max(o.units, o.unit[i] + 1);
    o.time[i] = Number(r[3]);
    o.rows[i] = Number(r[4]);
    o.clicks[i] = Number(r[5]);
    o.conversions[i] = Number(r[6]);
  });
  return { observations: o, start: String(head.t0), end: Number(head.span), hasConversions: Boolean(head.conv) };
}

/** One arm's logged displays in one domain, for the off-policy estimators: items as indices into the domain's catalogue. */
export interface LoggedDisplays {
  domain: string;
  arm: string;
  /** The domain's items (log_items), sorted. */
  items: string[];
  item: Int32Array;
  /** From 0. */
  position: Int32Array;
  click: Uint8Array;
  propensity: Float64Array;
}

/** `within`: only rows in that window of seconds since the log's start. */
export async function loggedDisplays(db: Db, dataset: string, domain: string, arm: string, within?: { from: number; to: number }): Promise<LoggedDisplays> {
  const d = str(dataset);
  const items = (await all(db, `SELECT DISTINCT item FROM log_items WHERE dataset = ${d} AND domain = ${str(domain)}`))
    .map((r) => String(r.item))
    .sort(itemOrder);
  const rows = (
    await db.con.runAndReadAll(
      `SELECT item, position, click, propensity FROM log_rows WHERE ${within ? windowSql(dataset, { arm, ...within }) : `dataset = ${d} AND arm = ${str(arm)}`} AND domain = ${str(domain)} ORDER BY file, row`,
    )
  ).getRows();
  const at = new Map(items.map((x, k) => [x, k]));
  return {
    domain,
    arm,
    items,
    item: Int32Array.from(rows, (r) => at.get(String(r[0]))!),
    position: Int32Array.from(rows, (r) => Number(r[1]) - 1),
    click: Uint8Array.from(rows, (r) => Number(r[2])),
    propensity: Float64Array.from(rows, (r) => Number(r[3])),
  };
}

/** Item ids in numeric order when they are numbers (OBD's 0 … 45), else in text order. */
export function itemOrder(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/** Which rows a statistic counts: one arm (or all) and a time window in seconds since the log's start. */
export interface LogWindow {
  arm: string | null;
  from: number;
  to: number;
}

const windowSql = (dataset: string, w: LogWindow) =>
  `dataset = ${str(dataset)}${w.arm === null ? '' : ` AND arm = ${str(w.arm)}`}
   AND epoch(time) - (SELECT epoch(min(time)) FROM log_rows WHERE dataset = ${str(dataset)}) >= ${w.from}
   AND epoch(time) - (SELECT epoch(min(time)) FROM log_rows WHERE dataset = ${str(dataset)}) < ${w.to}`;

export interface CountRow {
  domain: string;
  key: string;
  rows: number;
  clicks: number;
}

/** Displays and clicks per domain and one key (the position, the item, or 'all'), in a window. */
export async function logCounts(db: Db, dataset: string, by: 'position' | 'item' | 'all', w: LogWindow): Promise<CountRow[]> {
  const key = by === 'all' ? "'all'" : `CAST(${by} AS VARCHAR)`;
  const rows = await all(
    db,
    `SELECT domain, ${key} AS k, count(*) AS n, sum(click) AS c FROM log_rows WHERE ${windowSql(dataset, w)} GROUP BY ALL ORDER BY domain, k`,
  );
  return rows.map((r) => ({ domain: String(r.domain), key: String(r.k), rows: Number(r.n), clicks: Number(r.c) }));
}

export interface FeatureValueRow {
  domain: string;
  feature: string;
  value: string;
  rows: number;
}

/** How often each value of each mapped user or context feature occurs per domain, in a window (numeric values included as text). */
export async function featureCounts(db: Db, dataset: string, kind: 'user' | 'context', w: LogWindow): Promise<FeatureValueRow[]> {
  const col = kind === 'user' ? 'user_features' : 'context_features';
  const rows = await all(
    db,
    `SELECT domain, k AS feature, ${col}->>k AS v, count(*) AS n FROM log_rows, unnest(json_keys(${col})) AS t(k)
     WHERE ${col} IS NOT NULL AND ${windowSql(dataset, w)} GROUP BY ALL ORDER BY domain, feature, n DESC, v`,
  );
  return rows.map((r) => ({ domain: String(r.domain), feature: String(r.feature), value: String(r.v), rows: Number(r.n) }));
}

/** Each domain's item features from the side tables read with one arm's files: per feature, its values' counts over the catalogue. */
export async function itemFeatureCounts(db: Db, dataset: string, arm: string): Promise<FeatureValueRow[]> {
  const rows = await all(
    db,
    `SELECT i.domain, k AS feature, i.features->>k AS v, count(*) AS n
     FROM log_items i JOIN (SELECT DISTINCT file FROM log_rows WHERE dataset = ${str(dataset)} AND arm = ${str(arm)}) f USING (file), unnest(json_keys(i.features)) AS t(k)
     WHERE i.dataset = ${str(dataset)} AND i.features IS NOT NULL GROUP BY ALL ORDER BY 1, 2, n DESC, v`,
  );
  return rows.map((r) => ({ domain: String(r.domain), feature: String(r.feature), value: String(r.v), rows: Number(r.n) }));
}

/** The log's span in seconds (first row to last). */
export async function logSpan(db: Db, dataset: string): Promise<number> {
  const [r] = await all(db, `SELECT epoch(max(time)) - epoch(min(time)) AS s FROM log_rows WHERE dataset = ${str(dataset)}`);
  return Number(r.s);
}

/** The arms of an imported log. */
export async function logArms(db: Db, dataset: string): Promise<string[]> {
  return (await all(db, `SELECT DISTINCT arm FROM log_rows WHERE dataset = ${str(dataset)} ORDER BY 1`)).map((r) => String(r.arm));
}

// Real logs read back from the store, for the A/B readout, the off-policy estimates and the fit:
// the dataset's record, each arm's displays, counts, feature values, the observations, span and arms.
// (Importing them is log-import.ts.)
import type { Observations } from '../abtest/observed.js';
import type { Mapping } from '../scenario/mapping.js';
import { UserError } from '../util/errors.js';
import { sqlString as str } from './columns.js';
import { rowsOf as all, type Db } from './db.js';

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

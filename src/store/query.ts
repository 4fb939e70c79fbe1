// SQL that the user wrote, run against the store and nothing else. Three locks, each enough for
// what it guards: the statement must be one that only reads (DuckDB's own parse decides, not a
// pattern over the text); the connection is read-only; and its configuration forbids files, other
// databases and extensions and is itself locked (SANDBOX_CONFIG). Results are streamed a chunk at
// a time and stop at a row cap, so a query over a huge range costs neither memory nor time.
import { JsonDuckDBValueConverter, StatementType, type Json } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import type { Db } from './db.js';

/**
 * Statement types that read: SELECT covers FROM-first queries, WITH, VALUES, DESCRIBE, SHOW and
 * SUMMARIZE, and the PRAGMAs that only read (table_info, database_list, version, storage_info …),
 * which DuckDB rewrites into table functions; a PRAGMA that changes anything keeps the type PRAGMA.
 */
const READING = new Set<StatementType>([StatementType.SELECT]);

export interface QueryLimits {
  /** Stop after this many rows (0: no cap; the output is streamed either way). */
  maxRows: number;
  /** Interrupt the query after this many seconds (0: never). */
  timeoutSeconds: number;
}

export interface QuerySink {
  /** 'json': values as DuckDB's JSON conversion gives them; 'text': each value as DuckDB writes it (NULL, true, [1, 2], 3 days). */
  format: 'json' | 'text';
  columns(names: string[]): void;
  rows(rows: Json[][] | string[][]): void;
}

/**
 * A value as text, the way DuckDB's own shell writes it: NULL, true, 12345678901234567890, {'a': 1},
 * 3 days, \x00ab; doubles in full (a query's 0.000001 is not a table's rounded 0.0000).
 */
export const valueText = (v: unknown): string => (v === null ? 'NULL' : String(v));

export interface QueryOutcome {
  rows: number;
  /** More rows existed beyond the cap. */
  truncated: boolean;
}

const statementName = (t: StatementType): string => (StatementType[t] ?? `type ${t}`).replace(/_/g, ' ');

function refusal(e: unknown): UserError {
  const line = ((e as Error).message ?? String(e)).split('\n')[0];
  if (/file system operations are disabled|external access|extensions is disabled/i.test(line)) {
    return new UserError(`query: only the store can be read; files, other databases and extensions are off limits (${line})`);
  }
  if (/INTERRUPT/i.test(line)) return new UserError('query: interrupted');
  return new UserError(`query: ${line}`);
}

/** Nothing but white space, semicolons and comments. */
const isBlank = (sql: string): boolean => sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/[\s;]/g, '') === '';

/** Check that `sql` is exactly one reading statement, then stream its rows into `sink`. */
export async function runReadOnlyQuery(db: Db, sql: string, limits: QueryLimits, sink: QuerySink): Promise<QueryOutcome> {
  if (isBlank(sql)) throw new UserError("query: no SQL given; for example crossab query 'SELECT * FROM runs'");
  let prepared: Awaited<ReturnType<Awaited<ReturnType<typeof db.con.extractStatements>>['prepare']>>;
  try {
    const statements = await db.con.extractStatements(sql);
    if (statements.count !== 1) throw new UserError(`query: give exactly one statement, got ${statements.count}`);
    prepared = await statements.prepare(0);
  } catch (e) {
    throw e instanceof UserError ? e : refusal(e);
  }
  if (!READING.has(prepared.statementType)) {
    throw new UserError(
      `query: only statements that read are allowed (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, and PRAGMAs that only read, such as table_info); this one is ${statementName(prepared.statementType)}`,
    );
  }
  let timedOut = false;
  const timer =
    limits.timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          db.con.interrupt();
        }, limits.timeoutSeconds * 1000)
      : null;
  try {
    const result = await prepared.stream();
    sink.columns(result.deduplicatedColumnNames());
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      // An interrupted stream can simply end: only the timer knows it did not finish.
      if (timedOut) throw new Error('INTERRUPT');
      if (!chunk || chunk.rowCount === 0) return { rows, truncated: false };
      const room = limits.maxRows > 0 ? limits.maxRows - rows : Infinity;
      if (room <= 0) return { rows, truncated: true };
      let batch: Json[][] | string[][] =
        sink.format === 'json' ? (chunk.convertRows(JsonDuckDBValueConverter) as Json[][]) : chunk.getRows().map((r) => r.map(valueText));
      const truncated = batch.length > room;
      if (truncated) batch = batch.slice(0, room);
      sink.rows(batch);
      rows += batch.length;
      if (truncated) return { rows, truncated: true };
    }
  } catch (e) {
    if (timedOut) throw new UserError(`query: stopped after ${limits.timeoutSeconds} s; narrow the query or raise --timeout`);
    throw refusal(e);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

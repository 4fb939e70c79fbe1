// Bulk writes of typed-array columns through the DuckDB appender, one 2048-row data chunk at a time
// (the chunk path runs ~4× faster than appending value by value).
import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';

export interface Column {
  name: string;
  type: DuckDBType;
  /** Typed array (numbers), or a plain array for strings / nullable values. */
  data: ArrayLike<unknown> & { subarray?: (s: number, e: number) => unknown; slice(s: number, e: number): unknown };
}

const CHUNK = 2048;

export async function appendColumns(con: DuckDBConnection, table: string, columns: Column[], rows: number): Promise<void> {
  if (rows === 0) return;
  const appender = await con.createAppender(table);
  try {
    const chunk = DuckDBDataChunk.create(columns.map((c) => c.type));
    for (let s = 0; s < rows; s += CHUNK) {
      const e = Math.min(rows, s + CHUNK);
      chunk.rowCount = e - s;
      chunk.setColumns(columns.map((c) => (c.data.subarray ? c.data.subarray(s, e) : c.data.slice(s, e)) as never));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export const sqlIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

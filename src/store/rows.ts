// Rows of plain objects into a table through the appender (columns in the table's order).
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { appendColumns } from './columns.js';

export type ColumnKind = 'varchar' | 'double' | 'integer' | 'bigint' | 'boolean';
const TYPES: Record<ColumnKind, DuckDBType> = { varchar: VARCHAR, double: DOUBLE, integer: INTEGER, bigint: BIGINT, boolean: BOOLEAN };

function convert(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (kind === 'double') return Number.isFinite(v as number) ? v : null; // NaN (undefined metric) is stored as NULL
  if (kind === 'bigint') return Number.isFinite(v as number) ? BigInt(Math.round(v as number)) : null;
  if (kind === 'integer') return Number.isFinite(v as number) ? Math.round(v as number) : null;
  return v;
}

export async function appendRows<T extends Record<string, unknown>>(
  con: DuckDBConnection, table: string, columns: [keyof T & string, ColumnKind][], rows: T[],
): Promise<void> {
  const cols = columns.map(([name, kind]) => ({ name, type: TYPES[kind], data: rows.map((r) => convert(kind, r[name])) }));
  await appendColumns(con, table, cols, rows.length);
}

// The table declarations are the schema: the migrations they produce create exactly the declared
// columns with their types, and the appender fills every column from its declared field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LATEST_VERSION, TABLES, appendTable, migrationTo, storeReference, type ColumnDef, type TableName } from '../../src/store/tables.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { root } from '../helpers/scenarios.js';

const sample = (c: ColumnDef, k: number): unknown =>
  c.type === 'varchar' ? `${c.name}-${k}` : c.type === 'boolean' ? k % 2 === 0 : c.type === 'double' ? k + 0.25 : k + 1;

test('migrations from the declarations create every declared column, in order, with its type; the appender fills each from its field', async () => {
  assert.equal(SCHEMA_VERSION, LATEST_VERSION);
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    for (let v = 1; v <= LATEST_VERSION; v++) for (const sql of migrationTo(v)) await con.run(sql);
    const cols = (await con.runAndReadAll('SELECT table_name, column_name, data_type FROM duckdb_columns() ORDER BY table_name, column_index')).getRowObjects();
    for (const t of TABLES) {
      const got = cols.filter((c) => c.table_name === t.name).map((c) => `${c.column_name} ${c.data_type}`);
      assert.deepEqual(
        got,
        t.columns.map((c: ColumnDef) => `${c.name} ${c.type.toUpperCase()}`),
        t.name,
      );
      assert.ok(t.doc.length > 0 && t.columns.every((c: ColumnDef) => c.doc.length > 0), `${t.name}: every table and column is documented`);
      // Tables written by SQL (runs with now() and the process stamp; an import's checked rows) are not appended.
      if (t.columns.some((c: ColumnDef) => c.type === 'timestamp' || c.check)) continue;
      // Two result objects keyed by the declared fields; a NaN double is stored as NULL.
      const rows = [0, 1].map((k) =>
        Object.fromEntries(t.columns.map((c: ColumnDef) => [c.field ?? c.name, k === 1 && c.type === 'double' ? NaN : sample(c, k)])),
      );
      await appendTable(con, t.name as Exclude<TableName, 'runs'>, rows as never);
      const back = (await con.runAndReadAll(`SELECT * FROM ${t.name} ORDER BY ALL`)).getRowObjects();
      assert.equal(back.length, 2);
      t.columns.forEach((c: ColumnDef) => {
        const [a, b] = back.map((r) => r[c.name]);
        const want0 = sample(c, 0);
        assert.equal(c.type === 'bigint' ? Number(a) : a, want0, `${t.name}.${c.name}`);
        if (c.type === 'double') assert.equal(b, null, `${t.name}.${c.name}: NaN is NULL`);
      });
    }
  } finally {
    con.closeSync();
    inst.closeSync();
  }
});

test('a column added by a later version is added to the table, not created with it', () => {
  const v1 = migrationTo(1).join('\n');
  assert.doesNotMatch(v1, /max_user_share|pid_stamp/);
  assert.deepEqual(migrationTo(2), ['ALTER TABLE ab_assignment ADD COLUMN max_user_share DOUBLE']);
  assert.deepEqual(migrationTo(3), ['ALTER TABLE runs ADD COLUMN pid_stamp VARCHAR']);
});

test("docs/store.md's table of stored columns lists every declared table's columns, in order", () => {
  const section = readFileSync(join(root, 'docs/store.md'), 'utf8');
  const listed = [...section.matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)];
  assert.ok(listed.length >= 19, 'docs/store.md lists the tables');
  for (const [, name, cells] of listed) {
    const t = TABLES.find((x) => x.name === name);
    assert.ok(t, `docs/store.md lists a table '${name}' that is not declared`);
    const columns = cells
      .replace(/\s*\([^)]*\)/g, '')
      .split(',')
      .map((c) => c.trim());
    assert.deepEqual(
      columns,
      t.columns.map((c: ColumnDef) => c.name),
      name,
    );
  }
});

test('docs/reference/store.md is every table and column as declared, with its type, version and meaning (regenerate with npm run docs)', () => {
  const page = readFileSync(join(root, 'docs/reference/store.md'), 'utf8');
  assert.equal(page, storeReference(), 'the store reference drifted from src/store/tables.ts: run npm run docs');
  for (const t of TABLES) assert.match(page, new RegExp(`^## \`${t.name}\`$`, 'm'));
});

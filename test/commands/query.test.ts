// `crossab query`: one read-only SQL statement against the store, as a table whose cells stay on one
// line or as JSON (booleans and NULLs as JSON's own, BIGINTs as strings so no digit is lost); a
// cut-off result says so on stderr; a statement that writes, or a bad flag, is one line and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { crossab } from '../helpers/cli.js';

const VALUES = "SELECT true AS t, NULL AS n, 'a' || chr(10) || 'b' AS s, 42::BIGINT AS i, 1.5::DOUBLE AS d";

test('crossab query prints a table and JSON, says when it cut the rows, and refuses writes and bad flags in one line', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-query-')), 'q.duckdb');
  (await openDb(db)).close();
  const table = crossab(['query', VALUES, '--db', db]);
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(
    table.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.trimEnd().split(/ +/)),
    [
      ['t', 'n', 's', 'i', 'd'],
      ['----', '----', '----', '--', '---'],
      ['true', 'NULL', 'a\\nb', '42', '1.5'],
    ],
  );
  const json = crossab(['query', VALUES, '--db', db, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [{ t: true, n: null, s: 'a\nb', i: '42', d: 1.5 }]);
  assert.deepEqual(JSON.parse(crossab(['query', 'SELECT 1 AS x WHERE false', '--db', db, '--json']).stdout), []);
  const cut = crossab(['query', 'SELECT * FROM range(3) t(x)', '--db', db, '--max-rows', '1', '--json']);
  assert.equal(cut.code, 0, cut.stderr);
  assert.deepEqual(JSON.parse(cut.stdout), [{ x: '0' }]);
  assert.equal(cut.stderr, 'crossab: query: truncated at 1 rows; --max-rows N to change (0: all)\n');
  const write = crossab(['query', 'CREATE TABLE z (x INT)', '--db', db]);
  assert.equal(write.code, 2);
  assert.match(write.stderr, /^crossab: query: only statements that read are allowed .*; this one is CREATE\n$/);
  const flag = crossab(['query', 'SELECT 1', '--db', db, '--max-rows', '-1']);
  assert.equal(flag.code, 2);
  assert.equal(flag.stderr, 'crossab: query: --max-rows must be between 0 and 2147483647, got -1\n');
});

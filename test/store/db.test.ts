// Opening a store: a wrong path, a folder, a foreign or damaged file is one line naming it; opens of
// one file within a process take turns; read-only refuses writes; the sandbox reaches nothing outside
// the file; a process holding the file's lock makes another wait, then fail naming its PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardNewStore, openDb, rowsOf } from '../../src/store/db.js';
import { UserError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-db-'));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    assert.ok(!e.message.includes('\n'), e.message);
    return e.message;
  }
  assert.fail('not refused');
}

test('openDb refuses an empty path, a missing file to read, a folder, a missing folder and foreign or damaged files, one line each', async () => {
  assert.equal(await refusal(openDb(' ')), '--db needs a file path, got an empty string');
  assert.match(await refusal(openDb(join(dir, 'none.duckdb'), { readOnly: true })), /^no database at '.*none\.duckdb'; run 'crossab run' first or pass --db$/);
  mkdirSync(join(dir, 'folder.duckdb'));
  assert.match(await refusal(openDb(join(dir, 'folder.duckdb'))), /is a folder, not a file$/);
  assert.match(await refusal(openDb(join(dir, 'no', 'x.duckdb'))), /folder '.*no' does not exist$/);
  writeFileSync(join(dir, 'lite.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]));
  assert.match(await refusal(openDb(join(dir, 'lite.db'))), /is a SQLite file, not a DuckDB file; choose another path with --db$/);
  writeFileSync(join(dir, 'p.parquet'), Buffer.from('PAR1xxxxxxxxxxxxxxxx'));
  assert.match(await refusal(openDb(join(dir, 'p.parquet'))), /is a Parquet file, not a DuckDB file/);
  writeFileSync(join(dir, 'text.duckdb'), 'hello, this is not a database at all');
  assert.match(await refusal(openDb(join(dir, 'text.duckdb'))), /is not a DuckDB file; choose another path/);
});

test('a new store is migrated on open; read-only refuses writes; the sandbox cannot read files; discardNewStore leaves nothing', async () => {
  const path = join(dir, 'new.duckdb');
  const db = await openDb(path);
  const tables = (await db.con.runAndReadAll("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'runs'")).getRowObjectsJson();
  assert.equal(Number(tables[0].n), 1, 'migrated: the runs table exists');
  db.close();
  db.close(); // twice is harmless
  const ro = await openDb(path, { readOnly: true });
  await assert.rejects(ro.con.run('CREATE TABLE x (a INTEGER)'), /read-only/i);
  ro.close();
  writeFileSync(join(dir, 'secret.csv'), 'a\n1\n');
  const box = await openDb(path, { sandbox: true });
  await assert.rejects(box.con.run(`SELECT * FROM read_csv('${join(dir, 'secret.csv')}')`), /disabled|external access/i);
  await assert.rejects(box.con.run("SET enable_external_access = 'true'"), /lock|configuration/i);
  box.close();
  const fresh = join(dir, 'fresh.duckdb');
  (await openDb(fresh)).close();
  discardNewStore(fresh);
  assert.ok(!existsSync(fresh) && !existsSync(`${fresh}.wal`));
});

test('opens of one file in one process take turns: the second waits until the first is closed', async () => {
  const path = join(dir, 'turns.duckdb');
  const first = await openDb(path);
  let second = false;
  const waiting = openDb(path).then((db) => {
    second = true;
    return db;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(second, false, 'still waiting while the first is open');
  first.close();
  (await waiting).close();
  assert.equal(second, true);
});

test('a file another process holds makes openDb wait, then say it is busy and whose PID holds it', async () => {
  const path = join(dir, 'busy.duckdb');
  (await openDb(path)).close();
  // Another process opens the file for writing and holds it until its stdin closes.
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect(); console.log('held'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: process.cwd() },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited ${code}`)));
    });
    const message = await refusal(openDb(path, { waitSeconds: 0.5 }));
    assert.match(
      message,
      new RegExp(`^database '.*busy\\.duckdb' is busy: another process \\(PID ${holder.pid}\\) holds it; wait for it to finish or use --db OTHER\\.duckdb$`),
    );
  } finally {
    holder.stdin!.end();
    holder.kill();
  }
});

test('rowsOf: a query’s rows as plain objects, in its order', async () => {
  const db = await openDb(join(mkdtempSync(join(tmpdir(), 'crossab-rows-of-')), 'r.duckdb'));
  try {
    assert.deepEqual(await rowsOf(db, "SELECT * FROM (VALUES (2, 'b', NULL), (1, 'a', true)) t(n, s, f) ORDER BY n"), [
      { n: 1, s: 'a', f: true },
      { n: 2, s: 'b', f: null },
    ]);
    assert.deepEqual(await rowsOf(db, 'SELECT 1 AS x WHERE false'), []);
  } finally {
    db.close();
  }
});

// Importing a log into the store, in process: the counts it reports, the same contents again changing
// nothing, other contents under the name refused unless replaced, and a bad value or a missing control
// arm refused in one line with the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLogs, type LogImport } from '../../src/store/log-import.js';
import { openDb, rowsOf } from '../../src/store/db.js';
import { parseMapping } from '../../src/scenario/mapping.js';
import { UserError } from '../../src/util/errors.js';
import { SYNTHETIC_MAPPING } from '../helpers/synthetic-log.js';

const mapping = parseMapping(SYNTHETIC_MAPPING);

const dir = mkdtempSync(join(tmpdir(), 'crossab-log-import-'));
function csv(name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `t,arm,item,position,click,propensity\n${rows.join('\n')}\n`);
  return path;
}
const plan = (path: string, checksum: string, replace = false): LogImport => ({
  dataset: 'syn',
  checksum,
  mapping,
  replace,
  files: [{ path, format: 'csv', sha256: checksum, domain: 'feed', arm: null, itemsPath: null }],
});

test('an import reports its rows and clicks per domain and arm; the same checksum again is unchanged; other contents are refused, or replaced on request', async () => {
  const good = csv('good.csv', ['1,control,3,1,1,0.1', '2,other,4,2,0,0.1', '3,control,5,3,0,0.1', '4,other,3,1,1,0.1', '5,other,2,1,1,0.1']);
  const db = await openDb(join(dir, 'a.duckdb'));
  try {
    const first = await importLogs(db, plan(good, 'c1'));
    assert.deepEqual(first, {
      dataset: 'syn',
      status: 'imported',
      rows: 5,
      counts: [
        { domain: 'feed', arm: 'control', rows: 2, clicks: 1 },
        { domain: 'feed', arm: 'other', rows: 3, clicks: 2 },
      ],
    });
    assert.equal((await importLogs(db, plan(good, 'c1'))).status, 'unchanged');
    const fewer = csv('fewer.csv', ['1,control,3,1,1,0.1', '2,other,4,2,0,0.1']);
    await assert.rejects(
      importLogs(db, plan(fewer, 'c2')),
      (e: Error) => e instanceof UserError && /already in the store with other contents; --replace/.test(e.message),
    );
    assert.equal((await rowsOf<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM log_rows'))[0].n, 5);
    const replaced = await importLogs(db, plan(fewer, 'c2', true));
    assert.deepEqual([replaced.status, replaced.rows], ['replaced', 2]);
    // Stored as the file numbers them (from positions.first); the readers count from 0.
    assert.deepEqual(await rowsOf(db, 'SELECT position, item FROM log_rows ORDER BY time'), [
      { position: 1, item: '3' },
      { position: 2, item: '4' },
    ]);
  } finally {
    db.close();
  }
});

test('a value outside its column’s rule, or no row of the control arm, is refused in one line and nothing is written', async () => {
  const db = await openDb(join(dir, 'b.duckdb'));
  try {
    const bad = csv('bad.csv', ['1,control,3,1,1,0.1', '2,other,4,2,2,0.1']);
    await assert.rejects(importLogs(db, plan(bad, 'b1')), (e: Error) => e instanceof UserError && e.message.startsWith(`${bad}: row 2, column 'click': '2' `));
    const noControl = csv('no-control.csv', ['1,other,3,1,1,0.1']);
    await assert.rejects(importLogs(db, plan(noControl, 'b2')), /dataset 'syn': no row of the control arm 'control'/);
    for (const t of ['log_rows', 'log_files', 'log_datasets']) assert.deepEqual(await rowsOf(db, `SELECT * FROM ${t}`), [], t);
  } finally {
    db.close();
  }
});

// A synthetic real log for the import, readout and fit tests: CSV rows written to a fresh folder and
// imported as dataset 'syn' — one domain ('feed'), the arm in column `arm` (control and other), three
// positions from 1 — with the mapping's other fields as a test needs them.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from './cli.js';

/** The synthetic log's mapping: dataset 'syn', one domain, the arm from column `arm`, three positions from 1. */
export const SYNTHETIC_MAPPING = {
  dataset: 'syn',
  domain: { value: 'feed' },
  arm: { column: 'arm' },
  arms: ['control', 'other'],
  control: 'control',
  columns: { time: 't', item: 'item', position: 'position', click: 'click', propensity: 'propensity' },
  positions: { first: 1, count: 3 },
};

/** Import `rows` (a header first: t, arm, item, position, click, propensity, then features); returns the store's path. */
export function importSyntheticLog(rows: string[], mapping: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-synthetic-log-'));
  writeFileSync(join(dir, 'log.csv'), `${rows.join('\n')}\n`);
  const map = { ...SYNTHETIC_MAPPING, ...mapping };
  writeFileSync(join(dir, 'map.json'), JSON.stringify(map));
  const db = join(dir, 'store.duckdb');
  const r = crossab(['import', join(dir, 'log.csv'), '--map', join(dir, 'map.json'), '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return db;
}

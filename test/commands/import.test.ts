// `crossab import`: what it prints — the dataset, its rows per domain and arm with their CTR, and the
// next command — and the same files again as "unchanged"; other contents under the name, no --map or
// a name that is not letters, digits, . _ - are one line and exit 2 (the import itself, the files'
// checks and the store's contents, is test/logs/import.test.ts's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const mapping = join(root, 'scenarios/logs/obd.map.json');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));

test('crossab import prints the dataset’s rows per domain and arm and what to run next; again, unchanged; bad input in one line', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-import-cmd-')), 's.duckdb');
  const first = crossab(['import', ...files, '--map', mapping, '--db', db, '--name', 'obd-x']);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'dataset obd-x: imported; 800 rows');
  assert.match(lines[2], /^domain +arm +rows +clicks +CTR *$/);
  assert.deepEqual(
    lines.slice(4, 8).map((l) => l.trim().split(/ +/)),
    [
      ['men', 'bts', '200', '1', '0.500%'],
      ['men', 'random', '200', '0', '0.000%'],
      ['women', 'bts', '200', '1', '0.500%'],
      ['women', 'random', '200', '0', '0.000%'],
    ],
  );
  assert.equal(lines[lines.length - 1], 'next: crossab readout obd-x');
  const again = crossab(['import', ...files, '--map', mapping, '--db', db, '--name', 'obd-x']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.split('\n')[0], 'dataset obd-x: already imported with the same files and mapping: unchanged; 800 rows');
  const refused: [string[], string][] = [
    [
      [files[0], '--map', mapping, '--name', 'obd-x'],
      "crossab: dataset 'obd-x' is already in the store with other contents; --replace to replace it, or --name another\n",
    ],
    [[files[0]], "crossab: import: --map MAPPING.json is required (it says which column is which; see 'crossab import --help')\n"],
    [[files[0], '--map', mapping, '--name=.x'], "crossab: import: --name '.x' must be letters, digits, . _ - (starting with a letter or digit)\n"],
  ];
  for (const [args, message] of refused) {
    const r = crossab(['import', ...args, '--db', db]);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr, message);
  }
});

// Importing real logs: the OBD excerpt's four files as one dataset, the same files again changing
// nothing, and each kind of bad file refused in one line naming file, row and column with the store
// left exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const mapping = join(root, 'scenarios/logs/obd.map.json');
const logsIn = (dir: string) => ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(dir, f));

/** Everything an import writes, as one digest (the store's file bytes move on every open; its contents must not). */
function contents(db: string): string {
  const sql =
    "SELECT md5(string_agg(x, '|' ORDER BY x)) AS h FROM (SELECT CAST(r AS VARCHAR) AS x FROM log_rows r UNION ALL SELECT CAST(i AS VARCHAR) FROM log_items i " +
    'UNION ALL SELECT CAST(f AS VARCHAR) FROM log_files f UNION ALL SELECT CAST(d AS VARCHAR) FROM log_datasets d)';
  const r = crossab(['query', sql, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0].h;
}

test('the OBD excerpt imports as one dataset, 2 arms × 2 domains; importing it again changes nothing', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-import-')), 'store.duckdb');
  const first = crossab(['import', ...logsIn(fixture), '--map', mapping, '--db', db, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.equal(out.status, 'imported');
  assert.equal(out.rows, 800);
  assert.deepEqual(
    out.counts.map((c: { domain: string; arm: string; rows: number }) => `${c.domain}/${c.arm}:${c.rows}`),
    ['men/bts:200', 'men/random:200', 'women/bts:200', 'women/random:200'],
  );
  const before = contents(db);
  const again = crossab(['import', ...logsIn(fixture), '--map', mapping, '--db', db, '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).status, 'unchanged');
  assert.equal(contents(db), before);

  // What was stored is what the files say: positions from 1, the uniform logger's 1/34 on men.
  const q = crossab([
    'query',
    "SELECT min(position) AS lo, max(position) AS hi, min(propensity) AS p, max(propensity) AS q, count(DISTINCT item) AS items FROM log_rows WHERE arm = 'random' AND domain = 'men'",
    '--db',
    db,
    '--json',
  ]);
  const [s] = JSON.parse(q.stdout);
  assert.deepEqual([s.lo, s.hi], [1, 3]);
  assert.ok(Math.abs(s.p - 1 / 34) < 1e-12 && Math.abs(s.q - 1 / 34) < 1e-12, `${s.p} ${s.q}`);
  // Each file keeps its own side table: OBD's two arms hash an item's categorical features differently.
  const items = crossab(['query', "SELECT count(DISTINCT features) AS n FROM log_items WHERE domain = 'men' AND item = '0'", '--db', db, '--json']);
  assert.equal(JSON.parse(items.stdout)[0].n, '2');
  const features = crossab(['query', 'SELECT user_features, context_features FROM log_rows WHERE file = 0 AND row = 1', '--db', db, '--json']);
  const [f] = JSON.parse(features.stdout);
  assert.deepEqual(Object.keys(JSON.parse(f.user_features)), ['user_feature_0', 'user_feature_1', 'user_feature_2', 'user_feature_3']);
  assert.equal(Object.keys(JSON.parse(f.context_features)).length, 34);
});

test('a corrupted copy is refused in one line naming file, row and column, and the store is unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-import-bad-'));
  const db = join(dir, 'store.duckdb');
  const ok = crossab(['import', ...logsIn(fixture), '--map', mapping, '--db', db]);
  assert.equal(ok.code, 0, ok.stderr);
  const before = contents(db);
  const corrupt = (name: string, edit: (lines: string[]) => void) => {
    const copy = join(dir, name);
    cpSync(fixture, copy, { recursive: true });
    const file = join(copy, 'bts/women/women.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    edit(lines);
    writeFileSync(file, lines.join('\n'));
    return crossab(['import', ...logsIn(copy), '--map', mapping, '--db', db, '--replace']);
  };
  const cols = (line: string) => line.split(',');
  const header = (lines: string[]) => cols(lines[0]);
  const setCell = (lines: string[], row: number, column: string, value: string) => {
    const k = header(lines).indexOf(column);
    const c = cols(lines[row]);
    c[k] = value;
    lines[row] = c.join(',');
  };
  const cases = [
    {
      name: 'no-click',
      edit: (lines: string[]) => {
        const k = header(lines).indexOf('click');
        for (let i = 0; i < lines.length; i++)
          if (lines[i])
            lines[i] = cols(lines[i])
              .filter((_, j) => j !== k)
              .join(',');
      },
      says: /bts\/women\/women\.csv: no column 'click' \(the click\); it has: /,
    },
    {
      name: 'click-2',
      edit: (lines: string[]) => setCell(lines, 17, 'click', '2'),
      says: /women\.csv: row 17, column 'click': '2' is not a click \(0 or 1\)$/,
    },
    {
      name: 'propensity-0',
      edit: (lines: string[]) => setCell(lines, 42, 'propensity_score', '0'),
      says: /women\.csv: row 42, column 'propensity_score': '0' is not a propensity in \(0, 1\]$/,
    },
    {
      name: 'position-4',
      edit: (lines: string[]) => setCell(lines, 5, 'position', '4'),
      says: /women\.csv: row 5, column 'position': '4' is not a position from 1 to 3$/,
    },
    {
      name: 'click-twice',
      edit: (lines: string[]) => {
        lines[0] = lines[0].replace('user_feature_0', 'click');
      },
      says: /women\.csv: column 'click' appears twice in the header \(columns 5 and 7\); rename one$/,
    },
    {
      name: 'propensity-twice',
      edit: (lines: string[]) => {
        lines[0] = lines[0].replace('user_feature_3', 'propensity_score');
      },
      says: /women\.csv: column 'propensity_score' appears twice in the header \(columns 6 and 10\); rename one$/,
    },
    {
      name: 'field-missing',
      edit: (lines: string[]) => {
        lines[17] = lines[17].slice(0, lines[17].lastIndexOf(','));
      },
      says: /women\.csv: row 17 has 55 fields, the header has 56$/,
    },
    {
      name: 'field-extra',
      edit: (lines: string[]) => {
        lines[120] += ',7';
      },
      says: /women\.csv: row 120 has 57 fields, the header has 56$/,
    },
    {
      name: 'propensity-subnormal',
      edit: (lines: string[]) => setCell(lines, 33, 'propensity_score', '1e-320'),
      says: /women\.csv: row 33, column 'propensity_score': '1e-320' is a subnormal propensity/,
    },
    {
      name: 'nul-in-feature',
      edit: (lines: string[]) => setCell(lines, 8, 'user_feature_2', 'a\u0000b'),
      says: /women\.csv: row 8, column 'user_feature_2': 'a\\x00b' holds a NUL byte$/,
    },
    {
      name: 'unknown-item',
      edit: (lines: string[]) => setCell(lines, 9, 'item_id', '99'),
      says: /women\.csv: row 9, column 'item_id': '99' is not an item of .*item_context\.csv$/,
    },
  ];
  for (const c of cases) {
    const r = corrupt(c.name, c.edit);
    assert.equal(r.code, 2, `${c.name}: ${r.stdout}${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${c.name}: one line, got ${r.stderr}`);
    assert.match(lines[0], c.says, c.name);
    assert.equal(contents(db), before, `${c.name}: the store moved`);
  }
  // An unknown domain, from a column: a campaign the mapping does not list.
  const withColumn = join(dir, 'campaign/bts/men');
  cpSync(join(fixture, 'bts/men'), withColumn, { recursive: true });
  const file = join(withColumn, 'men.csv');
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  writeFileSync(file, lines.map((l, i) => `${l},${i === 0 ? 'campaign' : i === 3 ? 'kids' : 'men'}`).join('\n') + '\n');
  const m = JSON.parse(readFileSync(mapping, 'utf8'));
  m.domain = { column: 'campaign' };
  m.domains = ['men', 'women'];
  m.arms = ['random', 'bts'];
  const mapFile = join(dir, 'campaign.map.json');
  writeFileSync(mapFile, JSON.stringify(m));
  const r = crossab(['import', file, '--map', mapFile, '--db', db, '--name', 'other']);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /men\.csv: row 3, column 'campaign': 'kids' is not a known domain \(men, women\)$/);
  // A file whose path names no arm the mapping knows.
  const stray = join(dir, 'stray/men');
  cpSync(join(fixture, 'bts/men'), stray, { recursive: true });
  const s2 = crossab(['import', join(stray, 'men.csv'), '--map', mapping, '--db', db, '--name', 'other']);
  assert.equal(s2.code, 2);
  assert.match(s2.stderr.trim(), /its path names no arm \(the mapping takes the arm from the path: one of random, bts\)$/);
  assert.equal(contents(db), before);
});

// `crossab report`: the HTML report of the latest run, a named run or several compared; what it cannot
// do is one line and exit 2, and writes nothing: --run with --compare, a comparison of one, an --out
// that is not .html, a run the store does not hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('crossab report writes the latest run’s report, a comparison of two runs, and refuses what it cannot do in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-report-'));
  const db = join(dir, 'r.duckdb');
  const ids = [7, 8].map((seed) => {
    const run = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--aa', '--no-report', '--seed', String(seed), '--db', db, '--json']);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout).run_id as string;
  });
  const latest = crossab(['report', '--db', db, '--out', join(dir, 'latest.html')]);
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(latest.stdout, `wrote ${join(dir, 'latest.html')}\n`);
  const html = readFileSync(join(dir, 'latest.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>crossab report: tiny \(seed 8\)<\/title>/, 'the latest run is seed 8');
  const compared = crossab(['report', '--db', db, '--compare', ids.join(','), '--out', join(dir, 'both.html')]);
  assert.equal(compared.code, 0, compared.stderr);
  for (const id of ids) assert.ok(readFileSync(join(dir, 'both.html'), 'utf8').includes(id), `the comparison names ${id}`);
  const refused: [string[], RegExp][] = [
    [['--run', ids[0], '--compare', ids.join(',')], /^crossab: report: give --run or --compare, not both\n$/],
    [['--compare', ids[0]], /^crossab: report: --compare needs at least two run IDs\n$/],
    [['--out', join(dir, 'r.txt')], /^crossab: report: --out '.*r\.txt' must end in \.html\n$/],
    [['--run', 'nosuch'], /^crossab: no run 'nosuch' in '.*r\.duckdb'; 'crossab runs' lists them\n$/],
  ];
  for (const [flags, message] of refused) {
    const out = join(dir, 'refused.html');
    const r = crossab(['report', '--db', db, ...(flags.includes('--out') ? flags : [...flags, '--out', out])]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, message);
    assert.ok(!existsSync(out), `${flags.join(' ')}: nothing written`);
  }
});

// `crossab fit` as a command: --out required and a .json path, --fit-share in [0.1, 0.9], the fit
// file apart from the scenario, each refused in one line before any work; a fit writes the scenario,
// the fit file and the page, and says what it wrote and how faithful the fitted world is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));

test('fit refuses a missing or wrong --out, a share out of range, a fit file that is the scenario and a report in no folder — before the fit, one line, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-fit-cmd-'));
  const db = join(dir, 'store.duckdb');
  const out = join(dir, 'fitted.json');
  const cases: [string[], string][] = [
    [['fit', 'obd', '--db', db], 'crossab: fit: --out scenarios/NAME.json is required'],
    [['fit', 'obd', '--db', db, '--out', join(dir, 'fitted.yaml')], `crossab: fit: --out '${join(dir, 'fitted.yaml')}' must end in .json`],
    [['fit', 'obd', '--db', db, '--out', out, '--fit-share', '0.95'], "crossab: fit: --fit-share must be a number from 0.1 to 0.9, got '0.95'"],
    [['fit', 'obd', '--db', db, '--out', out, '--fit-share', 'half'], "crossab: fit: --fit-share must be a number from 0.1 to 0.9, got 'half'"],
    [['fit', 'obd', '--db', db, '--out', out, '--fit-file', out], 'crossab: fit: --fit-file must differ from --out'],
    [
      ['fit', 'obd', '--db', db, '--out', out, '--report', join(dir, 'no', 'page.html')],
      `crossab: fit: --report '${join(dir, 'no', 'page.html')}': folder '${join(dir, 'no')}' does not exist`,
    ],
  ];
  for (const [argv, line] of cases) {
    const r = crossab(argv);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr, `${line}\n`);
  }
  assert.ok(!existsSync(out) && !existsSync(db));
});

test('fit writes the scenario, the fit file and the page where asked, and says so with the faithfulness count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-fit-out-'));
  const db = join(dir, 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', join(root, 'scenarios/logs/obd.map.json'), '--db', db]).code, 0);
  const out = join(dir, 'obd-fitted.json');
  const page = join(dir, 'page.html');
  const r = crossab(['fit', 'obd', '--db', db, '--out', out, '--report', page]);
  assert.equal(r.code, 0, r.stderr);
  const fitFile = join(dir, 'obd-fitted.fit.json');
  for (const f of [out, fitFile, page]) assert.ok(existsSync(f), f);
  const scenario = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(scenario.name, 'obd-fitted');
  assert.match(scenario.description, /\(obd-fitted\.fit\.json\)$/, 'the scenario names its fit file');
  const fitted = JSON.parse(readFileSync(fitFile, 'utf8'));
  const inside = fitted.diagnostics.filter((d: { inside: boolean }) => d.inside).length;
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^fitted obd-fitted to dataset obd: 2 domains, \d+ items, \d+ features; held out [\d,]+ control-arm displays$/);
  assert.ok(r.stdout.includes(`${inside} of ${fitted.diagnostics.length} inside the 95% interval`));
  assert.equal(lines.at(-1), `wrote ${out} and ${fitFile}; the report: ${page}`);
  assert.ok(readFileSync(page, 'utf8').startsWith('<!doctype html>'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, scenarioPath } from './helpers/scenarios.js';
import { referencePage } from '../src/commands/args.js';
import { COMMANDS } from '../src/commands/specs.js';
import { crossab, crossabMany } from './helpers/cli.js';

test('bad input: one line on stderr, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"name": "x", "domains": [}');
  const tiny = JSON.parse(readFileSync(scenarioPath('tiny'), 'utf8'));
  const strategies = join(dir, 'strats.json');
  writeFileSync(strategies, JSON.stringify({ ...tiny, $schema: undefined, strategies: ['mmoee', 'separate'] }));
  const arms = join(dir, 'arms.json');
  writeFileSync(arms, JSON.stringify({ ...tiny, $schema: undefined, abtest: { arms: ['separate', 'shared_bottom'], control: 'separate' } }));
  const cases: [string[], RegExp][] = [
    [['generate'], /missing scenario file/],
    [['generate', join(dir, 'none.json')], /no such file/],
    [['generate', bad], /not valid JSON/],
    [['generate', scenarioPath('tiny'), '--seed', 'abc'], /--seed must be a whole number/],
    [['generate', scenarioPath('tiny'), '--frobnicate'], /Unknown option '--frobnicate'/],
    [['generate', scenarioPath('tiny'), '--out', join(dir, 'no/such/dir/x.parquet')], /does not exist/],
    [['generate', scenarioPath('tiny'), '--out', join(dir, 'x.csv')], /must end in \.parquet/],
    [['plan'], /missing scenario file/],
    [['plan', scenarioPath('tiny'), '--arms', '1'], /--arms must be between 2 and 100/],
    [['plan', bad], /not valid JSON/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['generate', scenarioPath('tiny'), '--seed', '1', '--seed', '2'], /generate: --seed is given twice; give it once\n$/],
    [['plan', scenarioPath('tiny'), '--arms=2', '--json', '--arms', '3'], /plan: --arms is given twice/],
    [['generate', scenarioPath('tiny'), '--json', '--json'], /--json is given twice/],
    [['run', scenarioPath('tiny'), '--sed', '3'], /run: Unknown option '--sed' \(did you mean '--seed'\?\); see 'crossab run --help'\n$/],
    [['generate', dir], /cannot read scenario file \(it is a folder; give a file\)\n$/],
    [['generate', strategies], /strats\.json: strategies\[0\]: unknown strategy 'mmoee' \(did you mean 'mmoe'\?\); known: separate, /],
    [
      ['run', arms, '--no-report', '--db', join(dir, 'x.duckdb')],
      /arms\.json: abtest\.arms\[1\]: unknown strategy 'shared_bottom' \(did you mean 'shared-bottom'\?\)/,
    ],
    [['check', scenarioPath('tiny'), '--db', join(dir, 'new.duckdb')], /tiny\.json has no expectations/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['arms.json', 'bad.json', 'strats.json'], 'a refused command leaves no file (a new --db included)');
  assert.ok(!existsSync(join(dir, 'x.csv')));
});

test('every command has --help with its flags and an example, and crossab --version prints the release', () => {
  const commands = ['generate', 'train', 'plan', 'run', 'runs', 'strategies', 'query', 'report', 'check', 'tui'];
  const outcomes = crossabMany(commands.map((cmd) => ({ argv: [cmd, '--help'], seconds: 30 })));
  for (const [k, cmd] of commands.entries()) {
    const r = outcomes[k];
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: crossab ${cmd}`));
    assert.match(r.stdout, /\nflags:\n {2}--/);
    assert.match(r.stdout, new RegExp(`\nexamples:\n {2}crossab ${cmd}`));
  }
  const v = crossab(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^crossab \d+\.\d+\.\d+\n$/);
  const seed = crossab(['generate', scenarioPath('tiny'), '--seed', '-1']);
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /--seed must be between 0 and 2147483647, got -1/);
  const db = crossab(['runs', '--db', '']);
  assert.equal(db.code, 2);
  assert.match(db.stderr, /--db needs a value/);
});

test("docs/reference/commands.md is every command's --help as the specs declare it (regenerate with npm run docs)", () => {
  const page = readFileSync(join(root, 'docs/reference/commands.md'), 'utf8');
  assert.equal(page, referencePage(COMMANDS), 'the command reference drifted from src/commands/specs.ts: run npm run docs');
  for (const name of Object.keys(COMMANDS)) assert.match(page, new RegExp(`^## crossab ${name}$`, 'm'));
});

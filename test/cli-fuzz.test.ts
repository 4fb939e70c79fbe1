// Fuzzing the CLI with bad and extreme input: hundreds of scenario files mutated from the tiny one
// and flag combinations for every command. Each must end in exit 0, or exit 2 with one line on
// stderr — never a stack trace, an exception out of the command (exit 1), a crash after validation
// or a hang. The cases run in one child process (crossabMany) so they stay fast; CROSSAB_MEMORY_LIMIT is lowered there so that extreme-but-valid
// worlds are refused up front instead of taking the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import type { Outcome } from './helpers/cli-driver.js';
import { rawScenario, scenarioPath } from './helpers/scenarios.js';
import { crossabMany } from './helpers/cli.js';
import { hasTool } from './helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-fuzz-'));
const cli = (cases: { argv: string[]; seconds: number }[]): Outcome[] => crossabMany(cases, { cwd: dir, env: { CROSSAB_MEMORY_LIMIT: '1G' } });

function judge(label: string, o: Outcome): string | null {
  if (o.code === 0) return null;
  if (o.code === 2) {
    const lines = o.stderr.trim().split('\n');
    if (lines.length === 1 && lines[0].startsWith('crossab: ') && !/\n\s+at /.test(o.stderr)) return null;
    return `${label}: exit 2 but stderr is not one line:\n${o.stderr}`;
  }
  return `${label}: ${o.code === 'threw' ? `exception (exit 1): ${o.error}` : o.code === 'hung' ? 'hung' : `exit ${o.code}: ${o.stderr}`}`;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a leaf of a JSON value. */
function leaves(v: Json, path: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [path];
  const keys = Array.isArray(v) ? v.map((_, k) => k) : Object.keys(v);
  return [path, ...keys.flatMap((k) => leaves((v as Record<string, Json>)[k], [...path, k]))];
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  let o = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(Number(last), 1);
    else delete o[last];
  } else o[last] = value;
  return root;
}

const EXTREME: Json[] = [
  -1,
  0,
  1,
  0.5,
  1.5,
  2,
  64,
  1000,
  65536,
  1e6,
  1e7,
  5e7,
  1e12,
  -1e9,
  1e-9,
  2 ** 31,
  2 ** 53,
  '',
  'x',
  '7',
  true,
  false,
  null,
  [],
  {},
  [1, 2],
  'x'.repeat(100_000),
  '../../etc/passwd',
  '<script>',
  'ÿ\u0000\u2028',
];

/** Scenario texts: the tiny scenario with one mutation each, chosen by a seeded generator. */
function scenarioCases(count: number): { label: string; text: string }[] {
  const rng = seedrandom.alea('crossab-fuzz');
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)];
  const base = rawScenario('tiny') as Json;
  const paths = leaves(base).filter((p) => p.length > 0 && p[0] !== '$schema');
  const valueAt = (doc: Json, p: (string | number)[]) => p.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], doc);
  const numeric = paths.filter((p) => typeof valueAt(base, p) === 'number');
  const cases: { label: string; text: string }[] = [
    { label: 'empty file', text: '' },
    { label: 'not JSON', text: '{"name": "x", "domains": [}' },
    { label: 'a JSON array', text: '[]' },
    { label: 'a JSON number', text: '42' },
    { label: 'JSON null', text: 'null' },
    { label: 'a BOM before the JSON', text: `\uFEFF${JSON.stringify(base)}` },
    { label: 'deep nesting', text: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
    { label: '100,000-character name', text: JSON.stringify({ ...(base as object), name: 'a'.repeat(100_000) }) },
    { label: '__proto__ key', text: JSON.stringify(base).replace('{', '{"__proto__": {"polluted": 1},') },
    { label: 'every domain removed', text: JSON.stringify({ ...(base as object), domains: [] }) },
    {
      label: '64 domains',
      text: JSON.stringify({
        ...(base as object),
        domainShares: { zipf: 1 },
        domains: Array.from({ length: 64 }, (_, k) => ({ ...(base as { domains: Record<string, Json>[] }).domains[0], share: undefined, name: `d${k}` })),
      }),
    },
    {
      label: 'vocabulary at the maximum on three features',
      text: JSON.stringify(
        setAt(
          setAt(setAt(structuredClone(base), ['features', 0, 'vocab'], 1_000_000), ['features', 1, 'vocab'], 1_000_000),
          ['features', 2, 'vocab'],
          1_000_000,
        ),
      ),
    },
    { label: 'users at the maximum', text: JSON.stringify(setAt(structuredClone(base), ['users', 'count'], 10_000_000)) },
    { label: 'requests at the maximum', text: JSON.stringify(setAt(structuredClone(base), ['traffic', 'requests'], 50_000_000)) },
    { label: 'items at the maximum', text: JSON.stringify(setAt(structuredClone(base), ['items', 'count'], 10_000_000)) },
    {
      label: 'embedding 256 wide, 4096-wide layers, 32 experts',
      text: JSON.stringify({ ...(base as object), training: { embeddingDim: 256, hidden: [4096, 4096], experts: 32 } }),
    },
  ];
  while (cases.length < count) {
    const doc = structuredClone(base);
    const kind = rng();
    const path = kind >= 0.2 && kind < 0.65 ? pick(numeric) : pick(paths);
    let label: string;
    if (kind < 0.12) {
      setAt(doc, path, undefined);
      label = `remove ${path.join('.')}`;
    } else if (kind < 0.2) {
      const parent = path.slice(0, -1);
      const target = parent.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], doc);
      if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, Json>)[`extra_${cases.length}`] = 1;
      label = `unknown key under ${parent.join('.') || '(top)'}`;
    } else if (kind < 0.65) {
      // Near the schema's edges but often inside them: scaled, zeroed or rounded.
      const old = valueAt(doc, path) as number;
      const scaled = old * pick([0, 0.01, 0.5, 2, 10, 100, 1000]);
      const value = Number.isInteger(old) ? Math.round(scaled) : scaled;
      setAt(doc, path, value);
      label = `${path.join('.')} = ${value} (was ${old})`;
    } else {
      const value = pick(EXTREME);
      setAt(doc, path, value);
      label = `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 40)}`;
    }
    cases.push({ label, text: JSON.stringify(doc) });
  }
  return cases;
}

/** The mutated scenarios that generated and were run, for the node backend's pass. */
const runnableFiles: { file: string; label: string }[] = [];

test('fuzz: 220 mutated scenario files through generate (and some through run): exit 0, or exit 2 with one line', () => {
  const cases = scenarioCases(220);
  const files = cases.map((c, k) => {
    const file = join(dir, `s${k}.json`);
    writeFileSync(file, c.text);
    return file;
  });
  const generated = cli(files.map((f) => ({ argv: ['generate', f, '--json'], seconds: 60 })));
  const failures = generated.map((o, k) => judge(`generate [${cases[k].label}]`, o)).filter((x): x is string => x !== null);
  // Worlds that generate are planned for training too: the memory check (strategies, workers) must hold up front.
  const runnable = generated
    .map((o, k) => (o.code === 0 ? k : -1))
    .filter((k) => k >= 0)
    .filter((_, j) => j % 4 === 0);
  runnableFiles.push(...runnable.map((k) => ({ file: files[k], label: cases[k].label })));
  const ran = cli(
    runnable.map((k) => ({
      argv: ['run', files[k], '--strategies', 'shared-bottom', '--aa', '--no-report', '--json', '--db', join(dir, 'fuzz.duckdb')],
      seconds: 300,
    })),
  );
  ran.forEach((o, j) => {
    const b = judge(`run [${cases[runnable[j]].label}]`, o);
    if (b) failures.push(b);
  });
  const refused = generated.filter((o) => o.code === 2).length;
  process.stdout.write(
    `# ${cases.length} scenario files: ${cases.length - refused} generated, ${refused} refused with one line; ${ran.length} of the generated ones run\n`,
  );
  assert.deepEqual(failures, []);
  assert.ok(refused > 50 && refused < cases.length - 50, `refused ${refused}: the mutations should both break and keep scenarios`);
});

test('fuzz on the node backend: the mutated scenarios that run, run there too with exit 0 or one line and exit 2 (libtensorflow loaded, its memory sized)', (t) => {
  if (!hasTool(t, 'tfjs-node')) return;
  assert.ok(runnableFiles.length > 10, 'the generate fuzz ran first');
  const ran = cli(
    runnableFiles.map(({ file }) => ({
      argv: ['run', file, '--strategies', 'shared-bottom', '--aa', '--no-report', '--json', '--backend', 'node', '--db', join(dir, 'fuzz-node.duckdb')],
      seconds: 300,
    })),
  );
  const failures = ran.map((o, j) => judge(`run --backend node [${runnableFiles[j].label}]`, o)).filter((x): x is string => x !== null);
  t.diagnostic(
    `${ran.length} scenarios on node: ${ran.filter((o) => o.code === 0).length} ran, ${ran.filter((o) => o.code === 2).length} refused with one line`,
  );
  assert.deepEqual(failures, []);
});

test('fuzz: flag combinations for every command: exit 0, or exit 2 with one line', () => {
  const tiny = scenarioPath('tiny');
  const folder = join(dir, 'a-folder');
  mkdirSync(folder, { recursive: true });
  const file = join(dir, 'a-file.txt');
  writeFileSync(file, 'x');
  const sqlite = join(dir, 'sqlite.duckdb');
  writeFileSync(sqlite, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080)]));
  const missing = join(dir, 'no', 'such', 'folder');
  const bad: Record<string, string[]> = {
    seed: ['', '-1', 'abc', '1.5', '2147483648', '1e3', '--'],
    workers: ['0', '65', 'x', '-3'],
    strategies: ['nope', ',', 'separate,nope', ' '],
    arms: ['separate', 'nope,separate', 'separate,separate'],
    control: ['nope', 'mmoe'],
    backend: ['gpu', 'NODE', ''],
    db: ['', folder, join(missing, 'x.duckdb'), sqlite, file],
    out: ['x.txt', join(missing, 'x.html'), folder, join(missing, 'x.parquet')],
    svg: [file, join(missing, 'svg')],
    run: ['nope', 'latest'],
    compare: ['one', 'a,b'],
    'max-rows': ['-1', 'x', '99999999999'],
    timeout: ['-1', 'x'],
    seeds: ['0', '101', 'a', '1,1', ''],
    tolerance: ['x=1', 'auc=-1', 'auc'],
    junit: ['x.txt', join(missing, 'x.xml')],
    baseline: ['nope'],
    scenarios: [missing, file],
  };
  const flagsOf: Record<string, string[]> = {
    generate: ['seed', 'out'],
    train: ['seed', 'strategies', 'backend', 'workers'],
    run: ['seed', 'strategies', 'arms', 'control', 'db', 'backend', 'workers'],
    runs: ['db'],
    query: ['db', 'max-rows', 'timeout'],
    report: ['run', 'compare', 'db', 'out', 'svg'],
    check: ['seeds', 'db', 'junit', 'tolerance', 'baseline', 'backend', 'workers'],
    tui: ['scenarios', 'db', 'backend'],
  };
  const positional: Record<string, string[]> = {
    generate: [tiny],
    train: [tiny],
    run: [tiny],
    runs: [],
    query: ['SELECT 1'],
    report: [],
    check: [tiny],
    tui: [],
  };
  const cases: string[][] = [];
  for (const [cmd, flags] of Object.entries(flagsOf)) {
    for (const f of flags) for (const v of bad[f]) cases.push([cmd, ...positional[cmd], `--${f}`, v]);
    cases.push([cmd, '--frobnicate'], [cmd, '--help'], [cmd, ...positional[cmd], '-h'], [cmd, ...positional[cmd], 'extra', 'args']);
    if (positional[cmd].length) cases.push([cmd]);
  }
  cases.push([], ['--version'], ['-V'], ['help'], ['help', 'run'], ['help', 'nope'], ['nope'], ['__proto__'], ['constructor'], ['-x'], ['run', tiny, '--seed']);
  const failures = cli(cases.map((argv) => ({ argv, seconds: 120 })))
    .map((o, k) => judge(cases[k].join(' '), o))
    .filter((x): x is string => x !== null);
  process.stdout.write(`# ${cases.length} flag combinations\n`);
  assert.ok(cases.length >= 150, `${cases.length} combinations`);
  assert.deepEqual(failures, []);
});

/** A control character in what a command printed: only lines and tabs may reach the terminal raw. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('fuzz: hostile bytes in files, names and query results: one-line errors, nothing raw reaches the terminal', () => {
  const base = rawScenario('tiny') as Record<string, Json>;
  const hostile = '\u001b]0;PWNED\u0007\u001b[31m';
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const lines = write('lines.json', 'hello\nworld');
  const control = write('control.json', `${hostile}-`);
  const named = write('named.json', JSON.stringify({ ...base, name: `tiny${hostile}`, description: `d${hostile}` }));
  const claim = write(
    'claim.json',
    JSON.stringify({
      ...base,
      strategies: ['separate', 'shared-bottom'],
      expectations: [
        { metric: 'auc', name: `shared-bottom holds on the tail ${hostile}`, strategy: 'shared-bottom', vs: 'separate', domain: 'tail', atLeast: -1 },
      ],
    }),
  );
  const log = write('dup.csv', 'timestamp,item_id,position,click,click\n1,2,1,0,1\n');
  const mapping = write(
    'one.map.json',
    JSON.stringify({
      dataset: 'one',
      domain: { value: 'd' },
      arm: { value: 'a' },
      control: 'a',
      columns: { time: 'timestamp', item: 'item_id', position: 'position', click: 'click', propensity: 'click' },
      positions: { count: 3 },
    }),
  );
  const store = join(dir, 'hostile.duckdb');
  const cases: string[][] = [
    ...[lines, control, named].flatMap((f) => [
      ['generate', f],
      ['run', f, '--strategies', 'shared-bottom', '--no-report', '--db', store],
    ]),
    ['check', claim, '--seeds', '1', '--allow-inconclusive', '--db', store],
    ['check', lines, '--db', store],
    ['import', log, '--map', lines, '--db', store],
    ['import', log, '--map', mapping, '--db', store],
    ['query', 'SELECT true AS b, NULL AS n', '--db', store],
    ['query', "SELECT [1, 2] AS l, {'a': [true]} AS s, MAP {'k': 1} AS m, INTERVAL 2 DAY AS i", '--db', store],
    ['query', `SELECT 'x' || chr(27) || ']0;PWNED' || chr(7) AS "t${hostile}"`, '--db', store],
    ['query', 'SELECT * FROM runs', '--db', store],
    ['query', `SELECT '${hostile}`, '--db', store],
    ['run', join(dir, `no-such${hostile}.json`)],
  ];
  const outcomes = cli(cases.map((argv) => ({ argv, seconds: 120 })));
  const failures: string[] = [];
  outcomes.forEach((o, k) => {
    const label = cases[k].map((a) => JSON.stringify(a)).join(' ');
    const bad = judge(label, o);
    if (bad) failures.push(bad);
    if (RAW_CONTROL.test(o.stdout + o.stderr))
      failures.push(`${label}: a raw control character reached the terminal: ${JSON.stringify(o.stdout + o.stderr).slice(0, 400)}`);
  });
  assert.deepEqual(failures, []);
  const [jsonLines, jsonControl] = [outcomes[0], outcomes[2]];
  assert.match(jsonLines.stderr, /lines\.json: not valid JSON \(unexpected character 'h' at line 1, column 1\)\n$/);
  assert.match(jsonControl.stderr, /control\.json: not valid JSON \(unexpected character U\+001B at line 1, column 1\)\n$/);
  const checked = outcomes[6];
  assert.equal(checked.code, 0, checked.stderr);
  assert.ok(checked.stdout.includes('shared-bottom holds on the tail \\x1b]0;PWNED\\x07\\x1b[31m'), checked.stdout);
  assert.match(outcomes[9].stderr, /dup\.csv: column 'click' appears twice in the header \(columns 4 and 5\); rename one\n$/);
  assert.match(outcomes[10].stdout, /^b +n *\n-+ +-+\s*\ntrue +NULL/);
  assert.match(outcomes[11].stdout, /\[1, 2\] +\{'a': \[true\]\} +\{'k': 1\} +2 days/);
  assert.ok(outcomes[12].stdout.includes('x\\x1b]0;PWNED\\x07'), outcomes[12].stdout);
});

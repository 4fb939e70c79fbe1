// `crossab check` end to end on the shipped library: verdicts, reuse of stored runs, JUnit XML, exit
// codes, the baseline comparison and bad expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSeeds, parseTolerances } from '../../src/commands/check.js';
import { root } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-check-'));
const db = join(dir, 'check.duckdb');
const library = (name: string) => join(root, 'scenarios/library', `${name}.json`);
const raw = (name: string) => JSON.parse(readFileSync(library(name), 'utf8'));

/** A copy of a library scenario with other expectations (same runs: expectations do not change them). */
function variant(name: string, file: string, patch: (s: Record<string, any>) => void): string {
  const s = raw(name);
  delete s.$schema;
  patch(s);
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(s));
  return path;
}

type Result = { name: string; verdict: string; values: number[]; mean: number; ci_low: number; ci_high: number; expectation?: { domain: string } };
const results = (out: { scenarios: { results: Result[] }[] }) => out.scenarios.flatMap((s) => s.results);

test('head-tail library scenario: every expectation passes over 3 seeds; JUnit XML written; exit 0', () => {
  const junit = join(dir, 'head-tail.xml');
  const r = crossab(['check', library('head-tail'), '--db', db, '--junit', junit, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.failed, 0);
  assert.equal(out.inconclusive, 0);
  assert.equal(out.passed, raw('head-tail').expectations.length);
  assert.deepEqual(
    out.scenarios[0].runs.map((x: { seed: number; reused: boolean }) => [x.seed, x.reused]),
    [
      [1, false],
      [2, false],
      [3, false],
    ],
  );
  for (const j of results(out)) assert.equal(j.values.length, 3, j.name);
  // Beside the verdicts: each domain's A/B decisions over the seeds and the offline evidence for them.
  const ev = out.scenarios[0].evidence;
  assert.deepEqual(
    ev.map((e: { domain: string }) => e.domain),
    ['head', 'tail'],
  );
  const tail = ev[1];
  assert.equal(tail.decisions.length, 3);
  assert.equal(tail.arms[0].arm, 'shared-bottom');
  assert.equal(tail.arms[0].auc_deltas.length, 3);
  // The library's claim: sharing rescues the tail offline in every seed, so the interval is above 0.
  assert.ok(tail.arms[0].ci_low > 0, JSON.stringify(tail));
  assert.match(tail.verdict, /offline ΔAUC \+0\.\d{4} \[\+0\.\d{4}/);
  const text = crossab(['check', library('head-tail'), '--db', db]);
  assert.match(text.stdout, /decisions over the seeds, beside the offline evidence:/);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, new RegExp(`<testsuite name="head-tail" tests="${out.passed}" failures="0"`));
});

test('correlation-low library scenario (negative transfer): every expectation passes', () => {
  const r = crossab(['check', library('correlation-low'), '--db', db, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.passed, raw('correlation-low').expectations.length);
});

test('stored runs are reused; a failing expectation exits 1; an inconclusive one exits 1 unless allowed', () => {
  const failing = variant('head-tail', 'failing.json', (s) => {
    s.expectations = [
      { name: 'separate beats shared-bottom on the tail', metric: 'auc', strategy: 'separate', vs: 'shared-bottom', domain: 'tail', atLeast: 0.01 },
    ];
  });
  const f = crossab(['check', failing, '--db', db, '--json']);
  assert.equal(f.code, 1, f.stderr);
  const fo = JSON.parse(f.stdout);
  assert.ok(
    fo.scenarios[0].runs.every((x: { reused: boolean }) => x.reused),
    'all three runs come from the store',
  );
  assert.doesNotMatch(f.stderr, /training/);
  assert.equal(results(fo)[0].verdict, 'fail');
  assert.ok(results(fo)[0].ci_high < 0.01);

  // MMoE and shared-bottom are within noise of each other on the tail when domains are identical.
  const unsure = variant('head-tail', 'unsure.json', (s) => {
    s.expectations = [{ metric: 'auc', strategy: 'mmoe', vs: 'shared-bottom', domain: 'tail', atLeast: 0 }];
  });
  const u = crossab(['check', unsure, '--db', db, '--json', '--junit', join(dir, 'unsure.xml')]);
  assert.equal(u.code, 1, u.stderr);
  const j = results(JSON.parse(u.stdout))[0];
  assert.equal(j.verdict, 'inconclusive', JSON.stringify(j));
  assert.ok(j.ci_low < 0 && j.ci_high > 0);
  assert.match(readFileSync(join(dir, 'unsure.xml'), 'utf8'), /<failure type="inconclusive"/);
  const allowed = crossab(['check', unsure, '--db', db, '--allow-inconclusive', '--junit', join(dir, 'allowed.xml')]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /INCONCLUSIVE/);
  assert.match(allowed.stdout, /0 failed, 1 inconclusive \(inconclusive allowed\)/);
  // The text names what each value is and, before the tally, which claims need attention and what to do.
  assert.match(allowed.stdout, /expectation +metric +mean over seeds +CI/);
  assert.match(allowed.stdout, /auc of mmoe − shared-bottom/);
  assert.match(allowed.stdout, /\ninconclusive: auc\(mmoe\) − auc\(shared-bottom\) on tail ≥ 0 — more seeds would decide \(--seeds N\)\n\ncheck: 0 passed/);
  const blocked = crossab(['check', unsure, '--db', db]);
  assert.match(blocked.stdout, /more seeds would decide \(--seeds N\); --allow-inconclusive lets them pass\n/);
  const failedText = crossab(['check', failing, '--db', db]);
  assert.match(failedText.stdout, /\nfailed: separate beats shared-bottom on the tail\n/);
  assert.match(readFileSync(join(dir, 'allowed.xml'), 'utf8'), /skipped="1"/);
});

test("domain 'any': a claim holds in a seed when it holds on at least one domain (the domains' best value for the bound)", () => {
  const both = variant('head-tail', 'any.json', (s) => {
    s.expectations = [
      { metric: 'auc', strategy: 'separate', vs: 'shared-bottom', domain: 'each', atLeast: 0, over: 'every-seed' },
      { metric: 'auc', strategy: 'separate', vs: 'shared-bottom', domain: 'any', atLeast: 0, over: 'every-seed' },
      { metric: 'auc', strategy: 'separate', vs: 'shared-bottom', domain: 'any', atMost: 0, over: 'every-seed' },
    ];
  });
  const r = crossab(['check', both, '--db', db, '--json']);
  const rs = results(JSON.parse(r.stdout));
  const isAny = (x: Result) => x.expectation?.domain === 'any';
  const each = rs.filter((x) => !isAny(x));
  const [high, low] = rs.filter(isAny);
  assert.equal(each.length, 2, 'head-tail has two domains');
  const perSeed = (k: number) => each.map((x) => x.values[k]);
  high.values.forEach((v, k) => assert.equal(v, Math.max(...perSeed(k))));
  low.values.forEach((v, k) => assert.equal(v, Math.min(...perSeed(k))));
  assert.match(high.name, /at least one domain/);
});

test('decision metrics: a run that grades its decisions is made for them, reused afterwards, and read from ab_grades and ab_lifts', () => {
  const graded = variant('head-tail', 'graded.json', (s) => {
    s.check = { assignments: 30 };
    s.expectations = [
      { name: 'decided right on the tail', metric: 'decision_accuracy', domain: 'tail', atLeast: 0, over: 'every-seed' },
      { name: 'naive false ships', metric: 'false_ship_rate', method: 'naive', domain: 'each', atMost: 1, over: 'every-seed' },
      { name: 'tail detectable lift', metric: 'mde', arm: 'shared-bottom', domain: 'tail', method: 'plain', atLeast: 0, over: 'every-seed' },
      { name: 'tail power', metric: 'power', arm: 'shared-bottom', domain: 'tail', atMost: 1, over: 'every-seed' },
      { name: 'naive return on the tail', metric: 'true_return', method: 'naive', domain: 'tail', atLeast: -1, over: 'every-seed' },
    ];
  });
  // A store of its own: the other tests' runs are ungraded, and this one's must not become their baseline.
  const gdb = join(dir, 'graded.duckdb');
  const plain = variant('head-tail', 'ungraded.json', (s) => {
    s.expectations = [{ metric: 'auc', strategy: 'separate', domain: 'tail', atLeast: 0, over: 'every-seed' }];
  });
  assert.equal(crossab(['check', plain, '--db', gdb, '--seeds', '1']).code, 0);
  const first = crossab(['check', graded, '--db', gdb, '--seeds', '1', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const fo = JSON.parse(first.stdout);
  assert.equal(fo.scenarios[0].runs[0].reused, false, 'the stored run has no grades, so it is run again with them');
  const runId = fo.scenarios[0].runs[0].run_id;
  const q = (sql: string) => JSON.parse(crossab(['query', sql, '--db', gdb, '--json']).stdout);
  const [g] = q(`SELECT correct, assignments FROM ab_grades WHERE run_id = '${runId}' AND domain = 'tail' AND method = 'cuped'`);
  const [naive] = q(`SELECT true_return FROM ab_grades WHERE run_id = '${runId}' AND domain = 'tail' AND method = 'naive'`);
  assert.equal(g.assignments, 30);
  const byName = (n: string) => results(fo).find((r) => r.name === n)!;
  assert.equal(byName('decided right on the tail').values[0], g.correct);
  assert.equal(byName('naive return on the tail').values[0], naive.true_return);
  assert.ok(Number.isFinite(naive.true_return));
  const [l] = q(
    `SELECT mde, cuped_power FROM ab_lifts WHERE run_id = '${runId}' AND arm = 'shared-bottom' AND domain = 'tail' AND metric = 'ctr' AND segment = 'all'`,
  );
  assert.equal(byName('tail detectable lift').values[0], l.mde);
  assert.equal(byName('tail power').values[0], l.cuped_power, "the scenario's method (CUPED) by default");
  assert.ok(results(fo).some((r) => r.name === 'naive false ships [head]'));
  const again = JSON.parse(crossab(['check', graded, '--db', gdb, '--seeds', '1', '--json']).stdout);
  assert.equal(again.scenarios[0].runs[0].reused, true);
});

test('interference metrics: read from feedback_designs by design and domain; abs_bias is |bias|; vs subtracts another design', () => {
  const sym = variant('symbiosis', 'symbiosis.json', (s) => {
    s.feedback.test.assignments = 3;
    s.expectations = [
      { name: 'global', metric: 'interference_global_lift', design: 'pooled', domain: 'each', atLeast: -10, over: 'every-seed' },
      { name: 'pooled bias', metric: 'interference_bias', design: 'pooled', domain: 'all', atMost: 10, over: 'every-seed' },
      { name: 'diverted less biased', metric: 'interference_abs_bias', design: 'diverted', vs: 'pooled', domain: 'all', atMost: 10, over: 'every-seed' },
      { name: 'estimate', metric: 'interference_estimate', design: 'diverted', domain: 'video', atMost: 10, over: 'every-seed' },
    ];
  });
  const r = crossab(['check', sym, '--db', db, '--seeds', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const runId = out.scenarios[0].runs[0].run_id;
  const q = (sql: string) => JSON.parse(crossab(['query', sql, '--db', db, '--json']).stdout);
  const rows = q(`SELECT design, domain, global_lift, bias, mean_estimate, assignments FROM feedback_designs WHERE run_id = '${runId}'`);
  const at = (design: string, domain: string) => rows.find((x: { design: string; domain: string }) => x.design === design && x.domain === domain);
  assert.equal(at('pooled', 'all').assignments, 3);
  const byName = (n: string) => results(out).find((x) => x.name === n)!;
  assert.equal(byName('global [video]').values[0], at('pooled', 'video').global_lift);
  assert.equal(byName('global [article]').values[0], at('pooled', 'article').global_lift);
  assert.equal(byName('pooled bias').values[0], at('pooled', 'all').bias);
  assert.ok(Math.abs(byName('diverted less biased').values[0] - (Math.abs(at('diverted', 'all').bias) - Math.abs(at('pooled', 'all').bias))) < 1e-12);
  assert.equal(byName('estimate').values[0], at('diverted', 'video').mean_estimate);
});

test("gate metrics: a mixture model's gates per domain from expert_gates, each gate's entropy once; the stored runs are reused", () => {
  const gated = variant('head-tail', 'gates.json', (s) => {
    s.expectations = [
      { name: 'entropy', metric: 'gate_entropy', strategy: 'ple', domain: 'each', atLeast: 0, over: 'every-seed' },
      { name: 'idle', metric: 'gate_idle_share', strategy: 'mmoe', domain: 'all', atMost: 1, over: 'every-seed' },
      { name: 'dead', metric: 'expert_dead_share', strategy: 'mmoe', vs: 'ple', domain: 'tail', atMost: 1, over: 'every-seed' },
    ];
  });
  const r = crossab(['check', gated, '--db', db, '--seeds', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.scenarios[0].runs[0].reused, true);
  const runId = out.scenarios[0].runs[0].run_id;
  const q = (sql: string) => JSON.parse(crossab(['query', sql, '--db', db, '--json']).stdout);
  const rows = q(`SELECT strategy, domain, gate, expert, weight, entropy, dead_share FROM expert_gates WHERE run_id = '${runId}'`) as {
    strategy: string;
    domain: string;
    gate: string;
    weight: number;
    entropy: number;
    dead_share: number;
  }[];
  const of = (strategy: string, domain?: string) => rows.filter((x) => x.strategy === strategy && (!domain || x.domain === domain));
  assert.ok(of('mmoe').length > 0 && of('ple').length > 0 && of('shared-bottom').length === 0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const byName = (n: string) => results(out).find((x) => x.name === n)!;
  // Each gate's entropy once: PLE's gates mix different numbers of experts, so a mean over rows would weight them.
  const gates = new Map(of('ple', 'tail').map((x) => [x.gate, x.entropy]));
  assert.ok(gates.size > 1);
  assert.ok(Math.abs(byName('entropy [tail]').values[0] - mean([...gates.values()])) < 1e-12);
  assert.ok(Math.abs(byName('idle').values[0] - mean(of('mmoe').map((x) => (x.weight < 0.05 ? 1 : 0)))) < 1e-12);
  const dead = mean(of('mmoe', 'tail').map((x) => x.dead_share)) - mean(of('ple', 'tail').map((x) => x.dead_share));
  assert.ok(Math.abs(byName('dead').values[0] - dead) < 1e-12);
});

test('--baseline: the same code and seed reproduce the baseline exactly; a weaker model is flagged as a regression', () => {
  const runs = JSON.parse(crossab(['runs', '--db', db, '--json']).stdout) as { run_id: string; seed: number; scenario: string }[];
  const base = runs.find((x) => x.scenario === 'head-tail' && x.seed === 1)!;
  const same = crossab(['check', '--baseline', base.run_id, '--db', db, '--json']);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  const so = JSON.parse(same.stdout);
  assert.equal(so.scenarios[0].runs[0].reused, false, 'the baseline is never its own candidate');
  const moves = results(so);
  assert.ok(moves.length > 50, `${moves.length} metrics compared`);
  // The baseline was trained by the first test's check, alongside seed 2 on a shared worker pool; here
  // seed 1 trains alone: the same numbers.
  for (const m of moves) assert.equal(m.mean, 0, `${m.name} moved by ${m.mean}: training is not deterministic`);

  const weaker = variant('head-tail', 'weaker.json', (s) => {
    s.training.epochs = 1;
    s.strategies = ['separate', 'shared-bottom', 'mmoe'];
  });
  const w = crossab(['check', '--baseline', base.run_id, weaker, '--db', db, '--json', '--tolerance', 'auc=0.002']);
  assert.equal(w.code, 1, w.stderr);
  const wm = results(JSON.parse(w.stdout));
  assert.ok(
    wm.some((m) => m.verdict === 'fail' && /^auc ple/.test(m.name)),
    'ple is missing from the new run',
  );
  assert.ok(
    wm.some((m) => m.verdict === 'fail' && m.name.startsWith('auc ') && m.mean < -0.002),
    'one epoch lowers some AUC beyond the tolerance',
  );
});

test('bad expectations and flags: one line, exit 2, nothing run or stored', () => {
  const before = crossab(['query', 'SELECT count(*)::INT AS n FROM runs', '--db', db, '--json']).stdout;
  const bad = (patch: (s: Record<string, any>) => void) => variant('head-tail', `bad-${Math.random().toString(36).slice(2)}.json`, patch);
  const cases: [string[], RegExp][] = [
    [
      [
        'check',
        bad((s) => {
          s.expectations[0].domain = 'nowhere';
        }),
      ],
      /expectations\[0\]\.domain: unknown domain 'nowhere'/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations[0].strategy = 'star';
        }),
      ],
      /expectations\[0\]\.strategy: 'star' is not trained in this scenario/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations[0].atMost = 0.1;
        }),
      ],
      /expectations\[0\]\.atLeast: give exactly one of atLeast and atMost/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations[0].metric = 'recall';
        }),
      ],
      /expectations\[0\]\.metric: Invalid option/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [{ metric: 'ab_lift', arm: 'mmoe' }];
          s.expectations[0].atLeast = 0;
        }),
      ],
      /expectations\[0\]\.arm: 'mmoe' is not an arm/,
    ],
    [
      [
        'check',
        bad((s) => {
          delete s.abtest;
          s.expectations = [{ metric: 'srm_p_value', atLeast: 0.001 }];
        }),
      ],
      /expectations\[0\]\.metric: 'srm_p_value' needs an abtest block/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [{ metric: 'auc', strategy: 'ple', domain: 'head', segment: 'cold', atLeast: 0.5 }];
        }),
      ],
      /offline metrics are stored per domain or per user segment/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [];
        }),
      ],
      /has no expectations/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [{ metric: 'decision_accuracy', arm: 'shared-bottom', domain: 'tail', atLeast: 0.5 }];
        }),
      ],
      /expectations\[0\]\.arm: 'decision_accuracy' grades the decision on a domain, not one arm/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [{ metric: 'mde', arm: 'shared-bottom', domain: 'all', atMost: 0.5 }];
        }),
      ],
      /expectations\[0\]\.domain: 'mde' is decided per domain/,
    ],
    [
      [
        'check',
        bad((s) => {
          s.expectations = [{ metric: 'auc', strategy: 'separate', domain: 'tail', method: 'cuped', atLeast: 0.5 }];
        }),
      ],
      /expectations\[0\]\.method: only mde, power, decision_accuracy, false_ship_rate, aa_false_positive_rate, interval_coverage, decided_rate, true_return, true_return_share take a method/,
    ],
    [['check', library('head-tail'), '--seeds', 'x'], /--seeds must be a count/],
    [['check', library('head-tail'), '--tolerance', 'auc=0.1'], /--tolerance applies only with --baseline/],
    [['check', '--baseline', 'no-such-run'], /no run 'no-such-run'/],
    [['check', library('head-tail'), '--junit', join(dir, 'out.txt')], /--junit .* must end in \.xml/],
    [['check'], /missing scenario file/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab([...args, '--db', db]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(crossab(['query', 'SELECT count(*)::INT AS n FROM runs', '--db', db, '--json']).stdout, before);
  assert.ok(!existsSync(join(dir, 'out.txt')));
});

test('flags: --seeds takes a count or a list; --tolerance takes metric=value pairs', () => {
  assert.deepEqual(parseSeeds('5'), { count: 5 });
  assert.deepEqual(parseSeeds('1,2,9'), { list: [1, 2, 9] });
  assert.deepEqual(parseSeeds('7,'), { list: [7] });
  for (const bad of ['', 'a', '1,1', '0', '1.5', '-3', '101']) assert.throws(() => parseSeeds(bad), /--seeds/, bad);
  assert.deepEqual(parseTolerances('auc=0.01,lift=0.1'), { auc: 0.01, gauc: 0.003, logloss: 0.003, lift: 0.1 });
  assert.throws(() => parseTolerances('recall=0.1'), /--tolerance/);
  assert.throws(() => parseTolerances('auc=-1'), /--tolerance/);
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { DuckDBInstance } from '@duckdb/node-api';
import { scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';
import { CHROMIUM, hasTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-report-'));
const db = join(dir, 'r.duckdb');
const ids: string[] = [];

before(() => {
  for (const seed of ['1', '2']) {
    const r = crossab([
      'run',
      scenarioPath('tiny'),
      '--db',
      db,
      '--seed',
      seed,
      '--json',
      '--no-report',
      '--strategies',
      'separate,shared-bottom,mmoe',
      '--arms',
      'separate,shared-bottom,mmoe',
    ]);
    assert.equal(r.code, 0, r.stderr);
    ids.push(JSON.parse(r.stdout).run_id);
  }
});

test('report writes one self-contained HTML file and reproducible SVG charts rendered in Node', () => {
  const out = join(dir, 'one.html');
  const r = crossab(['report', '--db', db, '--run', ids[0], '--out', out, '--svg', join(dir, 'svg')]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  // Everything inline: no external script, stylesheet or fetch.
  assert.doesNotMatch(html, /<script[^>]+src=/);
  assert.doesNotMatch(html, /<link[^>]+href=/);
  assert.match(html, /Who wins where/);
  assert.match(html, new RegExp(ids[0]));
  // The answer comes first: one sentence per domain (three arms here, so the evidence names its arm), then the metadata.
  const answer = html.match(/<ul class="answer">(.*?)<\/ul>/s)?.[1] ?? '';
  assert.equal(answer.match(/<li>/g)?.length, 3, 'one sentence per domain of tiny');
  assert.match(
    answer,
    /<li><b>head: (ship \S+|keep separate|not enough data|unreliable)<\/b>( — (shared-bottom|mmoe) [+-]\d+\.\d% \[[+-]\d+\.\d%, [+-]\d+\.\d%\] on CTR)?; /,
  );
  assert.ok(html.indexOf('<ul class="answer">') < html.indexOf('<dl>'), 'the answer before the metadata');
  const svgs = readdirSync(join(dir, 'svg')).sort();
  assert.deepEqual(svgs, [
    'ab-lifts.svg',
    'auc-by-domain.svg',
    'calibration.svg',
    'expert-gates.svg',
    'features.svg',
    'offline-vs-online.svg',
    'ope-estimates.svg',
    'power-curves.svg',
    'segments.svg',
    'sequential.svg',
    'traffic.svg',
    'training-curves.svg',
  ]);
  for (const f of svgs) {
    const svg = readFileSync(join(dir, 'svg', f), 'utf8');
    assert.match(svg, /^<svg/);
    assert.ok((svg.match(/<path/g) ?? []).length > 3, `${f} has marks`);
  }
  const again = crossab(['report', '--db', db, '--run', ids[0], '--out', join(dir, 'two.html'), '--svg', join(dir, 'svg2')]);
  assert.equal(again.code, 0, again.stderr);
  for (const f of svgs) assert.equal(readFileSync(join(dir, 'svg2', f), 'utf8'), readFileSync(join(dir, 'svg', f), 'utf8'), `${f} differs between renders`);
});

/** Open a report in headless Chromium with the network off and wait for its charts; `check` looks at the page. */
async function inBrowser(file: string, check: (page: Page, log: { errors: string[]; requests: string[] }) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const log = { errors: [] as string[], requests: [] as string[] };
    page.on('console', (m) => {
      if (m.type() === 'error') log.errors.push(m.text());
    });
    page.on('pageerror', (e) => log.errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) log.requests.push(r.url());
    });
    await page.goto(`file://${file}`);
    await page.evaluate(async () => {
      await (window as unknown as { crossabRendered: Promise<unknown> }).crossabRendered;
      return true;
    });
    await check(page, log);
  } finally {
    await browser.close();
  }
}

const chartMarks = (page: Page) =>
  page.$$eval('.chart', (divs) =>
    divs.map((d) => ({ id: d.id, marks: d.querySelectorAll('svg g.role-mark path, svg g.role-mark line, svg g.role-mark rect').length })),
  );

test('the report opens in headless Chromium with the network off: no console errors, every chart has marks', async (t) => {
  if (!hasTool(t, 'chromium')) return;
  const out = join(dir, 'browser.html');
  assert.equal(crossab(['report', '--db', db, '--out', out]).code, 0);
  await inBrowser(out, async (page, log) => {
    const marks = await chartMarks(page);
    assert.equal(marks.length, 12);
    for (const m of marks) assert.ok(m.marks > 0, `chart ${m.id} rendered no marks`);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.requests, []);
    // No horizontal scrolling at 1280 px: the widest elements are named when it fails.
    const wide = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      widest: [...document.querySelectorAll('.chart, table')]
        .map((e) => `${e.id || e.tagName}: ${Math.round(e.getBoundingClientRect().width)}`)
        .filter((x) => Number(x.split(': ')[1]) > 1200),
    }));
    assert.ok(wide.page <= 1280, `the page is ${wide.page} px wide: ${wide.widest.join(', ')}`);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(readFileSync(shot).length > 10_000);
    process.stdout.write(`# screenshot: ${shot}\n`);
  });
});

test('stored strings holding HTML and script are shown as text: no script runs, every chart draws', async (t) => {
  if (!hasTool(t, 'chromium')) return;
  const hostile = join(dir, 'hostile.duckdb');
  copyFileSync(db, hostile);
  // Each payload tries another way out of an inlined <script> or an attribute.
  const payloads = [
    '</script><script>window.pwned = 1</script>',
    '<!--<script>',
    '<img src=x onerror="window.pwned = 2">',
    '"\'><svg onload="window.pwned = 3">',
    '\u2028\u2029]]>&amp;',
    '</style><script>window.pwned = 4</script>',
  ];
  const inst = await DuckDBInstance.create(hostile);
  const con = await inst.connect();
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await con.run(`UPDATE offline_metrics SET strategy = ${lit(`mmoe${payloads[0]}`)} WHERE strategy = 'mmoe'`);
  await con.run(`UPDATE training_curves SET strategy = ${lit(`mmoe${payloads[1]}`)} WHERE strategy = 'mmoe'`);
  await con.run(`UPDATE world_domains SET domain = ${lit(`tail${payloads[2]}`)} WHERE domain = 'tail'`);
  await con.run(`UPDATE ab_lifts SET arm = ${lit(`mmoe${payloads[3]}`)} WHERE arm = 'mmoe'`);
  await con.run(`UPDATE world_features SET feature = ${lit(`hour${payloads[4]}`)} WHERE feature = 'hour'`);
  await con.run(`UPDATE runs SET backend = ${lit(payloads[5])}, version = ${lit(payloads[1])}`);
  await con.run(`UPDATE ope_estimates SET strategy = ${lit(`mmoe${payloads[0]}`)}, reward_model = ${lit(payloads[2])} WHERE strategy = 'mmoe'`);
  await con.run(`UPDATE offline_online SET offline_winner = ${lit(payloads[3])}, online_winner = ${lit(payloads[5])}`);
  await con.run(`UPDATE expert_gates SET gate = ${lit(`gate${payloads[0]}`)}, domain = ${lit(`head${payloads[3]}`)} WHERE domain = 'head'`);
  await con.run(`UPDATE offline_online_pairs SET a = ${lit(`mmoe${payloads[4]}`)} WHERE a = 'mmoe'`);
  con.closeSync();
  inst.closeSync();
  const out = join(dir, 'hostile.html');
  const r = crossab(['report', '--db', hostile, '--run', ids[0], '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.equal((html.match(/<script>/g) ?? []).length, 4, 'only the four scripts crossab wrote');
  assert.match(html, /script-src( 'sha256-[A-Za-z0-9+/=]+'){4};/, 'scripts are allowed by hash, none inline or eval');
  await inBrowser(out, async (page, log) => {
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'a payload ran');
    assert.equal(await page.$$eval('img, svg[onload]', (els) => els.length), 0, 'a payload became an element');
    const marks = await chartMarks(page);
    assert.equal(marks.length, 12);
    for (const m of marks) assert.ok(m.marks > 0, `chart ${m.id} rendered no marks`);
    assert.deepEqual(log.errors, []);
    // The strings are on the page, as text.
    assert.ok((await page.textContent('body'))!.includes('<!--<script>'));
  });
});

test('--compare puts several runs in one report', () => {
  const out = join(dir, 'compare.html');
  const r = crossab(['report', '--db', db, '--compare', ids.join(','), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  for (const id of ids) assert.match(html, new RegExp(id));
  assert.match(html, /compare-auc/);
  // Side by side first: one decisions table with a column per run (each domain of tiny a row), then the AUC table, then each run.
  const side = html.match(/<h2>These 2 runs side by side<\/h2>(.*?)<\/section>/s)?.[1] ?? '';
  const decisions = side.match(/<h3>Decisions per domain<\/h3><table>(.*?)<\/table>/s)?.[1] ?? '';
  assert.equal(decisions.match(/<tr><td>(head|mid|tail)<\/td>/g)?.length, 3);
  for (const row of decisions.match(/<tr><td>(head|mid|tail)<\/td>.*?<\/tr>/g) ?? []) assert.equal(row.match(/<td>/g)?.length, 3, 'domain + one cell per run');
  assert.match(side, /<h3>Test AUC<\/h3>.*<td>mmoe<\/td><td>all<\/td><td>0\.\d{4}<\/td><td>0\.\d{4}<\/td>/s);
  assert.ok(html.indexOf('side by side') < html.indexOf('<section class="run">'), 'before the runs');
});

test('report refuses unknown runs and bad flags with one line and exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['report', '--db', db, '--run', 'nope'], /no run 'nope'/],
    [['report', '--db', db, '--compare', ids[0]], /at least two run IDs/],
    [['report', '--db', join(dir, 'missing.duckdb')], /no database at/],
    [['report', '--db', db, '--out', join(dir, 'x.txt')], /must end in \.html/],
    [['report', '--db', db, '--out', join(dir, 'never.html'), '--svg', join(dir, 'one.html')], /is a file, not a folder/],
    [['report', '--db', db, '--out', join(dir, 'never.html'), '--svg', join(dir, 'no', 'such', 'svg')], /does not exist/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.ok(!existsSync(join(dir, 'never.html')), 'a refused report wrote its HTML');
  assert.ok(!existsSync(join(dir, 'no')), 'a refused --svg created folders');
});

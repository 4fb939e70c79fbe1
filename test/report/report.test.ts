import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-report-'));
const db = join(dir, 'r.duckdb');
const ids: string[] = [];

before(() => {
  for (const seed of ['1', '2']) {
    const r = crossab(['run', scenarioPath('tiny'), '--db', db, '--seed', seed, '--json', '--no-report', '--strategies', 'separate,shared-bottom,mmoe', '--arms', 'separate,shared-bottom,mmoe']);
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
  const svgs = readdirSync(join(dir, 'svg')).sort();
  assert.deepEqual(svgs, ['ab-lifts.svg', 'auc-by-domain.svg', 'calibration.svg', 'features.svg', 'segments.svg', 'traffic.svg', 'training-curves.svg']);
  for (const f of svgs) {
    const svg = readFileSync(join(dir, 'svg', f), 'utf8');
    assert.match(svg, /^<svg/);
    assert.ok((svg.match(/<path/g) ?? []).length > 3, `${f} has marks`);
  }
  const again = crossab(['report', '--db', db, '--run', ids[0], '--out', join(dir, 'two.html'), '--svg', join(dir, 'svg2')]);
  assert.equal(again.code, 0, again.stderr);
  for (const f of svgs) assert.equal(readFileSync(join(dir, 'svg2', f), 'utf8'), readFileSync(join(dir, 'svg', f), 'utf8'), `${f} differs between renders`);
});

test('the report opens in headless Chromium with the network off: no console errors, every chart has marks', async () => {
  const out = join(dir, 'browser.html');
  assert.equal(crossab(['report', '--db', db, '--out', out]).code, 0);
  const executablePath = process.env.CROSSAB_CHROMIUM ?? '/usr/bin/chromium';
  assert.ok(existsSync(executablePath), `no Chromium at ${executablePath}: apt-get install chromium (.ci/run does)`);
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.goto(`file://${out}`);
    await page.evaluate(async () => { await (window as unknown as { crossabRendered: Promise<unknown> }).crossabRendered; return true; });
    const marks = await page.$$eval('.chart', (divs) => divs.map((d) => ({ id: d.id, marks: d.querySelectorAll('svg g.role-mark path, svg g.role-mark line, svg g.role-mark rect').length })));
    assert.equal(marks.length, 7);
    for (const m of marks) assert.ok(m.marks > 0, `chart ${m.id} rendered no marks`);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(readFileSync(shot).length > 10_000);
    process.stdout.write(`# screenshot: ${shot}\n`);
  } finally {
    await browser.close();
  }
});

test('--compare puts several runs in one report', () => {
  const out = join(dir, 'compare.html');
  const r = crossab(['report', '--db', db, '--compare', ids.join(','), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  for (const id of ids) assert.match(html, new RegExp(id));
  assert.match(html, /compare-auc/);
});

test('report refuses unknown runs and bad flags with one line and exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['report', '--db', db, '--run', 'nope'], /no run 'nope'/],
    [['report', '--db', db, '--compare', ids[0]], /at least two run IDs/],
    [['report', '--db', join(dir, 'missing.duckdb')], /no database at/],
    [['report', '--db', db, '--out', join(dir, 'x.txt')], /must end in \.html/],
  ];
  for (const [args, pattern] of cases) {
    const r = crossab(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

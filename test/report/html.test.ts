// The self-contained page: its policy allows exactly the scripts it holds (each by its hash, no eval,
// nothing fetched), stored strings are text (the title and chart titles escaped, a chart spec's
// strings unable to end the script they sit in). The report's tables are tested through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { esc, page } from '../../src/report/html.js';
import type { Chart } from '../../src/report/charts.js';

const hostile = `</script><script>alert(1)</script>\u2028<!--&`;
const chart = { id: 'c1', title: hostile, spec: { title: hostile, mark: 'bar', data: { values: [{ a: hostile }] } } } as unknown as Chart;

test("page: the policy names every inline script by its SHA-256 and nothing else runs: no 'unsafe-eval', no source to fetch from", () => {
  const html = page(hostile, '<p>body</p>', [chart]);
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 4, 'vega, vega-lite, vega-embed and the page’s own');
  const allowed = /script-src ([^;]+);/.exec(policy)![1].split(' ');
  assert.deepEqual(
    scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`),
    allowed,
  );
  assert.equal(policy, `default-src 'none'; script-src ${allowed.join(' ')}; style-src 'unsafe-inline'; img-src data:`);
  assert.ok(!/<script src=|<link /.test(html), 'nothing loaded from elsewhere');
});

test('page: the title and chart titles are text, and a chart spec cannot close its script or start a comment', () => {
  const html = page(hostile, '', [chart]);
  assert.equal(html.split(hostile).length, 1, 'the hostile string never appears raw');
  assert.ok(html.includes(`<title>${esc(hostile)}</title>`) && html.includes(`<h1>${esc(hostile)}</h1>`));
  assert.ok(html.includes(`<figcaption>${esc(hostile)}</figcaption><div class="chart" id="c1"></div>`));
  const own = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].at(-1)![1];
  assert.ok(!/<\/script|<!--|\u2028/.test(own));
  // The spec read back from the script is the spec given, to the character.
  const json = /const charts = (.*);\n/.exec(own)![1];
  assert.deepEqual(JSON.parse(json), [{ id: 'c1', spec: chart.spec }]);
});

test('esc: the five characters that can change markup, and nothing else', () => {
  assert.equal(esc(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  assert.equal(esc('plain – text ✓'), 'plain – text ✓');
  assert.equal(esc(null), '');
  assert.equal(esc(3.5), '3.5');
});

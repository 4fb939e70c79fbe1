// The page `crossab fit` writes: the fitted domains, the faithfulness table with its count of
// measures inside their interval, the held-out log loss, the A/B test again (only when the log had
// one), the assumptions — every string from the log escaped, the diagnostics chart embedded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitHtml, type FitPage } from '../../src/report/fit.js';

const hostile = '<script>alert(1)</script>';

const fitted: FitPage = {
  title: 'obd fitted',
  dataset: hostile,
  holdoutRows: 12345,
  domains: [{ name: 'men', share: 0.4, items: 34, baseCtr: 0.005, baseLow: 0.0041, baseHigh: 0.0059, positions: [1, 0.8, 0.55] }],
  diagnostics: [
    { measure: 'ctr', domain: 'men', real: 0.005, simulated: 0.0051, low: 0.0045, high: 0.0055, inside: true, interval: 'log' },
    { measure: 'item concentration', domain: hostile, real: 0.3, simulated: 0.42, low: 0.28, high: 0.35, inside: false, interval: '200 samples' },
  ],
  ab: [
    {
      domain: 'men',
      arm: 'bts',
      real: '+3.1% [−2.0%, +8.5%]',
      realDecision: 'KEEP',
      trueLift: 0.0312,
      range: [-0.02, 0.031, 0.085],
      rank: 0.52,
      decisions: 'KEEP 97, SHIP 3',
    },
  ],
  logLoss: [{ domain: 'men', model: 0.031234567, constant: 0.0315 }],
  assumptions: ['no conversions in the log', hostile],
};

test('fitHtml: the counts and figures the page states, formatted as read (rates to 0.001%, lifts signed)', () => {
  const html = fitHtml(fitted);
  assert.match(html, /12,345 control-arm displays held out/);
  assert.match(html, /Where the fitted world is faithful: 1 of 2 inside/);
  assert.match(html, /0\.500% <small>\[0\.410%, 0\.590%\]<\/small>/);
  assert.match(html, /<td>1\.00 0\.80 0\.55<\/td>/);
  assert.match(html, /<td>✓<\/td>/);
  assert.match(html, /<td><b>✗<\/b><\/td>/);
  assert.match(html, /men 0\.03123 vs 0\.03150/);
  assert.match(html, /<td>\+3\.1%<\/td><td>-2\.0% \/ \+3\.1% \/ \+8\.5%<\/td><td>52%<\/td>/);
  assert.match(html, /The log's A\/B test again in the fitted world/);
  assert.equal(html.match(/<div class="chart" id="[^"]+"><\/div>/g)?.length, 1, 'the diagnostics chart');
});

test('fitHtml: every string from the log escaped; no A/B section for a log without one', () => {
  const html = fitHtml(fitted);
  assert.ok(!html.includes(hostile), 'no raw script from the dataset, a domain or an assumption');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const plain = fitHtml({ ...fitted, ab: [] });
  assert.ok(!plain.includes("The log's A/B test again"));
  assert.ok(plain.includes('Assumed, not fitted'));
});

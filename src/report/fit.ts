// The page `crossab fit` writes beside its scenario: what was fitted, where the fitted world is
// faithful to the held-out log and where it is not, and the log's A/B test run again in it.
import { fitDiagnosticsChart, type FitDiagnosticRow } from './fit-chart.js';
import { esc, page } from './html.js';
import { signedPercent as pct } from '../util/format.js';

export interface FitPage {
  title: string;
  dataset: string;
  holdoutRows: number;
  domains: { name: string; share: number; items: number; baseCtr: number; baseLow: number; baseHigh: number; positions: number[] }[];
  diagnostics: (FitDiagnosticRow & { interval: string })[];
  ab: { domain: string; arm: string; real: string; realDecision: string; trueLift: number; range: [number, number, number]; rank: number; decisions: string }[];
  logLoss: { domain: string; model: number; constant: number }[];
  assumptions: string[];
}

const rate = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(3)}%` : '–');
const table = (head: string[], rows: string[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

export function fitHtml(f: FitPage): string {
  const inside = f.diagnostics.filter((d) => d.inside).length;
  const body = `<section>
<p>Fitted to dataset <b>${esc(f.dataset)}</b> on its first part; ${f.holdoutRows.toLocaleString('en')} control-arm displays held out.</p>
${table(
  ['domain', 'share', 'items', 'base CTR [95%]', 'position effects (best = 1)'],
  f.domains.map((d) => [
    esc(d.name),
    d.share.toFixed(3),
    String(d.items),
    `${rate(d.baseCtr)} <small>[${rate(d.baseLow)}, ${rate(d.baseHigh)}]</small>`,
    d.positions.map((p) => p.toFixed(2)).join(' '),
  ]),
)}
<h3>Where the fitted world is faithful: ${inside} of ${f.diagnostics.length} inside</h3>
<p>Rates against the held-out log's 95% interval; concentration over items (a statistic of sparse counts) against its range over 200 samples of the held-out size drawn from the fitted world.</p>
${table(
  ['measure', 'domain', 'held-out log', 'fitted world', '95% interval', 'of', ''],
  f.diagnostics.map((d) => [
    esc(d.measure),
    esc(d.domain),
    d.real.toFixed(4),
    d.simulated.toFixed(4),
    `[${d.low.toFixed(4)}, ${d.high.toFixed(4)}]`,
    esc(d.interval),
    d.inside ? '✓' : '<b>✗</b>',
  ]),
)}
<p>Held-out log loss of the fitted click model against the fitting part's constant CTR: ${f.logLoss.map((l) => `${esc(l.domain)} ${l.model.toFixed(5)} vs ${l.constant.toFixed(5)}`).join(', ')}.</p>
${
  f.ab.length
    ? `<h3>The log's A/B test again in the fitted world</h3>
<p>The same policies as arms, the same displays per arm and domain, clicks from the fitted truth; 100 replicates read and decided as the real test is.</p>
${table(
  [
    'domain',
    'arm',
    'real lift [95%]',
    'real decision',
    'true lift in the fitted world',
    'simulated lifts 2.5 / 50 / 97.5%',
    'simulated lifts below the real one',
    'simulated decisions',
  ],
  f.ab.map((a) => [
    esc(a.domain),
    esc(a.arm),
    esc(a.real),
    esc(a.realDecision),
    pct(a.trueLift),
    a.range.map((x) => pct(x)).join(' / '),
    `${(100 * a.rank).toFixed(0)}%`,
    esc(a.decisions),
  ]),
)}`
    : ''
}
<h3>Assumed, not fitted</h3><ul>${f.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
</section>`;
  return page(f.title, body, [fitDiagnosticsChart(f.diagnostics)]);
}

// The self-contained HTML report: vega, vega-lite and vega-embed inlined from their packages' build
// bundles, the charts' specs inlined as JSON, no request leaves the page. Stored strings are data,
// never markup: inlined JSON escapes every character that could end or reinterpret a script, and
// the page's policy runs only the four scripts it was written with (by hash), never eval.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Chart } from './charts.js';
import { DOMINANT_USER } from '../abtest/readout.js';
import type { RunData } from '../store/run-data.js';
import { estimatorRecord } from '../ope/summary.js';
import { percent, signedPercent } from '../util/format.js';

const require = createRequire(import.meta.url);

/** The minified browser bundle of a package (vega-lite's `exports` blocks subpath resolution). */
function bundle(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!dir.endsWith(join('node_modules', pkg))) dir = dirname(dir);
  return readFileSync(join(dir, 'build', file), 'utf8');
}

export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (x: unknown, d = 4) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '–');
// Stored cells may be null: Number.isFinite is false for anything not a finite number.
const pct = (x: unknown) => percent(x as number);
/** A stored relative lift with its sign: "+3.8%" (`digits` after the point). */
const signed = (x: unknown, digits = 1) => signedPercent(x as number, digits);
/**
 * JSON that is safe inside <script>: `<`, `>` and `&` as \\u escapes (no `</script>`, `<!--` or
 * `<script` can form), and U+2028/2029, which older parsers take for line ends inside strings.
 */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

let bundles: { js: string; hash: string }[] | null = null;
/** The three libraries' bundles and their policy hashes, read and hashed once per process. */
const libraries = () =>
  (bundles ??= [bundle('vega', 'vega.min.js'), bundle('vega-lite', 'vega-lite.min.js'), bundle('vega-embed', 'vega-embed.min.js')].map((js) => ({
    js,
    hash: sha256(js),
  })));

/** Best strategy per scope by test AUC, with its margin over the runner-up and the oracle. */
function offlineWinners(d: RunData): string {
  const scopes = [...new Set(d.offline.filter((r) => r.target === 'click').map((r) => `${r.scope}|${r.key}`))];
  const rows = scopes.map((sk) => {
    const [scope, key] = sk.split('|');
    const rs = d.offline.filter((r) => r.target === 'click' && r.scope === scope && r.key === key);
    const ranked = rs
      .filter((r) => r.strategy !== 'oracle' && r.strategy !== 'constant' && typeof r.auc === 'number')
      .sort((a, b) => Number(b.auc) - Number(a.auc));
    const oracle = rs.find((r) => r.strategy === 'oracle');
    if (!ranked.length) return '';
    const margin = ranked.length > 1 ? Number(ranked[0].auc) - Number(ranked[1].auc) : NaN;
    const label = scope === 'overall' ? 'all impressions' : scope === 'domain' ? `domain ${key}` : scope === 'domain_group' ? key : `${key} users`;
    return `<tr><td>${esc(label)}</td><td><b>${esc(ranked[0].strategy)}</b></td><td>${num(ranked[0].auc)}${typeof ranked[0].auc_se === 'number' ? ` ±${num(ranked[0].auc_se)}` : ''}</td><td>${ranked.length > 1 ? `+${num(margin)} over ${esc(ranked[1].strategy)}` : ''}</td><td>${num(oracle?.auc)}</td></tr>`;
  });
  return `<table><thead><tr><th>where</th><th>best offline</th><th>AUC ±SE</th><th>margin</th><th>oracle</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A warning when one user makes a large share of an arm's impressions (intervals then mis-cover). */
function dominant(d: RunData): string {
  const max = Math.max(...d.assignment.map((a) => Number(a.max_user_share ?? 0)));
  return max > DOMINANT_USER
    ? ` <b>Warning:</b> one user makes ${(100 * max).toFixed(1)}% of an arm's impressions; user-clustered intervals are unreliable when few users dominate.`
    : '';
}

/**
 * The answer, before anything else: one sentence per domain — the decision, the evidence it rests on
 * (the deciding or best arm's CTR lift and interval), why, and what the truth says of it.
 */
function answer(d: RunData): string {
  const items = d.decisions.map((r) => {
    const what = r.decision === 'ship' ? `ship ${r.arm}` : r.decision === 'keep' ? `keep ${d.run.control}` : String(r.decision);
    const evidence =
      r.evidence_arm && typeof r.lift === 'number' && Number.isFinite(r.lift)
        ? ` — ${esc(r.evidence_arm)} ${signed(r.lift)} [${signed(r.ci_low)}, ${signed(r.ci_high)}] on CTR`
        : '';
    const should = r.true_best === d.run.control ? `keep (best arm ${signed(r.true_best_lift)})` : `ship ${r.true_best} ${signed(r.true_best_lift)}`;
    const truth = r.correct === null ? `The truth: ${esc(should)}` : r.correct ? 'Right, by the truth' : `<b>Wrong</b>: the truth says ${esc(should)}`;
    return `<li><b>${esc(r.domain)}: ${esc(what)}</b>${evidence}; ${esc(r.reason)}. ${truth}.</li>`;
  });
  return `<ul class="answer">${items.join('')}</ul>`;
}

/** Per domain, the decision and why, and what the truth says of it. */
function decisionTable(d: RunData): string {
  const label = (r: RunData['decisions'][number]) =>
    r.decision === 'ship' ? `SHIP ${esc(r.arm)}` : r.decision === 'keep' ? 'KEEP control' : esc(String(r.decision).toUpperCase());
  // As abtest/verdict.ts says it, from the stored row: ship the best arm, or keep the control.
  const should = (r: RunData['decisions'][number]) =>
    r.true_best === d.run.control ? `keep (best arm ${pct(r.true_best_lift)})` : `ship ${r.true_best} ${pct(r.true_best_lift)}`;
  const truth = (r: RunData['decisions'][number]) => (r.correct === null ? esc(should(r)) : r.correct ? 'right' : `<b>wrong</b> (${esc(should(r))})`);
  const rows = d.decisions.map(
    (r) => `<tr><td>${esc(r.domain)}</td><td><b>${label(r)}</b></td><td>${esc(r.reason)}</td><td>${r.look ?? '–'}</td><td>${truth(r)}</td></tr>`,
  );
  const method = d.decisions[0]?.method ?? 'plain';
  return `<p>Evidence: ${esc(method === 'sequential' ? 'sequential (CUPED estimates, always-valid confidence sequences; final at the first decisive look)' : method === 'cuped' ? 'CUPED (adjusted by each user’s pre-experiment behaviour)' : 'plain (delta method)')}.</p>
<table><thead><tr><th>domain</th><th>decision</th><th>why</th><th>final at look</th><th>truth</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** How often each method decided each domain right over the re-randomised assignments (run --grade K). */
/** A rule's true return as stored: the mean true lift it shipped, and its share of the best arm's. */
function returnCell(g: RunData['grades'][number]): string {
  if (g.true_return === null || g.true_return === undefined) return '–';
  const lift = signed(g.true_return, 2);
  return g.return_share === null || g.return_share === undefined ? lift : `${lift} (${(100 * Number(g.return_share)).toFixed(0)}%)`;
}

function gradeTable(d: RunData): string {
  const share = (x: unknown) => (x === null || x === undefined ? '–' : `${(100 * Number(x)).toFixed(0)}%`);
  const rows = d.grades.map(
    (g) =>
      `<tr><td>${esc(g.domain)}</td><td>${esc(g.method)}</td><td>${share(g.correct)}</td><td>${share(g.false_ship)}</td><td>${share(g.missed_win)}</td><td>${returnCell(g)}</td><td>${share(g.not_enough_data)}</td><td>${share(g.unreliable)}</td><td>${g.overstatement === null ? '–' : `${(100 * Number(g.overstatement)).toFixed(1)} pts`}</td><td>${share(g.coverage)}</td><td>${share(g.aa_false_positive)}</td><td>${num(g.interval_width, 3)}</td><td>${share(g.variance_reduction)}</td></tr>`,
  );
  return `<p>Over ${d.grades[0].assignments} re-randomised assignments of this world and these models (no retraining).</p>
<table><thead><tr><th>domain</th><th>method</th><th>right</th><th>false ship</th><th>missed win</th><th title="the mean true lift of what shipped, losses included; in brackets, as a share of the best arm's">true return</th><th>not enough data</th><th>unreliable</th><th>ships overstate by</th><th>coverage</th><th>A/A false positives</th><th>interval width (log)</th><th>variance removed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per domain, each treatment arm's A/B lift, its corrected p-value (primary) and the truth. */
function abSummary(d: RunData): string {
  const rows = d.abLifts
    .filter((r) => r.metric === 'ctr' && r.segment === 'all')
    .map((r) => {
      const p = r.family === 'primary' ? r.p_adjusted : r.p_value;
      const untested = r.tested === false;
      const verdict = untested
        ? 'too few users or clicks to test'
        : !(Number(p) < 0.05)
          ? 'not significant'
          : Number(r.lift) > 0
            ? 'better than control'
            : 'worse than control';
      const covered = r.covered === null ? '–' : r.covered ? 'yes' : '<b>no</b>';
      return `<tr><td>${esc(r.domain)}</td><td>${esc(r.arm)}</td><td>${pct(r.lift)} [${pct(r.ci_low)}, ${pct(r.ci_high)}]</td><td>${pct(r.cuped_lift)} [${pct(r.cuped_ci_low)}, ${pct(r.cuped_ci_high)}]; ${r.variance_reduction === null ? '–' : `${(100 * Number(r.variance_reduction)).toFixed(0)}%`}</td><td>${num(p, 3)}${r.family === 'primary' ? '' : ' (exploratory)'}</td><td>${verdict}</td><td>${pct(r.mde)}</td><td>${pct(r.true_lift)}</td><td>${covered}</td></tr>`;
    });
  const srm = d.assignment[0];
  const srmLine = srm
    ? `<p>Users per arm: ${d.assignment.map((a) => `${esc(a.arm)} ${a.users}`).join(', ')}; sample-ratio check p = ${num(srm.srm_p_value, 3)}${Number(srm.srm_p_value) < 0.001 ? ' — <b>mismatch</b>' : ''}.${dominant(d)}</p>`
    : '';
  return `${srmLine}<table><thead><tr><th>domain</th><th>arm</th><th>CTR lift [CI]</th><th>CUPED [CI]; variance removed</th><th>p (corrected)</th><th>A/B says</th><th>detectable lift</th><th>true lift</th><th>covered</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** scenario.dynamics: the short-term CTR lift beside clicks and visits per user over the whole test, per arm and domain. */
function longTermTable(d: RunData): string {
  const rows = d.longTerm.map((r) => {
    const ctr = d.abLifts.find((l) => l.metric === 'ctr' && l.segment === 'all' && l.arm === r.arm && l.domain === r.domain);
    const opposite = ctr && Number(ctr.true_lift) * Number(r.true_lift) < 0;
    const covered = r.covered === null ? '–' : r.covered ? 'yes' : '<b>no</b>';
    return `<tr><td>${esc(r.domain)}</td><td>${esc(r.arm)}</td><td>${esc(r.metric)} per user</td><td>${num(r.per_user, 3)} vs ${num(r.control_per_user, 3)}</td><td>${pct(r.lift)} [${pct(r.ci_low)}, ${pct(r.ci_high)}]</td><td>${pct(r.true_lift)}</td><td>${covered}</td><td>${ctr ? `${pct(ctr.lift)} (true ${pct(ctr.true_lift)})${opposite ? ' — <b>opposite sign</b>' : ''}` : '–'}</td></tr>`;
  });
  return `<p>Every user with a visit planned in the test counts, whether or not they stayed for it: an arm that drives users away pays for it here, while its CTR per served impression may still look better.</p><table><thead><tr><th>domain</th><th>arm</th><th>metric</th><th>arm vs control</th><th>lift [CI]</th><th>true lift</th><th>covered</th><th>short-term CTR lift</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const OPE_SHOWN = ['dm', 'ipw', 'snipw', 'dr', 'switch-dr', 'iips', 'sips'];

/** Per domain and strategy: the true CTR on the logged test requests beside each estimator's estimate from the logs. */
function opeTable(d: RunData): string {
  const all = d.ope.filter((r) => r.segment === 'all');
  const first = all[0];
  const cell = (r: (typeof all)[number] | undefined) => {
    if (!r) return '–';
    if (!r.identified && r.estimator !== 'dm') return '<i>not identified</i>';
    if (r.value === null) return '<i>no match</i>';
    if (!(Number(r.se) > 0) && r.estimator !== 'dm') return '<i>no spread</i>';
    const ci = `${pct(r.ci_low)} – ${pct(r.ci_high)}`;
    return `${pct(r.value)} <small>[${ci}]${r.identified ? '' : ' model only'}</small>`;
  };
  const keys = [...new Set(all.map((r) => `${r.domain}|${r.strategy}`))];
  const rows = keys.map((k) => {
    const [domain, strategy] = k.split('|');
    const of = (e: string) => all.find((r) => r.domain === domain && r.strategy === strategy && r.estimator === e);
    const ipw = of('ipw');
    return `<tr><td>${esc(domain)}</td><td>${esc(strategy)}</td><td><b>${pct(of('dm')?.true_value)}</b></td>${OPE_SHOWN.map((e) => `<td>${cell(of(e))}</td>`).join('')}<td>${pct(ipw?.ess_share)}</td><td>${num(ipw?.max_weight, 1)}</td><td>${pct(ipw?.item_deficiency)}</td></tr>`;
  });
  const unidentified = all.some((r) => !r.identified);
  return `<p>Logger: <b>${esc(first.logger)}</b>; DM's reward model: ${esc(first.reward_model)}; lifts are over ${esc(first.reference)}. Each estimate is the CTR the strategy's slates would have had on the logged test requests, from the logged slates, clicks and propensities alone; <b>true CTR</b> is that CTR from the ground truth.${unidentified ? ' <b>Not identified</b>: the logger never shows part of what the strategy would show, so no estimate from these logs is unbiased for it (DM still extrapolates its model there).' : ''}</p>
<table><thead><tr><th>domain</th><th>strategy</th><th>true CTR</th>${OPE_SHOWN.map((e) => `<th>${esc(e.toUpperCase())}</th>`).join('')}<th>IPW ESS</th><th>max weight</th><th>unsupported</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** For each A/B arm and domain: the lift OPE estimated from the logs before the test, beside the A/B test's and the truth's. */
function opeVsAb(d: RunData): string {
  const rows = d.abLifts
    .filter((l) => l.metric === 'ctr' && l.segment === 'all' && d.ope.some((o) => o.domain === l.domain))
    .map((l) => {
      const arm = d.assignment.find((a) => a.arm === l.arm);
      const of = (e: string) => d.ope.find((o) => o.strategy === arm?.strategy && o.domain === l.domain && o.segment === 'all' && o.estimator === e);
      const est = (e: string) => {
        const o = of(e);
        return !o || o.lift === null ? '–' : `${pct(o.lift)} <small>[${pct(o.lift_low)}, ${pct(o.lift_high)}]</small>`;
      };
      return `<tr><td>${esc(l.domain)}</td><td>${esc(l.arm)}</td><td>${est('dr')}</td><td>${est('snipw')}</td><td>${est('dm')}</td><td>${pct(of('dr')?.true_lift)}</td><td>${pct(l.lift)} <small>[${pct(l.ci_low)}, ${pct(l.ci_high)}]</small></td><td><b>${pct(l.true_lift)}</b></td></tr>`;
    });
  if (!rows.length) return '';
  return `<p>The lift over the control each estimator read from the logs before the test (on the logged test requests, the logs' click model), beside the A/B test's estimate and the true lift of the replay (with its position curve).</p>
<table><thead><tr><th>domain</th><th>arm</th><th>OPE: DR</th><th>SNIPW</th><th>DM</th><th>true, logged requests</th><th>A/B lift</th><th>true lift online</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per domain: each offline signal's rank agreement with the true online order, and whether its winner wins online. */
function trustTable(d: RunData): string {
  const signals = [...new Set(d.consistency.map((c) => String(c.signal)))];
  const domains = [...new Set(d.consistency.map((c) => c.domain))];
  const rows = domains.map((domain) => {
    const cs = d.consistency.filter((c) => c.domain === domain);
    const cell = (sg: string) => {
      const c = cs.find((x) => x.signal === sg);
      if (!c || c.winner_agrees === null) return '<td>–</td>';
      return `<td>${num(c.tau, 2)} ${c.winner_agrees ? '✓' : `✗ <small>${esc(c.offline_winner)}, −${pct(c.regret)}</small>`}</td>`;
    };
    const best = [...cs].sort((a, b) => Number(b.tau ?? -2) - Number(a.tau ?? -2))[0];
    return `<tr><td>${esc(domain)}</td><td>${esc(cs[0]?.online_winner)}</td>${signals.map(cell).join('')}<td><b>${esc(best?.signal)}</b></td></tr>`;
  });
  return `<p>Kendall τ between each signal's ordering of the strategies and their true online CTR (test-period requests, the A/B test's position curve); ✓: the signal's winner is the online winner, ✗: whom it picks and the CTR that gives up.</p>
<table><thead><tr><th>domain</th><th>online winner</th>${signals.map((s) => `<th>${esc(s)}</th>`).join('')}<th>trust here</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Over several runs (seeds): each estimator's interval coverage, bias and spread of the relative error, on every strategy × domain. */
function opeOverRuns(runs: RunData[]): string {
  const cells = runs.flatMap((d) => d.ope.filter((r) => r.segment === 'all' && r.domain !== 'all'));
  const estimators = [...new Set(cells.map((r) => r.estimator))];
  const rows = estimators.map((e) => {
    const r = estimatorRecord(
      cells.filter((c) => c.estimator === e).map((c) => ({ value: c.value, truth: c.true_value, covered: c.covered, essShare: c.ess_share })),
    );
    return `<tr><td>${esc(e)}</td><td>${r.estimated} / ${r.cells}</td><td>${pct(r.coverage)} <small>[${pct(r.coverageCi[0])}, ${pct(r.coverageCi[1])}]</small></td><td>${pct(r.bias)} ± ${pct(r.biasSe)}</td><td>${pct(r.sd)}</td><td>${pct(r.meanAbs)}</td><td>${pct(r.essShare)}</td></tr>`;
  });
  return `<p>Over ${runs.length} runs, every strategy × domain: how often the interval held the true value, the mean and spread of (estimate − truth) / truth.</p>
<table><thead><tr><th>estimator</th><th>estimated</th><th>coverage [Wilson 95%]</th><th>bias (relative) ± se</th><th>sd (relative)</th><th>mean |error|</th><th>ESS share</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metadata(d: RunData): string {
  const r = d.run;
  const items: [string, unknown][] = [
    ['run', r.run_id],
    ['scenario', r.scenario],
    ['seed', r.seed],
    ['backend', r.backend],
    ['crossab', r.version],
    ['data fingerprint', String(r.fingerprint).slice(0, 16)],
    ['started', r.started_at],
    ['wall time', `${num(r.wall_seconds, 1)} s`],
    ['arms', `${r.arms} (control ${r.control})`],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/**
 * Several runs side by side where a comparison is read: per domain each run's decision and its
 * evidence, and per strategy each run's overall and per-domain test AUC, one column per run.
 */
function sideBySide(runs: RunData[]): string {
  const head = runs.map((d) => `<th>${esc(d.run.run_id)}<br><small>${esc(d.run.scenario)}, seed ${esc(d.run.seed)}</small></th>`).join('');
  const domains = [...new Set(runs.flatMap((d) => d.decisions.map((r) => String(r.domain))))];
  const decisionCell = (d: RunData, domain: string) => {
    const r = d.decisions.find((x) => x.domain === domain);
    if (!r) return '<td>–</td>';
    const what = r.decision === 'ship' ? `SHIP ${esc(r.arm)}` : esc(String(r.decision).toUpperCase());
    const ev = r.evidence_arm ? `<br>${esc(r.evidence_arm)} ${signed(r.lift)} [${signed(r.ci_low)}, ${signed(r.ci_high)}]` : '';
    const truth = r.correct === null ? '' : r.correct ? ' (right)' : ' (<b>wrong</b>)';
    return `<td><b>${what}</b>${truth}${ev}</td>`;
  };
  const decisions = domains.map((dom) => `<tr><td>${esc(dom)}</td>${runs.map((d) => decisionCell(d, dom)).join('')}</tr>`).join('');
  const keys = ['all', ...domains];
  const strategies = [...new Set(runs.flatMap((d) => d.offline.map((o) => String(o.strategy))))];
  const auc = (d: RunData, strategy: string, key: string) =>
    d.offline.find((o) => o.strategy === strategy && o.target === 'click' && o.key === key && (key === 'all' ? o.scope === 'overall' : o.scope === 'domain'))
      ?.auc;
  const aucRows = strategies
    .flatMap((st) => keys.map((k) => `<tr><td>${esc(st)}</td><td>${esc(k)}</td>${runs.map((d) => `<td>${num(auc(d, st, k))}</td>`).join('')}</tr>`))
    .join('');
  return `<h3>Decisions per domain</h3><table><thead><tr><th>domain</th>${head}</tr></thead><tbody>${decisions}</tbody></table>
<h3>Test AUC</h3><table><thead><tr><th>strategy</th><th>domain</th>${head}</tr></thead><tbody>${aucRows}</tbody></table>`;
}

export function reportHtml(title: string, runs: RunData[], charts: Chart[]): string {
  const sections = runs
    .map(
      (d) => `<section class="run"><h2>Run ${esc(d.run.run_id)}</h2>${d.decisions.length ? answer(d) : ''}${metadata(d)}
    ${d.decisions.length ? `<h3>Decisions per domain</h3>${decisionTable(d)}` : ''}
    ${d.grades.length ? `<h3>How often these decisions are right</h3>${gradeTable(d)}` : ''}
    <h3>Who wins where (offline, test period)</h3>${offlineWinners(d)}
    ${d.ope.length ? `<h3>Before the A/B test: off-policy estimates from the logs</h3>${opeTable(d)}` : ''}
    ${d.ope.length && d.abLifts.length ? `<h3>Off-policy estimates against the A/B test</h3>${opeVsAb(d)}` : ''}
    ${d.consistency.length ? `<h3>Which offline signal to trust here</h3>${trustTable(d)}` : ''}
    ${d.abLifts.length ? `<h3>A/B replay</h3>${abSummary(d)}` : ''}
    ${d.longTerm.length ? `<h3>Short term and long term (the test period moves)</h3>${longTermTable(d)}` : ''}</section>`,
    )
    .join('');
  const overRuns =
    runs.length > 1 && runs.some((d) => d.ope.length) ? `<section><h2>Off-policy estimators over these runs</h2>${opeOverRuns(runs)}</section>` : '';
  // Compared runs: the side-by-side tables first; each run's own report follows.
  const compared = runs.length > 1 ? `<section><h2>These ${runs.length} runs side by side</h2>${sideBySide(runs)}</section>\n` : '';
  return page(title, `${compared}${sections}\n${overRuns}`, charts);
}

/** A self-contained page: the body (markup crossab wrote, stored strings escaped) and its charts below it. */
export function page(title: string, body: string, charts: Chart[]): string {
  const chartDivs = charts.map((c) => `<figure><figcaption>${esc(c.title)}</figcaption><div class="chart" id="${esc(c.id)}"></div></figure>`).join('');
  // `ast: true` makes vega interpret expressions instead of compiling them with Function(), so the
  // policy needs no 'unsafe-eval'.
  const main = `
const charts = ${scriptJson(charts.map((c) => ({ id: c.id, spec: c.spec })))};
window.crossabRendered = Promise.all(charts.map((c) => vegaEmbed(document.getElementById(c.id), c.spec, { renderer: 'svg', actions: false, ast: true })));
`;
  const hashes = [...libraries().map((l) => l.hash), sha256(main)];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:">
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 14px; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; font-size: 14px; }
dt { color: #666; } dd { margin: 0; }
figure { margin: 1.5em 0; } figcaption { font-weight: bold; margin-bottom: 0.4em; }
</style>
${libraries()
  .map((l) => `<script>${l.js}</script>`)
  .join('\n')}
</head><body>
<h1>${esc(title)}</h1>
${body}
${chartDivs}
<script>${main}</script>
</body></html>
`;
}

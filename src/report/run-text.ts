// A run as the plain `crossab run` prints it: the answer first — one row per domain, what was
// decided, on what evidence, why, and what the truth says, in 100 columns — and the grade table when
// the run graded; with --verbose, every table behind it (off-policy estimates, offline ↔ online, the
// arms per domain, long-term and feedback, the full reasons). The report and --json keep everything.
import type { ReplayResult } from '../abtest/readout.js';
import { DOMINANT_USER } from '../abtest/readout.js';
import type { DomainDecision } from '../abtest/decide.js';
import type { DomainGrade } from '../abtest/grade.js';
import type { FeedbackRound } from '../abtest/feedback.js';
import type { DesignGrade } from '../abtest/interference.js';
import { designTable, feedbackTable } from './feedback-text.js';
import { consistencyTable, opeTable, opeVsAbTable } from './ope-text.js';
import { truthOf, verdictRows } from '../abtest/verdict.js';
import type { DecisionRules } from '../scenario/schema.js';
import type { OfflineResults } from '../train/parallel.js';
import type { OffPolicy } from '../ope/consistency.js';
import { formatTable } from '../util/table.js';
import { confidenceLevel, percent as pct } from '../util/format.js';

/** What a run produced, as its text and JSON outputs read it (experiment's RunOutcome extends it). */
export interface RunResults {
  runId: string;
  seed: number;
  salt: number;
  backend: string;
  offline: OfflineResults;
  /** Off-policy estimates from the logs, and the offline signals against the true online ordering. */
  ope: OffPolicy;
  ab: ReplayResult;
  /** Per domain: ship, keep, not enough data or unreliable, graded against the truth. */
  decisions: DomainDecision[];
  /** scenario.feedback: every participant's rounds (empty without it). */
  feedback: FeedbackRound[];
  /** feedback.test: each design's estimate per domain against the global lift (empty without one). */
  designs: DesignGrade[];
  /** Per domain and method, how often the decision was right over `grade` re-randomised assignments. */
  grades: DomainGrade[];
  /** The decision rules the run applied (the scenario's, defaults filled in). */
  rules: DecisionRules;
  reportPath: string | null;
  /** Seconds per stage, the whole run's wall time and the process's peak resident memory. */
  stages: Partial<Record<string, number>>;
  wallSeconds: number;
  peakRssMb: number;
}

/** A run as printed: its results and its world's fingerprint and domains. */
export interface RunView extends RunResults {
  fingerprint: string;
  domains: string[];
}

/** An AUC with its standard error, as printed wherever one is shown: "0.8123 ±0.0041". */
export const aucText = (auc: number | undefined, se: number | undefined): string =>
  auc === undefined || !Number.isFinite(auc) ? '–' : Number.isFinite(se) ? `${auc.toFixed(4)} ±${se!.toFixed(4)}` : auc.toFixed(4);

export function offlineTable(r: OfflineResults, domains: string[]): string {
  const rows = [...Object.entries(r.strategies), ['constant', r.constant] as const, ['oracle', r.oracle] as const].map(([name, m]) => {
    const seg = (key: string) => m.rows.find((x) => x.target === 'click' && x.key === key && x.scope === 'user_segment')?.auc ?? NaN;
    return [
      name,
      ...domains.map((d) => aucText(m.auc[d], m.aucSe[d])),
      aucText(m.auc.overall, m.aucSe.overall),
      m.gauc,
      m.logloss,
      seg('heavy'),
      seg('tail'),
      seg('cold'),
    ];
  });
  return `${formatTable(
    ['strategy', ...domains.map((d) => `AUC ${d}`), 'AUC all', 'GAUC', 'logloss', 'heavy', 'tail users', 'cold'],
    rows as (string | number)[][],
  )}\n(± is DeLong's standard error over the test impressions; it takes them as independent and leaves out the spread over training seeds)`;
}

/** The answer at a glance: per domain the decision, its evidence, why in a few words, and the truth. */
/** The summary's widest layout; narrower terminals get the two-line form below. */
export const SUMMARY_WIDTH = 100;

/**
 * The decisions at a glance: a heading naming the arms, the method and the thresholds, then one row
 * per domain — decision, CTR lift [interval], why, the truth. Wider than `width`, each domain takes
 * two lines (decision and lift, then why and the truth) and the heading breaks after the method, so
 * an 80-column terminal shows the table whole instead of wrapping every row.
 */
export function summaryTable(ds: DomainDecision[], ab: ReplayResult, rules: DecisionRules, width = SUMMARY_WIDTH): string {
  const method = ds[0]?.method;
  const treatments = ab.arms.filter((a) => a.name !== ab.control);
  const who = `${treatments.map((a) => a.name).join(', ')} vs ${ab.control} (control), ${method === 'sequential' ? 'sequential' : method === 'cuped' ? 'CUPED' : 'plain'};`;
  const thresholds = `ship at CTR ≥ +${(100 * rules.minLift).toFixed(1)}%, conversions within −${(100 * rules.guardrailMargin).toFixed(1)}%:`;
  const rows = verdictRows(ds, treatments.length);
  // The last column's padding would only push the table past the terminal's edge.
  const table = (header: string[], cells: string[][]) => formatTable(header, cells).replace(/ +$/gm, '');
  const wide = `${who} ${thresholds}\n${table(
    ['domain', 'decision', 'CTR lift [CI]', 'why', 'truth'],
    rows.map((r) => [r.domain, r.decision, r.evidence, r.why, r.truth]),
  )}`;
  if (Math.max(...wide.split('\n').map((l) => l.length)) <= width) return wide;
  const lines = table(
    ['domain', 'decision', 'CTR lift [CI]'],
    rows.map((r) => [r.domain, r.decision, r.evidence]),
  ).split('\n');
  const indent = ' '.repeat(Math.max(...rows.map((r) => r.domain.length), 'domain'.length) + 2);
  const body = lines.slice(2).flatMap((l, i) => [l, `${indent}${rows[i].why}; truth: ${rows[i].truth}`]);
  return [who, thresholds, ...lines.slice(0, 2), ...body].join('\n');
}

/** What a reader of the readout must know before trusting it. */
export function warnings(ab: ReplayResult, ds: DomainDecision[]): string[] {
  const out: string[] = [];
  const heavy = Math.max(...ab.srm.maxUserShare);
  if (heavy > DOMINANT_USER)
    out.push(`one user makes ${(100 * heavy).toFixed(1)}% of an arm's impressions; user-clustered intervals are unreliable when few users dominate`);
  if (ab.srm.pValue < 0.001) out.push(`sample-ratio mismatch overall (p = ${ab.srm.pValue.toExponential(1)}): the assignment is broken`);
  for (const d of ds) if (d.decision === 'unreliable') out.push(`${d.domain}: ${d.reason}`);
  const untested = ab.lifts.filter((l) => !l.tested).length;
  if (untested) out.push(`${untested} of ${ab.lifts.length} cells are below the small-cell floor and were not tested`);
  out.push(...longTermConflicts(ab));
  return out;
}

/** A rule's true return: the mean true lift it shipped, and in brackets that as a share of the best arm's. */
function returnText(g: DomainGrade): string {
  if (!Number.isFinite(g.trueReturn)) return '–';
  const lift = `${g.trueReturn >= 0 ? '+' : ''}${(100 * g.trueReturn).toFixed(2)}%`;
  return Number.isFinite(g.returnShare) ? `${lift} (${(100 * g.returnShare).toFixed(0)}%)` : lift;
}

export function gradeTable(gs: DomainGrade[]): string {
  const p = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
  return (
    `over ${gs[0].assignments} re-randomised assignments of this world and these models:\n` +
    formatTable(
      [
        'domain',
        'method',
        'right',
        'false ship',
        'missed win',
        'true return',
        'ship',
        'keep',
        'not enough',
        'unreliable',
        'overstates by',
        'coverage',
        'A/A FPR',
        'width',
        'look',
      ],
      gs.map((g) => [
        g.domain,
        g.method,
        p(g.correct),
        p(g.falseShip),
        p(g.missedWin),
        returnText(g),
        p(g.ship),
        p(g.keep),
        p(g.notEnoughData),
        p(g.unreliable),
        Number.isFinite(g.overstatement) ? `${(100 * g.overstatement).toFixed(1)} pts` : '–',
        p(g.coverage),
        p(g.aaFalsePositive),
        Number.isFinite(g.intervalWidth) ? g.intervalWidth.toFixed(3) : '–',
        Number.isFinite(g.meanLook) ? g.meanLook.toFixed(1) : '–',
      ]),
    )
  );
}

export function decisionTable(ds: DomainDecision[]): string {
  const label = (d: DomainDecision) => (d.decision === 'ship' ? `SHIP ${d.arm}` : d.decision === 'keep' ? 'KEEP control' : d.decision.toUpperCase());
  const method = ds[0]?.method;
  return `decisions (${method === 'sequential' ? 'sequential: the first decisive look' : method === 'cuped' ? 'CUPED-adjusted' : 'plain'} evidence):\n${formatTable(
    ['domain', 'decision', 'why', 'truth'],
    ds.map((d) => [d.domain, label(d), d.reason, d.correct === null ? truthOf(d) : d.correct ? 'right' : `WRONG (${truthOf(d)})`]),
  )}`;
}

/** scenario.dynamics: per arm and domain, CTR lift (short term) beside clicks and visits per user over the whole test (long term). */
export function longTermTable(ab: ReplayResult, alpha: number): string {
  if (!ab.longTerm.length) return '';
  const rows = ab.longTerm.map((l) => {
    const ctr = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === l.arm && x.domain === l.domain && x.segment === 'all');
    return [
      l.arm,
      l.domain,
      `${l.metric} per user`,
      `${l.perUser.toFixed(3)} vs ${l.controlPerUser.toFixed(3)}`,
      `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]`,
      pct(l.trueLift),
      l.covered === null ? '–' : l.covered ? 'yes' : 'NO',
      ctr ? `${pct(ctr.lift)} (true ${pct(ctr.trueLift)})` : '',
    ];
  });
  return `long term (every user with a planned visit, whether or not they stayed):\n${formatTable(
    ['arm', 'domain', 'metric', 'arm vs control', `lift [${confidenceLevel(alpha)} CI]`, 'true lift', 'covered', 'short-term CTR lift'],
    rows,
  )}`;
}

/** Where the short-term CTR lift and the long-term clicks per user point opposite ways (true lifts when known, else the estimates). */
export function longTermConflicts(ab: ReplayResult): string[] {
  return ab.longTerm
    .filter((l) => l.metric === 'clicks')
    .flatMap((l) => {
      const ctr = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === l.arm && x.domain === l.domain && x.segment === 'all');
      if (!ctr) return [];
      const significant = (lo: number, hi: number) => (lo > 0 ? 1 : hi < 0 ? -1 : 0);
      const short = significant(ctr.ciLow, ctr.ciHigh);
      const long = significant(l.ciLow, l.ciHigh);
      return short !== 0 && long !== 0 && short !== long
        ? [
            `${l.arm} on ${l.domain}: CTR ${pct(ctr.lift)} but clicks per user over the test ${pct(l.lift)} (both significant): it wins clicks per impression and loses users`,
          ]
        : [];
    });
}

export function abTable(ab: ReplayResult, off: OfflineResults, domains: string[], alpha: number): string {
  const rows = ab.results
    .filter((r) => r.segment === 'all' && (r.domain === 'all' || domains.includes(r.domain)))
    .map((r) => {
      const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === 'all');
      const key = r.domain === 'all' ? 'overall' : r.domain;
      const m = off.strategies[r.strategy];
      return [
        r.arm,
        r.domain,
        r.users,
        r.impressions,
        pct(r.ctr),
        l ? `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]` : '(control)',
        l ? `${pct(l.cupedLift)} [${pct(l.cupedCiLow)}, ${pct(l.cupedCiHigh)}]` : '',
        l ? (Number.isFinite(l.pValue) ? l.pValue.toFixed(3) : '–') : '',
        l ? pct(l.trueLift) : '',
        l ? (l.covered === null ? '–' : l.covered ? 'yes' : 'NO') : '',
        aucText(m?.auc[key], m?.aucSe[key]),
      ];
    });
  return formatTable(
    [
      'arm',
      'domain',
      'users',
      'impressions',
      'CTR',
      `lift [${confidenceLevel(alpha)} CI]`,
      `CUPED [${confidenceLevel(alpha)} CI]`,
      'p',
      'true lift',
      'covered',
      'AUC',
    ],
    rows as (string | number)[][],
  );
}

/**
 * The plain output: warnings, the summary, the sample-ratio check and where the run went; with
 * `verbose`, every detail table between the summary and the end.
 */
/** The run's time and memory, then its stages in lines that fit the summary's 100 columns. */
function timeLines(o: RunView): string[] {
  const lines = [`time: total ${o.wallSeconds.toFixed(1)} s, peak memory ${Math.round(o.peakRssMb).toLocaleString('en-US')} MB; by stage:`];
  for (const [k, v] of Object.entries(o.stages)) {
    const item = `${k} ${(v ?? 0).toFixed(1)} s`;
    const last = lines.length - 1;
    if (last > 0 && lines[last].length + item.length + 2 <= 100) lines[last] += `, ${item}`;
    else lines.push(`  ${item}`);
  }
  return lines;
}

export function runText(o: RunView, db: string, verbose: boolean): string {
  const parts = [
    ...warnings(o.ab, o.decisions).map((w) => `warning: ${w}`),
    summaryTable(o.decisions, o.ab, o.rules),
    ...(o.grades.length ? ['', gradeTable(o.grades)] : []),
    ...(o.designs.length ? ['', designTable(o.designs)] : []),
  ];
  if (verbose)
    parts.push(
      '',
      opeTable(o.ope, o.domains),
      '',
      consistencyTable(o.ope),
      '',
      abTable(o.ab, o.offline, o.domains, o.rules.alpha),
      ...(o.ab.longTerm.length ? ['', longTermTable(o.ab, o.rules.alpha)] : []),
      ...(o.feedback.length ? ['', feedbackTable(o.feedback)] : []),
      '',
      opeVsAbTable(o.ope, o.ab, o.rules.alpha),
      '',
      decisionTable(o.decisions),
    );
  else parts.push('(--verbose: every table behind this summary; the report and --json keep them too)');
  const srm = o.ab.srm;
  parts.push(
    '',
    `sample-ratio check: users per arm ${srm.users.join(' / ')}, p = ${Number.isFinite(srm.pValue) ? srm.pValue.toFixed(3) : '–'}${srm.pValue < 0.001 ? '  (MISMATCH)' : ''}`,
    `run ${o.runId} stored in ${db}${o.reportPath ? `\nreport: ${o.reportPath}` : ''}`,
    ...timeLines(o),
  );
  return `${parts.join('\n')}\n`;
}

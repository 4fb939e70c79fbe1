import { loadScenarioFile } from '../experiment/scenario-file.js';
import { formatTable } from '../util/table.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_DB } from '../store/db.js';
import { DOMINANT_USER, type ReplayResult } from '../abtest/readout.js';
import type { DomainDecision } from '../abtest/decide.js';
import { truthOf } from '../abtest/verdict.js';
import type { DomainGrade } from '../abtest/grade.js';
import { minimumDetectableLift } from '../abtest/stats.js';
import type { DecisionRules } from '../scenario/schema.js';
import type { OfflineResults } from '../train/parallel.js';
import { executeRun, type OffPolicy, type RunOutcome } from '../experiment/experiment.js';
import { newHandle, withCancellation } from '../experiment/cancel.js';
import { checkOutputDir, checkOutputPath, intFlag, listFlag, parse, seedFlag, workersFlag } from './args.js';
import { COMMANDS } from './specs.js';
import { aucText, offlineJson } from './train.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');

export function abJson(ab: ReplayResult) {
  return ab.results.map((r) => {
    const l = ab.lifts.find((x) => x.metric === 'ctr' && x.arm === r.arm && x.domain === r.domain && x.segment === r.segment);
    const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
    return {
      arm: r.arm,
      strategy: r.strategy,
      domain: r.domain,
      segment: r.segment,
      users: r.users,
      impressions: r.impressions,
      ctr: num(r.ctr),
      cvr: num(r.cvr),
      expected_ctr: num(r.expectedCtr),
      lift: num(l?.lift),
      ci_low: num(l?.ciLow),
      ci_high: num(l?.ciHigh),
      p_value: num(l?.pValue),
      true_lift: num(l?.trueLift),
      covered: l ? l.covered : null,
      tested: l ? l.tested : null,
      p_adjusted: num(l?.pAdjusted),
      mde: num(l?.mde),
      power: num(l?.power),
      users_needed: num(l?.usersNeeded),
      cuped_lift: num(l?.cupedLift),
      cuped_ci_low: num(l?.cupedCiLow),
      cuped_ci_high: num(l?.cupedCiHigh),
      cuped_p_adjusted: num(l?.cupedPAdjusted),
      variance_reduction: num(l?.varianceReduction),
      seq_ci_low: num(l?.seqCiLow),
      seq_ci_high: num(l?.seqCiHigh),
      seq_p_adjusted: num(l?.seqPAdjusted),
      seq_mde: num(l?.seqMde),
      ci_low_adjusted: num(l?.ciLowAdjusted),
      ci_high_adjusted: num(l?.ciHighAdjusted),
      cuped_ci_low_adjusted: num(l?.cupedCiLowAdjusted),
      cuped_ci_high_adjusted: num(l?.cupedCiHighAdjusted),
      dof: num(l?.dof),
      linear_ci_low: num(l?.linearCiLow),
      linear_ci_high: num(l?.linearCiHigh),
      linear_p_value: num(l?.linearPValue),
      abs_diff: num(l?.absDiff),
      abs_ci_low: num(l?.absCiLow),
      abs_ci_high: num(l?.absCiHigh),
      jackknife_ci_low: num(l?.jackknifeCiLow),
      jackknife_ci_high: num(l?.jackknifeCiHigh),
      jackknife_p_adjusted: num(l?.jackknifePAdjusted),
      cuped_jackknife_ci_low: num(l?.cupedJackknifeCiLow),
      cuped_jackknife_ci_high: num(l?.cupedJackknifeCiHigh),
      cuped_jackknife_p_adjusted: num(l?.cupedJackknifePAdjusted),
      max_user_share: r.maxUserShare,
      effective_users: r.effectiveUsers,
    };
  });
}

const num = (v: number) => (Number.isFinite(v) ? v : null);

export function decisionsJson(ds: DomainDecision[]) {
  return ds.map((d) => ({
    domain: d.domain,
    method: d.method,
    decision: d.decision,
    arm: d.arm,
    look: d.look,
    lift: num(d.lift),
    ci_low: num(d.ciLow),
    ci_high: num(d.ciHigh),
    p_adjusted: num(d.pAdjusted),
    users: d.users,
    users_needed: num(d.usersNeeded),
    traffic_multiple: num(d.trafficMultiple),
    srm_p_value: num(d.srmPValue),
    max_user_share: d.maxUserShare,
    effective_users: d.effectiveUsers,
    guardrail_power: num(d.guardrailPower),
    reason: d.reason,
    true_best: d.trueBest,
    true_best_lift: d.trueBestLift,
    correct: d.correct,
  }));
}

/** Each treatment arm's test on each domain: how small a lift it could see, and its power at the truth. */
export function powerJson(ab: ReplayResult, rules: DecisionRules) {
  return ab.lifts
    .filter((l) => l.family === 'primary')
    .map((l) => ({
      arm: l.arm,
      domain: l.domain,
      tested: l.tested,
      mde: num(l.mde),
      cuped_mde: num(minimumDetectableLift(l.cupedSeLog, rules.alpha, rules.power)),
      variance_reduction: num(l.varianceReduction),
      true_lift: num(l.trueLift),
      power_at_true_lift: num(l.power),
      users_needed_for_true_lift: num(l.usersNeeded),
    }));
}

/** Off-policy estimates (all users; the store has each segment too) and the offline signals' agreement with the truth online. */
export function opeJson(o: OffPolicy) {
  return {
    logger: o.logger,
    reward_model: o.rewardModel,
    reference: o.reference,
    estimates: o.rows
      .filter((r) => r.segment === 'all')
      .map((r) => ({
        strategy: r.strategy,
        estimator: r.estimator,
        domain: r.domain,
        requests: r.requests,
        identified: r.identified,
        value: num(r.value),
        se: num(r.se),
        ci_low: num(r.ciLow),
        ci_high: num(r.ciHigh),
        true_value: num(r.trueValue),
        relative_error: num(r.relativeError),
        covered: r.covered,
        lift: num(r.lift),
        lift_low: num(r.liftLow),
        lift_high: num(r.liftHigh),
        true_lift: num(r.trueLift),
        online_true_lift: num(r.onlineTrueLift),
        ess: num(r.ess),
        ess_share: num(r.essShare),
        max_weight: num(r.maxWeight),
        item_deficiency: r.itemDeficiency,
        position_deficiency: r.positionDeficiency,
        threshold: r.threshold === Infinity ? 'none' : num(r.threshold),
      })),
    offline_online: o.consistency.signals.map((c) => ({
      domain: c.domain,
      signal: c.signal,
      strategies: c.strategies,
      tau: num(c.tau),
      pair_agreement: num(c.pairAgreement),
      offline_winner: c.offlineWinner,
      online_winner: c.onlineWinner,
      winner_agrees: c.winnerAgrees,
      regret: num(c.regret),
    })),
  };
}

const OPE_COLUMNS = ['dm', 'ipw', 'snipw', 'dr', 'switch-dr', 'iips', 'sips'] as const;

/** Per strategy and domain: the true CTR on the logged test requests beside each estimator's estimate. */
export function opeTable(o: OffPolicy, domains: string[]): string {
  const rows = o.rows.filter((r) => r.segment === 'all' && r.estimator === 'dm');
  const cell = (s: string, d: string, e: string) => {
    const r = o.rows.find((x) => x.strategy === s && x.domain === d && x.segment === 'all' && x.estimator === e)!;
    if (!r.identified && e !== 'dm') return 'not identified';
    if (!Number.isFinite(r.value)) return 'no match';
    // Zero spread from a few matching rows is no measurement (a SIPS of 0 from two clickless matches is not "0.00% ±0.00%").
    if (!(r.se > 0)) return 'no spread';
    return `${pct(r.value)} ±${pct(1.959964 * r.se)}${r.identified ? '' : ' (model only)'}`;
  };
  const ipw = (s: string, d: string) => o.rows.find((x) => x.strategy === s && x.domain === d && x.segment === 'all' && x.estimator === 'ipw')!;
  const body = rows
    .filter((r) => r.domain === 'all' || domains.includes(r.domain))
    .map((r) => [r.strategy, r.domain, pct(r.trueValue), ...OPE_COLUMNS.map((e) => cell(r.strategy, r.domain, e)), pct(ipw(r.strategy, r.domain).essShare)]);
  const deficient = o.rows.some((r) => !r.identified);
  return (
    `off-policy estimates of CTR from the logged test period (logger: ${o.logger}; DM's reward model: ${o.rewardModel}):\n` +
    formatTable(['strategy', 'domain', 'true CTR', ...OPE_COLUMNS.map((e) => e.toUpperCase()), 'IPW ESS'], body) +
    (deficient ? `\nnot identified: the logger never shows part of what the strategy would show, so no estimate from these logs is unbiased for it` : '') +
    (o.rows.some((r) => r.identified && !Number.isFinite(r.value))
      ? `\nno match: no logged slate agrees with the strategy's there (SIPS needs whole slates to match)`
      : '') +
    (o.rows.some((r) => r.identified && Number.isFinite(r.value) && !(r.se > 0) && r.estimator !== 'dm')
      ? `\nno spread: the few logged rows that match agree exactly, so no interval can be formed (not a measured value)`
      : '')
  );
}

/** Each treatment arm's lift per domain: estimated from the logs (DR), by the A/B test, and true. */
export function opeVsAbTable(o: OffPolicy, ab: ReplayResult): string {
  const rows = ab.lifts
    .filter((l) => l.metric === 'ctr' && l.segment === 'all' && o.rows.some((r) => r.domain === l.domain))
    .map((l) => {
      const strategy = ab.arms.find((a) => a.name === l.arm)?.strategy;
      const dr = o.rows.find((r) => r.strategy === strategy && r.domain === l.domain && r.segment === 'all' && r.estimator === 'dr');
      return [
        l.arm,
        l.domain,
        dr && Number.isFinite(dr.lift) ? `${pct(dr.lift)} [${pct(dr.liftLow)}, ${pct(dr.liftHigh)}]` : 'not identified',
        pct(dr?.trueLift ?? NaN),
        `${pct(l.lift)} [${pct(l.ciLow)}, ${pct(l.ciHigh)}]`,
        pct(l.trueLift),
      ];
    });
  return `lift over the control, estimated from the logs before the test (DR) and by the A/B test:\n${formatTable(['arm', 'domain', 'OPE (DR) [95% CI]', 'true (logged requests)', 'A/B [95% CI]', 'true (online)'], rows)}`;
}

/** Per domain and offline signal: Kendall's τ with the true online ordering, and whether its winner wins online. */
export function consistencyTable(o: OffPolicy): string {
  const signals = [...new Set(o.consistency.signals.map((c) => c.signal))];
  const domains = [...new Set(o.consistency.signals.map((c) => c.domain))];
  const body = domains
    .map((domain) => [domain, o.consistency.signals.filter((c) => c.domain === domain)] as const)
    .map(([domain, cs]) => [
      domain,
      cs[0].onlineWinner,
      ...signals.map((sg) => {
        const c = cs.find((x) => x.signal === sg)!;
        if (c.winnerAgrees === null) return 'not identified';
        return `${Number.isFinite(c.tau) ? c.tau.toFixed(2) : '–'} ${c.winnerAgrees ? '✓' : `✗ −${pct(c.regret)}`}`;
      }),
    ]);
  return `which offline signal to trust here (Kendall τ with the true online order; ✓: its winner is the online winner, ✗: the CTR its pick gives up):\n${formatTable(['domain', 'online winner', ...signals], body)}`;
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
export function longTermTable(ab: ReplayResult): string {
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
    ['arm', 'domain', 'metric', 'arm vs control', 'lift [95% CI]', 'true lift', 'covered', 'short-term CTR lift'],
    rows,
  )}`;
}

/** scenario.feedback: per participant and domain, the first and last round's exposure concentration, coverage and true CTR. */
export function feedbackTable(rounds: RunOutcome['feedback']): string {
  if (!rounds.length) return '';
  const keys = [...new Set(rounds.map((r) => `${r.participant}\u0000${r.domain}`))];
  const rows = keys.map((key) => {
    const rs = rounds.filter((r) => `${r.participant}\u0000${r.domain}` === key);
    const [first, last] = [rs[0], rs[rs.length - 1]];
    return [
      first.participant,
      first.kind,
      first.domain,
      rs.map((r) => r.gini.toFixed(3)).join(' → '),
      `${pct(first.coverage)} → ${pct(last.coverage)}`,
      `${pct(first.topShare)} → ${pct(last.topShare)}`,
      `${pct(first.trueCtr)} → ${pct(last.trueCtr)}`,
    ];
  });
  return `feedback loops (${rounds[rounds.length - 1].round} rounds of serve, log, retrain on its own log; static arms serve as trained):\n${formatTable(
    ['participant', 'kind', 'domain', 'exposure Gini by round', 'catalogue coverage', 'top 1% share', 'true CTR'],
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

export function abTable(ab: ReplayResult, off: OfflineResults, domains: string[]): string {
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
    ['arm', 'domain', 'users', 'impressions', 'CTR', 'lift [95% CI]', 'CUPED [95% CI]', 'p', 'true lift', 'covered', 'AUC'],
    rows as (string | number)[][],
  );
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, COMMANDS.run.flags, COMMANDS.run.positionals);
  const workers = workersFlag('run', values.workers);
  const seed = seedFlag('run', values.seed);
  const salt = seedFlag('run', values.salt, 'salt');
  const grade = intFlag('run', 'grade', values.grade, 1, 10_000);
  const db = checkOutputPath('run', 'db', values.db ?? DEFAULT_DB);
  const policyOut = values['policy-out'] ? checkOutputDir('run', 'policy-out', values['policy-out']) : undefined;
  const scenario = loadScenarioFile(positionals[0]);
  const log = values.json ? () => {} : plainLogger(process.stderr);
  const handle = newHandle(db);
  return withCancellation(handle, async () => {
    const o = await executeRun(
      {
        scenario,
        seed,
        salt,
        grade,
        strategies: listFlag(values.strategies),
        arms: listFlag(values.arms),
        control: values.control,
        aa: values.aa,
        db,
        backend: values.backend,
        report: !values['no-report'],
        workers,
        policyOut,
      },
      log,
      handle,
    );
    const w = o.inputs.world;
    if (values.json) {
      const off = offlineJson(o.offline);
      process.stdout.write(
        JSON.stringify({
          run_id: o.runId,
          db,
          report: o.reportPath,
          scenario: scenario.name,
          seed: o.seed,
          salt: o.salt,
          backend: o.backend,
          fingerprint: w.fingerprint,
          stages: o.stages,
          wall_seconds: o.wallSeconds,
          peak_rss_mb: o.peakRssMb,
          offline: off.strategies,
          oracle: off.oracle,
          ab: abJson(o.ab),
          feedback: o.feedback.map((r) => ({
            participant: r.participant,
            kind: r.kind,
            round: r.round,
            domain: r.domain,
            impressions: r.impressions,
            coverage: num(r.coverage),
            gini: num(r.gini),
            top_share: num(r.topShare),
            true_ctr: num(r.trueCtr),
            clicks: r.clicks,
          })),
          long_term: o.ab.longTerm.map((l) => ({
            arm: l.arm,
            control: l.control,
            domain: l.domain,
            metric: l.metric,
            users: l.users,
            control_users: l.controlUsers,
            per_user: num(l.perUser),
            control_per_user: num(l.controlPerUser),
            lift: num(l.lift),
            ci_low: num(l.ciLow),
            ci_high: num(l.ciHigh),
            p_value: num(l.pValue),
            true_lift: num(l.trueLift),
            covered: l.covered,
          })),
          srm: { users: o.ab.srm.users, chi2: o.ab.srm.chi2, p_value: o.ab.srm.pValue, max_user_share: o.ab.srm.maxUserShare },
          decisions: decisionsJson(o.decisions),
          power: powerJson(o.ab, o.rules),
          warnings: warnings(o.ab, o.decisions),
          ope: opeJson(o.ope),
          grades: o.grades.map((g) => ({
            domain: g.domain,
            method: g.method,
            assignments: g.assignments,
            ship: g.ship,
            keep: g.keep,
            not_enough_data: g.notEnoughData,
            unreliable: g.unreliable,
            correct: g.correct,
            false_ship: g.falseShip,
            missed_win: g.missedWin,
            true_return: num(g.trueReturn),
            oracle_return: num(g.oracleReturn),
            return_share: num(g.returnShare),
            overstatement: num(g.overstatement),
            coverage: num(g.coverage),
            aa_false_positive: num(g.aaFalsePositive),
            interval_width: num(g.intervalWidth),
            variance_reduction: num(g.varianceReduction),
            mean_look: num(g.meanLook),
          })),
        }) + '\n',
      );
    } else {
      for (const w of warnings(o.ab, o.decisions)) process.stdout.write(`warning: ${w}\n`);
      process.stdout.write(
        `${opeTable(o.ope, w.layout.domains)}\n\n${consistencyTable(o.ope)}\n\n${abTable(o.ab, o.offline, w.layout.domains)}\n\n${o.ab.longTerm.length ? `${longTermTable(o.ab)}\n\n` : ''}${o.feedback.length ? `${feedbackTable(o.feedback)}\n\n` : ''}${opeVsAbTable(o.ope, o.ab)}\n\n${decisionTable(o.decisions)}\n${o.grades.length ? `\n${gradeTable(o.grades)}\n` : ''}\nsample-ratio check: users per arm ${o.ab.srm.users.join(' / ')}, p = ${Number.isFinite(o.ab.srm.pValue) ? o.ab.srm.pValue.toFixed(3) : '–'}${o.ab.srm.pValue < 0.001 ? '  (MISMATCH)' : ''}\nrun ${o.runId} stored in ${db}${o.reportPath ? `\nreport: ${o.reportPath}` : ''}\n` +
          `time: ${Object.entries(o.stages)
            .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
            .join(', ')}; total ${o.wallSeconds.toFixed(1)} s; peak memory ${Math.round(o.peakRssMb)} MB\n`,
      );
    }
    return 0;
  });
}

// `crossab fit`: a scenario shaped like an imported log, and a measured account of how close it is.
// The fit is by moments, onto the knobs a scenario already has, from the log's first part (by time):
//   domain shares      each domain's share of displays (all arms)
//   catalogues         each domain's items (its side table, else the items its rows show), no overlap
//                      between domains (their item tables are separate), every item a candidate
//   base CTR           the control arm's CTR per domain (OBD's control is uniform: every item equally)
//   position effects   the control arm's CTR per position over position 1's → abtest.positionBias
//   features           each categorical user and item feature's vocabulary, its Zipf skew fitted by
//                      maximum likelihood to the value frequencies, and the domains that log it
// What the log cannot say is set and written down (users: no id, so one request each; the click
// function's shape: the generator's own truth, calibrated to the fitted base CTRs). The rest of the
// log is held out, and the diagnostics compare it with traffic generated from the fitted scenario.
// The stages live in fit/: moments, scenario, arms, diagnostics, page.
import type { Scenario } from '../scenario/schema.js';
import { openDb } from '../store/db.js';
import { logCounts, type LogWindow } from '../store/logs.js';
import type { PolicySpec } from '../scenario/policy.js';
import { generateWorld } from '../world/world.js';
import { fitMoments, scenarioName, type Fitted } from './fit/moments.js';
import { scenarioOf } from './fit/scenario.js';
import { abComparison, armPolicies, policyArmOf, type AbComparison } from './fit/arms.js';
import { diagnose, type Diagnostic, type HeldOutLogLoss } from './fit/diagnostics.js';

export interface FitOutcome {
  fitted: Fitted;
  scenario: Scenario;
  diagnostics: Diagnostic[];
  /** Per domain: the fitted click model's and the constant CTR's log loss on the held-out rows. */
  heldOutLogLoss: HeldOutLogLoss[];
  holdoutRows: number;
  /** The real A/B test beside the same test in the fitted world (empty for a log of one arm). */
  ab: AbComparison[];
}

export async function fitDataset(r: {
  db: string;
  dataset: string;
  name?: string;
  fitShare: number;
  seed: number;
  policies?: { name: string; spec: PolicySpec }[];
}): Promise<FitOutcome> {
  const db = await openDb(r.db, { readOnly: true });
  try {
    const fitted = await fitMoments(db, r.dataset, r.fitShare);
    const all = await logCounts(db, r.dataset, 'all', { arm: null, from: 0, to: fitted.cut });
    const K = fitted.positionBias.length;
    const requests = Math.round(all.reduce((s, x) => s + x.rows, 0) / K);
    const held: LogWindow = { arm: fitted.control, from: fitted.cut, to: fitted.span + 1 };
    const heldAll = await logCounts(db, r.dataset, 'all', held);
    const holdoutRows = heldAll.reduce((s, x) => s + x.rows, 0);
    const arms = await armPolicies(db, r.dataset, fitted, r.policies ?? []);
    const policyArms = arms.map((a) => ({ name: scenarioName(a.name), policy: policyArmOf(a, fitted) }));
    const scenario = scenarioOf(fitted, scenarioName(r.name ?? `${r.dataset}-fit`), r.seed, requests, Math.max(100, Math.round(holdoutRows / K)), policyArms);
    const world = generateWorld(scenario, r.seed);
    const { diagnostics, heldOutLogLoss } = await diagnose(db, r.dataset, fitted, world, held, r.seed);
    const ab = arms.length > 1 ? await abComparison(db, r.dataset, fitted, world, arms, r.seed) : [];
    return { fitted, scenario, diagnostics, heldOutLogLoss, holdoutRows, ab };
  } finally {
    db.close();
  }
}

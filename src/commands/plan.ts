import { basename } from 'node:path';
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { DEFAULT_DECISION_RULES } from '../scenario/blocks.js';
import { admit } from '../experiment/budget.js';
import { planTest } from '../abtest/plan.js';
import { formatTable } from '../util/table.js';
import { generateWorld } from '../world/world.js';
import { intFlag, parse, seedFlag } from './args.js';
import { COMMANDS } from './specs.js';
import { percent } from '../util/format.js';

const pct = (x: number) => percent(x, 1);
const count = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '–');
const num = (x: number) => (Number.isFinite(x) ? x : null);

export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse('plan', argv, COMMANDS.plan.flags, COMMANDS.plan.positionals);
  const seed = seedFlag('plan', values.seed);
  const scenario = loadScenarioFile(positionals[0]);
  const arms = intFlag('plan', 'arms', values.arms, 2, 100) ?? scenario.abtest?.arms.length ?? 2;
  const rules = scenario.abtest?.decisions ?? DEFAULT_DECISION_RULES;
  admit(scenario, { strategies: [], arms: 0, copies: 1, workers: 0, backend: null }, basename(positionals[0]));
  const world = generateWorld(scenario, seed ?? scenario.seed);
  const p = planTest(world, arms, rules, world.seed);
  if (values.json) {
    process.stdout.write(
      JSON.stringify({
        scenario: scenario.name,
        seed: world.seed,
        arms: p.arms,
        pilot_requests: p.pilotRequests,
        test_requests: p.testRequests,
        history_requests: p.historyRequests,
        projected: p.projected,
        family: p.family,
        alpha_per_test: p.alpha,
        power: rules.power,
        min_lift: rules.minLift,
        domains: p.domains.map((d) => ({
          domain: d.domain,
          tail: d.tail,
          users_per_arm: d.usersPerArm,
          impressions_per_arm: d.impressionsPerArm,
          ctr: num(d.ctr),
          effective_users: d.effectiveUsers,
          mde: num(d.mde),
          cuped_mde: num(d.cupedMde),
          variance_reduction: num(d.varianceReduction),
          power_at_min_lift: num(d.power),
          cuped_power_at_min_lift: num(d.cupedPower),
          users_needed: num(d.usersNeeded),
          cuped_users_needed: num(d.cupedUsersNeeded),
          sequential_users_needed: num(d.sequentialUsersNeeded),
          traffic_multiple: num(d.trafficMultiple),
          request_variance: num(d.requestVariance),
          user_variance: num(d.userVariance),
        })),
      }) + '\n',
    );
    return 0;
  }
  const lines = [
    `plan for ${scenario.name} (seed ${world.seed}): ${p.arms} arms, ${p.testRequests.toLocaleString('en')} test requests; sized on the last ${p.pilotRequests.toLocaleString('en')} logged requests as an A/A pilot`,
    `each of ${p.family} primary tests at α ${p.alpha.toPrecision(2)} (${rules.alpha} with ${rules.correction}), power ${rules.power}; the lift worth shipping: ${pct(rules.minLift)}`,
    '',
    formatTable(
      [
        'domain',
        'users/arm',
        'CTR',
        'detectable lift',
        'with CUPED',
        'variance removed',
        `power at +${pct(rules.minLift)}`,
        'users needed (CUPED)',
        'sequential',
        'traffic',
      ],
      p.domains.map((d) => [
        `${d.domain}${d.tail ? ' (tail)' : ''}`,
        count(d.usersPerArm),
        pct(d.ctr),
        pct(d.mde),
        pct(d.cupedMde),
        pct(d.varianceReduction),
        pct(d.cupedPower),
        count(d.cupedUsersNeeded),
        count(d.sequentialUsersNeeded),
        Number.isFinite(d.trafficMultiple) ? `×${d.trafficMultiple.toFixed(1)}` : '–',
      ]),
    ),
    '',
    'assumes the arms change the CTR level but not its per-user variability; users needed are for both arms of one comparison',
  ];
  if (p.projected)
    lines.push(
      `the test is ${(p.testRequests / p.pilotRequests).toFixed(1)}× as long as the pilot: its users return, so its noise is projected from the pilot's per-request and per-user variance to the requests each user makes in the test (drawn by the traffic model)${p.historyRequests === 0 ? "; no history precedes the pilot, so CUPED's reduction cannot be sized here" : "; CUPED keeps the pilot's share of variance removed"}`,
    );
  else if (p.historyRequests === 0)
    lines.push('the test is as long as the logs, so no history precedes the pilot and CUPED cannot be sized here (it will use the whole log in the test)');
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

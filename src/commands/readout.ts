import { loadPolicy } from '../scenario/policy.js';
import { readLog, type LogReadout } from '../logs/readout.js';
import { DEFAULT_DB } from '../store/location.js';
import { UserError } from '../util/errors.js';
import { formatTable } from '../util/table.js';
import { listFlag, parse } from './args.js';
import { COMMANDS } from './specs.js';
import { confidenceLevel, signedPercent as pct } from '../util/format.js';
import { mdeOf } from '../abtest/evidence.js';

const rate = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(3)}%` : '–');
const METHODS = ['plain', 'cuped', 'sequential'] as const;

export async function readout(argv: string[]): Promise<number> {
  const { values, positionals } = parse('readout', argv, COMMANDS.readout.flags, COMMANDS.readout.positionals);
  const method = values.method;
  if (method !== undefined && !(METHODS as readonly string[]).includes(method))
    throw new UserError(`readout: --method must be one of ${METHODS.join(', ')}, got '${method}'`);
  const policies = (listFlag(values.policy) ?? []).map((path) => ({ name: path, spec: loadPolicy(path) }));
  const r = await readLog({
    db: values.db ?? DEFAULT_DB,
    dataset: positionals[0],
    method: method as (typeof METHODS)[number] | undefined,
    policies,
    from: values.from,
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(r, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
    return 0;
  }
  process.stdout.write(text(r) + '\n');
  return 0;
}

function text(r: LogReadout): string {
  const control = r.ab.control;
  const lines = [
    `dataset ${r.dataset}: A/B test read by ${r.rules.method} (α ${r.rules.alpha}, power ${r.rules.power}, smallest lift worth shipping ${pct(r.rules.minLift)}, ${r.rules.correction} across domains)`,
    `unit: ${r.noun} — ${r.assumes}`,
    r.splitKnown ? '' : "the mapping gives no configured split: the sample-ratio check compares each domain's split with the whole log's",
    r.hasConversions ? '' : 'the log has no conversions: decisions rest on clicks alone (no conversion guardrail)',
    '',
    formatTable(
      ['domain', 'arm', r.noun, 'clicks', 'CTR'],
      r.ab.results.map((x) => [x.domain, x.arm + (x.arm === control ? ' (control)' : ''), x.impressions, x.clicks, rate(x.ctr)]),
    ),
    '',
    formatTable(
      ['domain', 'arm', 'lift', `${confidenceLevel(r.rules.alpha)} interval`, 'p (adjusted)', 'MDE', 'decision', 'why'],
      r.decisions.map((d) => {
        const l = r.ab.lifts.find((x) => x.domain === d.domain && x.metric === 'ctr' && x.segment === 'all')!;
        return [
          d.domain,
          l.arm,
          pct(d.lift),
          `[${pct(d.ciLow)}, ${pct(d.ciHigh)}]`,
          Number.isFinite(d.pAdjusted) ? d.pAdjusted.toFixed(3) : '–',
          pct(mdeOf(l, r.rules.method)),
          d.decision + (d.arm ? `: ${d.arm}` : ''),
          d.reason,
        ];
      }),
    ),
  ];
  if (r.rules.method === 'sequential' || r.ab.looks.length > 1) {
    lines.push('', `sequential looks (one a day, always-valid ${confidenceLevel(r.rules.alpha)} confidence sequence on the CTR lift):`);
    const cells = r.ab.looks.flatMap((look, k) =>
      look.cells
        .filter((c) => c.metric === 'ctr')
        .map((c) => [
          r.lookTimes[k].slice(0, 10),
          c.domain,
          c.arm,
          look.users,
          pct(c.lift),
          `[${pct(c.seqCiLow)}, ${pct(c.seqCiHigh)}]`,
          Number.isFinite(c.seqPAdjusted) ? c.seqPAdjusted.toFixed(3) : '–',
        ]),
    );
    lines.push(formatTable(['day', 'domain', 'arm', `${r.noun} so far`, 'lift', 'sequence', 'p (always valid)'], cells));
  }
  if (r.counterfactual.length) {
    lines.push('', "off-policy estimates of an arm's CTR from another arm's log, against that arm's own CTR (the truth a real log gives):");
    lines.push(
      formatTable(
        [
          'policy',
          'from',
          'domain',
          'estimator',
          'estimate',
          `${confidenceLevel(r.rules.alpha)} interval`,
          `on-policy CTR [${confidenceLevel(r.rules.alpha)}]`,
          'rel. error',
          'covers',
          'ESS share',
          'max weight',
          'warnings',
        ],
        r.counterfactual.map((c) => [
          c.policy,
          c.from,
          c.domain,
          c.estimator,
          rate(c.value),
          `[${rate(c.ciLow)}, ${rate(c.ciHigh)}]`,
          `${rate(c.onPolicy)} [${rate(c.onPolicyLow)}, ${rate(c.onPolicyHigh)}]`,
          Number.isFinite(c.relativeError) ? `${(100 * c.relativeError).toFixed(1)}%` : '–',
          c.covered === null ? '–' : c.covered ? 'yes' : 'no',
          `${(100 * c.essShare).toFixed(1)}%`,
          c.maxWeight.toFixed(1),
          c.warnings.join(', ') || '–',
        ]),
      ),
    );
    if (r.counterfactual.some((c) => c.warnings.length))
      lines.push(
        'warnings: dominant-weight = one display holds ≥ max(5%, 5/n) of the total weight; propensity-below-1/n = a logged propensity the log is too small to have seen once. Read those rows as not identified.',
      );
  }
  return lines.filter((l, k) => l !== '' || lines[k - 1] !== '').join('\n');
}

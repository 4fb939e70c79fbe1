import { basename } from 'node:path';
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { admit } from '../experiment/budget.js';
import { formatTable } from '../util/table.js';
import { writeBanditParquet, writeParquet } from '../store/export.js';
import { summarise } from '../world/summary.js';
import { generateWorld } from '../world/world.js';
import { checkOutputPath, parse, seedFlag } from './args.js';
import { COMMANDS } from './specs.js';

export async function generate(argv: string[]): Promise<number> {
  const { values, positionals } = parse('generate', argv, COMMANDS.generate.flags, COMMANDS.generate.positionals);
  const seed = seedFlag('generate', values.seed);
  const out = values.out ? checkOutputPath('generate', 'out', values.out, '.parquet') : undefined;
  const bandit = values.bandit ? checkOutputPath('generate', 'bandit', values.bandit, '.parquet') : undefined;
  const scenario = loadScenarioFile(positionals[0]);
  admit(scenario, { strategies: [], arms: 0, copies: 1, extraWorlds: out || bandit ? 1 : 0, workers: 0, backend: null }, basename(positionals[0]));
  const t0 = performance.now();
  const world = generateWorld(scenario, seed ?? scenario.seed);
  const seconds = (performance.now() - t0) / 1000;
  if (out) await writeParquet(world, out);
  if (bandit) await writeBanditParquet(world, bandit);
  const summary = summarise(world);
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...summary, seconds, out: out ?? null, bandit: bandit ?? null }) + '\n');
    return 0;
  }
  const lines = [
    `scenario ${summary.scenario}  seed ${summary.seed}  fingerprint ${summary.fingerprint}`,
    `${summary.impressions} impressions from ${summary.requests} requests, ${summary.users} users, ${summary.items} items; ` +
      `${summary.replayRequests} replay requests; generated in ${seconds.toFixed(2)} s`,
    `users: ${summary.userSegments.heavy} heavy, ${summary.userSegments.tail} tail, ${summary.userSegments.cold} cold start; ` +
      `${(100 * summary.tailUserShare).toFixed(1)}% of training users made 1-3 requests; heavy users make ${(100 * summary.heavyImpressionShare).toFixed(1)}% of training impressions`,
    '',
    formatTable(
      ['domain', 'share', 'impressions', 'CTR', 'CVR', 'train CTR', 'valid CTR', 'test CTR'],
      summary.domains.map((d) => [d.name, d.share, d.impressions, d.ctr, d.cvr, d.byPeriod.train.ctr, d.byPeriod.valid.ctr, d.byPeriod.test.ctr]),
    ),
  ];
  if (out) lines.push('', `wrote ${out}`);
  if (bandit) lines.push(`${out ? '' : '\n'}wrote ${bandit} (bandit feedback, logging policy ${scenario.traffic.loggingPolicy})`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

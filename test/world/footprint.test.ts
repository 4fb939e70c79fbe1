// The world's memory estimate against what generating it really takes (peak RSS of a fresh process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { worldFootprint } from '../../src/world/footprint.js';
import { rawScenario } from '../helpers/scenarios.js';
import { parseScenario } from '../../src/scenario/load.js';

const world = new URL('../../src/world/world.js', import.meta.url).pathname;
const load = new URL('../../src/scenario/load.js', import.meta.url).pathname;

/** Peak RSS of generating the world, less a process that only loaded the same modules. */
function measuredBytes(raw: object): number {
  const script = (
    generate: boolean,
  ) => `const { generateWorld } = await import(${JSON.stringify(world)}); const { parseScenario } = await import(${JSON.stringify(load)});
    const s = parseScenario(${JSON.stringify(raw)}); ${generate ? 'generateWorld(s, 1);' : ''} process.stdout.write(String(process.resourceUsage().maxRSS * 1024));`;
  const rss = (generate: boolean) => Number(spawnSync(process.execPath, ['--input-type=module', '-e', script(generate)], { encoding: 'utf8' }).stdout);
  return rss(true) - rss(false);
}

test('the world footprint estimate is within 0.7-1.6x of the memory generation takes, at 10x the traffic or the users', () => {
  const variants: [string, (r: Record<string, any>) => void][] = [
    [
      'requests x10',
      (r) => {
        r.traffic.requests = 200_000;
      },
    ],
    [
      'users x100',
      (r) => {
        r.users.count = 150_000;
      },
    ],
  ];
  for (const [label, patch] of variants) {
    const raw = rawScenario('tiny');
    patch(raw);
    const estimate = worldFootprint(parseScenario(raw)).worldBytes;
    const measured = measuredBytes(raw);
    const ratio = estimate / measured;
    process.stdout.write(`# ${label}: estimate ${(estimate / 2 ** 20).toFixed(0)} MB, measured ${(measured / 2 ** 20).toFixed(0)} MB\n`);
    assert.ok(ratio > 0.7 && ratio < 1.6, `${label}: estimate/measured = ${ratio.toFixed(2)}`);
  }
});

import { headTail } from './helpers/worlds.js';
import { offlineOverSeeds, metric, paired } from './helpers/offline.js';
const strategies = ['separate', 'shared-bottom', 'mmoe', 'ple'];
for (const p of [1, 0.3]) {
  const t0 = performance.now();
  const res = await offlineOverSeeds(headTail(p, 0.05, 30000), strategies, [1, 2, 3]);
  for (const s of [...strategies, 'oracle', 'constant']) {
    console.log(p, s.padEnd(14), 'tail', res.map((r) => metric(r, s, 'domain', 'tail').toFixed(3)).join(' '), ' head', res.map((r) => metric(r, s, 'domain', 'head').toFixed(3)).join(' '));
  }
  console.log('secs', ((performance.now() - t0) / 1000).toFixed(1));
}

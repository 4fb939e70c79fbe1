// The literature's claims, reproduced on small seeded worlds. Effect sizes were measured first
// (3 seeds each, figures in the comments); thresholds sit well inside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headTail, personalTaste } from '../helpers/worlds.js';
import { mean, metric, offlineOverSeeds, paired } from '../helpers/offline.js';
import { selectBackend } from '../../src/tf/backend.js';
import { prepare } from '../../src/pipeline.js';
import { fitStrategy } from '../../src/train/trainer.js';
import { strategy } from '../../src/strategies/registry.js';
import { auc } from '../../src/evaluate/auc.js';
import type { MamlModel } from '../../src/strategies/maml.js';

const SEEDS = [1, 2, 3];
const tailAuc = (s: string) => (r: Parameters<typeof metric>[0]) => metric(r, s, 'domain', 'tail');

test('related domains (correlation 1), tail at 5%: sharing beats separate models on the tail domain; shared-bottom ≈ MMoE', async () => {
  const res = await offlineOverSeeds(headTail(1, 0.05, 30000), ['separate', 'shared-bottom', 'mmoe', 'ple'], SEEDS);
  // Measured: shared-bottom +0.086, MMoE +0.084, PLE +0.090 over separate on the tail.
  for (const s of ['shared-bottom', 'mmoe', 'ple']) {
    const d = paired(res, tailAuc(s), tailAuc('separate'));
    assert.ok(d.mean > 0.03, `${s} − separate on tail: ${d.mean.toFixed(4)} (${d.diffs.map((x) => x.toFixed(3))})`);
  }
  // Measured: MMoE − shared-bottom ≈ +0.001 on the tail, +0.005 on the head.
  const dt = paired(res, tailAuc('mmoe'), tailAuc('shared-bottom'));
  assert.ok(Math.abs(dt.mean) < 0.02, `MMoE vs shared-bottom on tail at p=1: ${dt.mean.toFixed(4)}`);
});

test('unrelated domains (correlation 0.3), tail at 5%: MMoE and PLE keep the tail better than shared-bottom (negative transfer)', async () => {
  const res = await offlineOverSeeds(headTail(0.3, 0.05, 30000), ['separate', 'shared-bottom', 'mmoe', 'ple'], SEEDS);
  // Measured: MMoE − shared-bottom +0.036, PLE − shared-bottom +0.018; separate − shared-bottom +0.037.
  const mm = paired(res, tailAuc('mmoe'), tailAuc('shared-bottom'));
  const pl = paired(res, tailAuc('ple'), tailAuc('shared-bottom'));
  assert.ok(mm.mean > 0.01, `MMoE − shared-bottom: ${mm.mean.toFixed(4)} (${mm.diffs.map((x) => x.toFixed(3))})`);
  assert.ok(pl.mean > 0.0, `PLE − shared-bottom: ${pl.mean.toFixed(4)} (${pl.diffs.map((x) => x.toFixed(3))})`);
  const sep = paired(res, tailAuc('separate'), tailAuc('shared-bottom'));
  assert.ok(sep.mean > 0, `separate − shared-bottom at p=0.3: ${sep.mean.toFixed(4)}`);
  // On the data-rich head domain every strategy is within 0.02 of the others.
  const head = ['separate', 'shared-bottom', 'mmoe', 'ple'].map((s) => mean(res.map((r) => metric(r, s, 'domain', 'head'))));
  assert.ok(Math.max(...head) - Math.min(...head) < 0.02, `head spread ${head}`);
});

test('MAML adaptation helps users with strong personal taste and history, and does not hurt cold-start users', async () => {
  await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
  const strong: number[] = [];
  const cold: number[] = [];
  for (const seed of SEEDS) {
    const s = personalTaste();
    const p = await prepare(s, seed);
    const t = await fitStrategy(strategy('maml'), p.ds, p.split, p.history, s.training, seed);
    const w = p.world;
    const L = w.truth.dim;
    const norm = (u: number) => Math.hypot(...w.truth.idio.subarray(u * L, (u + 1) * L));
    const median = Array.from({ length: w.users.count }, (_, u) => norm(u)).sort((a, b) => a - b)[w.users.count >> 1];
    const historyBefore = (r: number) => {
      const u = p.ds.user[r];
      let c = 0;
      for (let j = p.history.start[u]; j < p.history.start[u + 1]; j++) if (p.ds.time[p.history.rows[j]] < p.ds.time[r]) c++;
      return c;
    };
    const strongRows = Int32Array.from(Array.from(p.split.test).filter((r) => norm(p.ds.user[r]) > median && historyBefore(r) >= s.training.maml.support));
    const coldRows = Int32Array.from(Array.from(p.split.test).filter((r) => w.userSegment[p.ds.user[r]] === 2));
    const adapted = t.predict(p.split.test).click;
    (t.model as MamlModel).adaptation = false;
    const frozen = t.predict(p.split.test).click;
    strong.push(auc(adapted, p.ds.click, strongRows) - auc(frozen, p.ds.click, strongRows));
    cold.push(auc(adapted, p.ds.click, coldRows) - auc(frozen, p.ds.click, coldRows));
    t.dispose();
  }
  // Measured: +0.004, +0.008, +0.022 on strong-taste users; +0.013, −0.001, −0.005 on cold-start users.
  assert.ok(mean(strong) > 0.004, `adaptation gain on strong-taste users: ${strong.map((x) => x.toFixed(4))}`);
  assert.ok(mean(cold) > -0.01, `adaptation effect on cold-start users: ${cold.map((x) => x.toFixed(4))}`);
});

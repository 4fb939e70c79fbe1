// Training on worker threads gives the same numbers as training in one thread, also when a worker
// whose heap grew large is replaced between tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainingPool, trainAll } from '../../src/train/parallel.js';
import { RANK_IN_PARTS_AT, rankingParts } from '../../src/train/replay-slates.js';
import { REPLAY_CHUNK } from '../../src/world/world.js';
import { selectBackend } from '../../src/tf/backend.js';
import type { ProgressEvent } from '../../src/util/events.js';
import { trainingInputs } from '../../src/data/inputs.js';
import { generateWorld } from '../../src/world/world.js';
import { scenario, scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

test('run with 2 workers equals run with 1: offline metrics, A/B readout and stored rows to the last digit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-par-'));
  const out = (workers: string) => {
    const r = crossab([
      'run',
      scenarioPath('tiny'),
      '--json',
      '--no-report',
      '--workers',
      workers,
      '--db',
      join(dir, `w${workers}.duckdb`),
      '--strategies',
      'separate,shared-bottom,mmoe,maml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    for (const k of ['run_id', 'db', 'stages', 'wall_seconds', 'peak_rss_mb']) delete o[k];
    return o;
  };
  const serial = out('1');
  const parallel = out('2');
  assert.ok(Object.keys(serial.offline).length === 4);
  assert.deepEqual(parallel, serial);
});

test('--workers takes a whole number from 1 to 64', () => {
  for (const bad of ['0', 'two', '65']) {
    const r = crossab(['train', scenarioPath('tiny'), '--workers', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--workers must be/);
  }
});

test('a worker past the heap bound is replaced after its task, and the results are the same as without replacement', async () => {
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.traffic.requests = 1500;
  });
  const p = trainingInputs(generateWorld(s, 3));
  const names = ['separate', 'shared-bottom', 'mmoe'];
  const run = async (recycle: number) => {
    const pool = new TrainingPool(1, 'wasm', recycle);
    try {
      const out = await trainAll(p, names, 3, { workers: 1, backend: 'wasm', candidates: new Set(), pool }, () => {});
      return { replacements: pool.replacements, test: out.map((t) => Array.from(t.test.click.slice(0, 200))) };
    } finally {
      await pool.close();
    }
  };
  const kept = await run(Number.MAX_SAFE_INTEGER);
  const replaced = await run(1);
  assert.equal(kept.replacements, 0);
  assert.equal(replaced.replacements, names.length);
  assert.deepEqual(replaced.test, kept.test);
});

test('a streamed replay that dwarfs the logs is ranked in parts on every worker; the slates equal one worker ranking it whole', async () => {
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.traffic.requests = 1500;
    r.traffic.replayRequests = 2 * REPLAY_CHUNK + 500;
    r.traffic.streamReplay = true;
  });
  await selectBackend('wasm');
  const p = trainingInputs(generateWorld(s, 4));
  assert.equal(rankingParts(p, {}, 2), 2, `${s.traffic.replayRequests} replay requests, over ${RANK_IN_PARTS_AT}× the logs`);
  assert.equal(rankingParts(p, { shard: { index: 0, count: 3 } }, 2), 1, 'a shard of a run is ranked whole by its worker');
  assert.equal(rankingParts(trainingInputs(generateWorld(scenario('tiny'), 4)), {}, 2), 1, 'a held replay is scored, not ranked');
  const names = ['separate', 'shared-bottom'];
  const slatesOf = async (workers: number) => {
    const events: ProgressEvent[] = [];
    const out = await trainAll(p, names, 4, { workers, backend: 'wasm', candidates: new Set(names) }, (e) => events.push(e));
    return { out, events };
  };
  const whole = await slatesOf(1);
  const parts = await slatesOf(2);
  for (const [k, name] of names.entries()) {
    assert.deepEqual(parts.out[k].slates, whole.out[k].slates, `${name}: the same slates`);
    assert.deepEqual(parts.out[k].slateChunks, whole.out[k].slateChunks);
    assert.deepEqual(parts.out[k].test.click, whole.out[k].test.click, `${name}: the same model`);
  }
  // Each strategy's training is reported once; each part reports its ranking.
  const ends = parts.events.filter((e) => e.type === 'strategy' && e.status === 'end').map((e) => (e as { strategy: string }).strategy);
  assert.deepEqual(ends.sort(), [...names].sort());
  const ranked = parts.events.filter((e) => e.type === 'log' && / \(part [12] of 2\): ranked /.test(e.message));
  assert.ok(ranked.length >= 4, `every part reports its ranking: ${ranked.length}`);
});

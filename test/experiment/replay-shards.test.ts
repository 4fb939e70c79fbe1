// A streamed replay ranked in shards: 1, 2 and 3 shards give the same run to the last digit, and a
// merge refuses shards that are missing, of another world or cut short — in one line, storing nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { rawScenario, scenario as shippedScenario } from '../helpers/scenarios.js';
import { mergeShards, parseReplayShard, shardIdentity, type ShardHeader, writeShard } from '../../src/experiment/replay-shards.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-shards-'));
const scenario = join(dir, 'tiny-sharded.json');
const s = rawScenario('tiny');
// Three chunks of 16,384 requests, streamed; the two arms and one strategy that is no arm (a shard
// trains the arms only, the merging run all three: the arms' models must be the same either way).
s.traffic.replayRequests = 40_000;
s.traffic.streamReplay = true;
s.strategies = ['separate', 'shared-bottom', 'id-feature'];
writeFileSync(scenario, JSON.stringify(s));

/** The run's JSON without what differs between any two runs (ids, paths, timings, memory). */
function runOf(args: string[]) {
  const r = crossab(['run', scenario, '--json', '--no-report', '--workers', '1', '--backend', 'wasm', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ['run_id', 'db', 'stages', 'wall_seconds', 'peak_rss_mb', 'report']) delete j[k];
  return j;
}

function rank(count: number): string {
  const out = join(dir, `shards-${count}-7`);
  for (let k = 0; k < count; k++) {
    const r = crossab(['run', scenario, '--replay-shard', `${k}/${count}`, '--replay-dir', out, '--workers', '1', '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^shard ${k}/${count}: ranked ${k === 0 ? (count === 2 ? 2 : 1) : 1} of the replay's 3 chunks`));
  }
  return out;
}

test('1, 2 and 3 shards give the same decisions and numbers to the last digit; a shard stores nothing', () => {
  const one = runOf(['--db', join(dir, 'one.duckdb')]);
  for (const count of [2, 3]) {
    const shards = rank(count);
    assert.deepEqual(
      readdirSync(shards).sort(),
      Array.from({ length: count }, (_, k) => `replay-${k}-of-${count}.slates`),
    );
    const merged = runOf(['--db', join(dir, `merged-${count}.duckdb`), '--replay-from', shards]);
    assert.deepEqual(merged, one, `${count} shards`);
  }
  assert.ok(one.decisions.length === 3 && one.ab.some((r: { lift: number }) => Number.isFinite(r.lift)), 'the compared runs hold a readout');
  assert.ok(!existsSync(join(dir, 'crossab.duckdb')), 'the shards opened no store');
});

test('a merge refuses a missing shard, a shard of another seed, and a file cut short: one line, exit 2, no store (after the first test: it reuses its shards)', () => {
  const refuse = (from: string, want: RegExp) => {
    const db = join(dir, `refused-${Math.random()}.duckdb`);
    const r = crossab(['run', scenario, '--no-report', '--workers', '1', '--backend', 'wasm', '--db', db, '--replay-from', from]);
    assert.equal(r.code, 2, r.stderr);
    // Progress goes to stderr too; the refusal is one line of its own.
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('crossab:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], want);
    assert.ok(!existsSync(db), 'nothing stored');
  };
  const folder = (name: string, files: [string, string][]) => {
    mkdirSync(join(dir, name));
    for (const [from, f] of files) copyFileSync(join(dir, from, f), join(dir, name, f));
    return join(dir, name);
  };
  // Shard 0 of the seed-7 shards the first test ranked, beside a shard 1 ranked for seed 3.
  const partial = folder('partial', [['shards-2-7', 'replay-0-of-2.slates']]);
  crossab(['run', scenario, '--replay-shard', '1/2', '--replay-dir', partial, '--workers', '1', '--backend', 'wasm', '--seed', '3']);
  refuse(partial, /replay-1-of-2\.slates was ranked with seed 3, this run has 7/);
  refuse(folder('missing', [['shards-3-7', 'replay-1-of-3.slates']]), /shards 0, 2 of 3 not in .*missing/);
  const cut = folder('cut', [
    ['shards-2-7', 'replay-0-of-2.slates'],
    ['shards-2-7', 'replay-1-of-2.slates'],
  ]);
  truncateSync(join(cut, 'replay-1-of-2.slates'), 5000);
  refuse(cut, /replay-1-of-2\.slates: holds \d+ bytes of slates, its header says \d+ \(a file cut short\?\)/);
  refuse(join(dir, 'nowhere'), /--replay-from: .*nowhere does not exist/);
  const r = crossab(['run', scenario, '--replay-shard', '0/2', '--replay-dir', join(dir, 'x'), '--grade', '5']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /a shard only ranks; --grade belongs to the run that merges/);
});

test('the shards put back in request order: chunks interleaved by shard come out as one ranked replay would hold them', () => {
  const out = mkdtempSync(join(tmpdir(), 'crossab-shard-unit-'));
  const id = { version: 'v', scenario: 's', seed: 1, fingerprint: 'f', backend: 'wasm', strategies: ['a', 'b'] };
  // Five chunks of 3, 2, 4, 1 and 2 slots; three shards own chunks {0, 3}, {1, 4}, {2}.
  const slots = [3, 2, 4, 1, 2];
  const whole = (base: number) => Uint16Array.from({ length: 12 }, (_, k) => base + k);
  const starts = slots.map((_, c) => slots.slice(0, c).reduce((a, b) => a + b, 0));
  for (let k = 0; k < 3; k++) {
    const mine = slots.map((n, c) => (c % 3 === k ? n : 0));
    const pick = (w: Uint16Array) => Uint16Array.from(mine.flatMap((n, c) => (n ? Array.from(w.subarray(starts[c], starts[c] + n)) : [])));
    const header: ShardHeader = { ...id, index: k, count: 3, chunks: mine };
    writeShard(
      out,
      header,
      new Map([
        ['a', pick(whole(0))],
        ['b', pick(whole(100))],
      ]),
    );
  }
  const merged = mergeShards(out, id);
  assert.deepEqual(Array.from(merged.get('a')!), Array.from(whole(0)));
  assert.deepEqual(Array.from(merged.get('b')!), Array.from(whole(100)));
  assert.throws(() => mergeShards(out, { ...id, strategies: ['b', 'a'] }), /ranked the arms a, b, this run's are b, a/);
  assert.throws(() => mergeShards(out, { ...id, fingerprint: 'g' }), /with fingerprint f, this run has g/);
  // Shards ranked with the fused kernels are another engine: their slates may differ in a tie.
  assert.throws(() => mergeShards(out, { ...id, backend: 'wasm-fma' }), /with backend wasm, this run has wasm-fma/);
  assert.deepEqual(parseReplayShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1', 'a/b', '0/0']) assert.throws(() => parseReplayShard(bad), /--replay-shard/);
});

test("a shard's identity: this build, the engine it ranked on, and each arm's model once (a policy without a model adds none)", () => {
  const s = shippedScenario('tiny', (raw) => {
    raw.abtest.policies = { hot: { kind: 'explore', strategy: 'star', temperature: 1 }, rnd: { kind: 'uniform' } };
  });
  const id = shardIdentity(s, 3, 'f', 'wasm-fma', [{ strategy: 'star' }, { strategy: 'hot' }, { strategy: 'rnd' }, { strategy: 'mmoe' }]);
  assert.deepEqual(
    { ...id, version: id.version.length > 0 },
    { version: true, scenario: 'tiny', seed: 3, fingerprint: 'f', backend: 'wasm-fma', strategies: ['star', 'mmoe'] },
  );
});

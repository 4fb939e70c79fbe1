// Which shard a process is (the flag, else a batch engine’s array index) and which units are its.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardOf, unitsOfShard } from '../../src/sweep/shard.js';

test('shardOf: --shard I/N, else the batch engines’ array indexes; bad shards are refused', () => {
  assert.deepEqual(shardOf('2/5', undefined, {}), { index: 2, count: 5 });
  assert.deepEqual(shardOf(undefined, '4', { JOB_COMPLETION_INDEX: '3' }), { index: 3, count: 4 });
  assert.deepEqual(shardOf(undefined, undefined, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '10' }), {
    index: 6,
    count: 10,
  });
  assert.deepEqual(shardOf(undefined, '8', { AWS_BATCH_JOB_ARRAY_INDEX: '0' }), { index: 0, count: 8 });
  assert.deepEqual(shardOf(undefined, undefined, {}), { index: 0, count: 1 });
  for (const [flag, count, env] of [
    ['5/5', undefined, {}],
    ['1-3', undefined, {}],
    [undefined, '3', {}],
    [undefined, '2', { JOB_COMPLETION_INDEX: 'x' }],
    [undefined, undefined, { JOB_COMPLETION_INDEX: '1' }],
  ] as const)
    assert.throws(() => shardOf(flag, count, env), /sweep:/, `${flag} ${count} ${JSON.stringify(env)}`);
  const units = Array.from({ length: 7 }, (_, k) => ({ key: String(k), scenario: 's', seed: k }));
  const all = [0, 1, 2].flatMap((i) => unitsOfShard(units, i, 3).map((u) => u.key));
  assert.deepEqual(all.sort(), units.map((u) => u.key).sort(), 'every unit in exactly one shard');
});

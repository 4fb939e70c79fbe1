// The shared blocks, each against its formula written with plain tfjs ops: a variable's starting
// values depend on the run seed and its name only (not on what was created before it); a shapes-only
// Params allocates nothing; Dense, MLP, Tower, Gate, the expert mix and the expert bank compute what
// their comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { applyExperts, Dense, DomainEmbedding, Gate, levelExperts, mixExperts, MLP, Params, Tower } from '../../src/models/blocks.js';
import { assertClose } from '../helpers/models.js';

const x = () => tf.randomNormal([6, 5], 0, 1, 'float32', 4) as tf.Tensor2D;

test('Params: starting values come from the seed and the name alone; a scope prefixes the name; shapes-only allocates nothing', async () => {
  await selectBackend('wasm');
  const a = new Params(7);
  const first = a.he('layer/w', [5, 3]);
  const b = new Params(7);
  b.glorot('something/else', [4, 4]);
  const again = b.he('layer/w', [5, 3]);
  assert.deepEqual(again.dataSync(), first.dataSync(), 'same seed and name: same values, whatever came first');
  assert.notDeepEqual(new Params(8).he('layer/w', [5, 3]).dataSync(), first.dataSync(), 'another seed: other values');
  const limit = Math.sqrt(6 / 5);
  assert.ok(
    first.dataSync().every((v) => Math.abs(v) <= limit),
    'He-uniform within ±√(6 / fan-in)',
  );
  const scoped = new Params(7).scope('layer');
  assert.deepEqual(scoped.he('w', [5, 3]).dataSync(), first.dataSync(), 'scope("layer") + "w" is "layer/w"');
  const state = a.constant('moving', [2], 3, false);
  assert.ok(a.state.includes(state) && !a.list.includes(state), 'a non-trainable variable is state, not trained');
  const before = tf.memory().numTensors;
  const shapes = new Params(7, '', true);
  const v = shapes.he('big', [1000, 1000]);
  assert.equal(tf.memory().numTensors, before, 'shapes-only: no tensor');
  assert.equal(v.size, 1e6);
  assert.deepEqual(v.shape, [1000, 1000]);
});

test('Dense is act(x·W + b); MLP chains them, ReLU after every layer but a linear last when asked; Tower ends in one logit per row at its prior', async () => {
  await selectBackend('wasm');
  const p = new Params(3);
  const input = x();
  const d = new Dense(p, 'd', 5, 4);
  d.b.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
  assertClose(d.apply(input).dataSync(), tf.relu(tf.add(tf.matMul(input, d.w), d.b)).dataSync(), 'relu dense');
  const lin = new Dense(p, 'lin', 5, 2, 'linear');
  assertClose(lin.apply(input).dataSync(), tf.add(tf.matMul(input, lin.w), lin.b).dataSync(), 'linear dense');
  const mlp = new MLP(p, 'mlp', 5, [4, 3], 'linear');
  assert.equal(mlp.outDim, 3);
  const [l0, l1] = mlp.layers;
  const want = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(input, l0.w), l0.b)), l1.w), l1.b);
  assertClose(mlp.apply(input).dataSync(), want.dataSync(), 'MLP with a linear last layer');
  const prior = -2.5;
  const tower = new Tower(p, 't', 5, [4], prior);
  const out = tower.apply(input);
  assert.deepEqual(out.shape, [6]);
  assert.deepEqual(Array.from(tower.head.b.dataSync()), [prior], 'the head starts at the prior logit');
  const h = tf.relu(tf.add(tf.matMul(input, tower.mlp.layers[0].w), tower.mlp.layers[0].b));
  assertClose(out.dataSync(), tf.reshape(tf.add(tf.matMul(h, tower.head.w), tower.head.b), [-1]).dataSync(), 'tower');
});

test('Gate is a softmax over n experts; mixExperts is Σ_k gate[:, k]·expert_k; the bank gives what each expert alone gives', async () => {
  await selectBackend('wasm');
  const p = new Params(5);
  const input = x();
  const gate = new Gate(p, 'g', 5, 3);
  const g = gate.apply(input);
  assert.deepEqual(g.shape, [6, 3]);
  const sums = tf.sum(g, 1).dataSync();
  assert.ok(
    sums.every((s) => Math.abs(s - 1) < 1e-6),
    'each row sums to 1',
  );
  const experts = [0, 1, 2].map((k) => new MLP(p, `e${k}`, 5, [4, 2]));
  const outs = experts.map((e) => e.apply(input));
  const want = outs.reduce((acc, e, k) => tf.add(acc, tf.mul(e, tf.slice(g, [0, k], [-1, 1]))), tf.zeros([6, 2]));
  assertClose(mixExperts(g, outs).dataSync(), want.dataSync(), 'the mix');
  const banked = applyExperts(experts, input);
  banked.forEach((b, k) => assertClose(b.dataSync(), outs[k].dataSync(), `expert ${k} in the bank`));
  // On a first level every expert reads the features; domain experts come back per domain, then the shared ones.
  const level = levelExperts([[experts[0]], [experts[1]]], [experts[2]], [input, input], input, true);
  assertClose(level.domain[1][0].dataSync(), outs[1].dataSync(), "domain 1's expert");
  assertClose(level.shared[0].dataSync(), outs[2].dataSync(), 'the shared expert');
});

test('DomainEmbedding is a row of its table per domain id', async () => {
  await selectBackend('wasm');
  const p = new Params(2);
  const e = new DomainEmbedding(p, 'x', 3, 4);
  const ids = tf.tensor1d([2, 0, 2], 'int32');
  const out = e.apply({ domainIds: ids } as never);
  assert.deepEqual(Array.from(out.dataSync().slice(0, 4)), Array.from(e.table.dataSync().slice(8, 12)));
  assert.deepEqual(Array.from(out.dataSync().slice(4, 8)), Array.from(e.table.dataSync().slice(0, 4)));
});

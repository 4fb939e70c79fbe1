// The bench's training throughput: real optimiser steps, timed after the warm-up, leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/tf/backend.js';
import { modelInputs } from '../../src/data/inputs.js';
import { strategy } from '../../src/models/registry.js';
import { trainingThroughput } from '../../src/train/throughput.js';
import { scenario } from '../helpers/scenarios.js';

test('trainingThroughput times real steps of a shared and a per-domain model and keeps no tensor', async () => {
  await selectBackend('wasm');
  const s = scenario('tiny');
  const p = modelInputs(s, 3);
  const before = tf.memory().numTensors;
  for (const name of ['shared-bottom', 'separate']) {
    const rate = trainingThroughput(strategy(name), p.ds, p.split.train, p.history, s.training, 64, 6, 2);
    assert.ok(Number.isFinite(rate) && rate > 0, `${name}: ${rate} samples/s`);
  }
  assert.equal(tf.memory().numTensors, before, 'the model, its optimiser and every step were disposed');
  // A batch larger than every domain's rows leaves no full batch to time: said, not a crash inside a step.
  assert.throws(
    () => trainingThroughput(strategy('shared-bottom'), p.ds, p.split.train, p.history, s.training, 65536, 2, 1),
    /no domain has a full batch of 65536 rows/,
  );
  assert.equal(tf.memory().numTensors, before);
});

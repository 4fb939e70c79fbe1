// The fitted world's click model: with plenty of clicks the ridge logistic regression recovers the
// item and position logits it was drawn from; with few, the prior pulls the effects towards 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitClickModel, predict } from '../../src/logs/click-model.js';
import { stream } from '../../src/world/rng.js';

const ITEMS = [0.6, 0.2, 0, -0.3, -0.5];
const POSITIONS = [0, -0.4, -0.8];
const BIAS = Math.log(0.1 / 0.9);

function draw(n: number, seed: number) {
  const rng = stream(seed, 'click-model-test');
  const item = new Int32Array(n);
  const position = new Int32Array(n);
  const click = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    item[i] = rng.int(ITEMS.length);
    position[i] = i % POSITIONS.length;
    click[i] = rng.next() < 1 / (1 + Math.exp(-(BIAS + ITEMS[item[i]] + POSITIONS[position[i]]))) ? 1 : 0;
  }
  return { item, position, click };
}

test('200,000 displays: the item and position effects come back within 0.05 of the truth (as differences, which the data identify)', () => {
  const d = draw(200_000, 1);
  const m = fitClickModel(d.item, d.position, d.click, ITEMS.length, POSITIONS.length);
  for (let a = 1; a < ITEMS.length; a++) assert.ok(Math.abs(m.items[a] - m.items[0] - (ITEMS[a] - ITEMS[0])) < 0.05, `item ${a}`);
  for (let k = 1; k < POSITIONS.length; k++) assert.ok(Math.abs(m.positions[k] - m.positions[0] - (POSITIONS[k] - POSITIONS[0])) < 0.05, `position ${k}`);
  // Its predictions are the truth's to within a few per cent of the rate.
  const truth = 1 / (1 + Math.exp(-(BIAS + ITEMS[0] + POSITIONS[0])));
  assert.ok(Math.abs(predict(m, 0, 0) / truth - 1) < 0.05);
});

test('300 displays: the prior shrinks the item effects well below the truth', () => {
  const d = draw(300, 2);
  const m = fitClickModel(d.item, d.position, d.click, ITEMS.length, POSITIONS.length);
  const spread = Math.max(...m.items) - Math.min(...m.items);
  assert.ok(spread < 0.8 * (ITEMS[0] - ITEMS[4]), `${spread}`);
});

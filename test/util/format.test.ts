// The percent formats of the text outputs: digits, the sign of a lift, and a dash for no number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confidenceLevel, percent, signedPercent } from '../../src/util/format.js';

test('percent: a rate with its digits, a dash for NaN or infinity', () => {
  assert.equal(percent(0.012345), '1.23%');
  assert.equal(percent(0.012345, 1), '1.2%');
  assert.equal(percent(-0.5), '-50.00%');
  assert.equal(percent(NaN), '–');
  assert.equal(percent(Infinity, 1), '–');
});

test('signedPercent: a plus for a gain or no change, the minus of the number for a loss, a dash for no number', () => {
  assert.equal(signedPercent(0.0123), '+1.2%');
  assert.equal(signedPercent(0), '+0.0%');
  assert.equal(signedPercent(-0.004), '-0.4%');
  assert.equal(signedPercent(0.0123, 2), '+1.23%');
  assert.equal(signedPercent(NaN), '–');
});

test('confidenceLevel: 1 − α as a percent, without trailing zeros', () => {
  assert.deepEqual([0.05, 0.1, 0.025, 0.01, 0.2].map(confidenceLevel), ['95%', '90%', '97.5%', '99%', '80%']);
});

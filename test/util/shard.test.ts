import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndexOf } from '../../src/util/shard.js';

test('parseIndexOf reads I/N and nothing else', () => {
  assert.deepEqual(parseIndexOf('3/10'), { index: 3, count: 10 });
  assert.deepEqual(parseIndexOf(' 0/1 '), { index: 0, count: 1 });
  // Bounds are the caller's: 5/5 parses, and each command refuses it with its own message.
  assert.deepEqual(parseIndexOf('5/5'), { index: 5, count: 5 });
  for (const bad of ['', '3', '3/', '/3', '-1/3', '1.5/3', '1/3/4', 'a/b', '1 / 3']) assert.equal(parseIndexOf(bad), null, bad);
});

// File names from user input: a short safe name is kept; anything else becomes a safe prefix plus a
// hash of the whole, so two inputs that clean to the same text still get two files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeFileName } from '../../src/util/file-name.js';

test('safe names stay; unsafe or long ones get a safe prefix and a hash of the whole; distinct inputs stay distinct', () => {
  assert.equal(safeFileName('tiny-20261207-062013-7b152e'), 'tiny-20261207-062013-7b152e');
  const a = safeFileName('a/b');
  const b = safeFileName('a:b');
  assert.match(a, /^a_b-[0-9a-f]{10}$/);
  assert.notEqual(a, b, 'both clean to a_b, the hash tells them apart');
  assert.match(safeFileName('..hidden'), /^_/);
  assert.ok(safeFileName('x'.repeat(500)).length <= 120);
  assert.match(safeFileName(''), /^-[0-9a-f]{10}$/);
});

// The two errors a command tells apart: a user's mistake (exit 2 unless said otherwise) and a cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, UserError } from '../../src/util/errors.js';

test('a user error exits 2 by default and keeps its message; a cancel says so', () => {
  const e = new UserError('run: --seed must be a whole number');
  assert.equal(e.exitCode, 2);
  assert.equal(e.message, 'run: --seed must be a whole number');
  assert.equal(new UserError('check failed', 1).exitCode, 1);
  assert.ok(new CancelledError() instanceof Error);
  assert.equal(new CancelledError().message, 'cancelled');
});

// What reaches a terminal shows control characters as escapes: a name from a file cannot retitle the
// window, recolour it or reorder a line; the plain commands' streams are guarded while they run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { guardStream, printable, printableLines } from '../../src/util/terminal.js';

test('printable shows every control character as an escape, newlines and tabs included', () => {
  assert.equal(printable('claim \u001b]0;PWNED\u0007\u001b[31m'), 'claim \\x1b]0;PWNED\\x07\\x1b[31m');
  assert.equal(printable('a\nb\tc\rd\u0000e\u007f\u009b'), 'a\\nb\\tc\\rd\\x00e\\x7f\\x9b');
  assert.equal(printable('abc \u202eevil\u2066'), 'abc \\u202eevil\\u2066');
  assert.equal(printable('naïve ✓ 数据'), 'naïve ✓ 数据');
});

test('printableLines keeps lines and tabs and escapes the rest', () => {
  assert.equal(printableLines('a\tb\nc\u001b[2J\r\n'), 'a\tb\nc\\x1b[2J\\r\n');
});

test('a guarded stream escapes what is written through it until it is restored', () => {
  let seen = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      seen += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  const restore = guardStream(sink);
  sink.write('name: \u001b]0;x\u0007\n');
  restore();
  sink.write('\u001b[0m');
  assert.equal(seen, 'name: \\x1b]0;x\\x07\n\u001b[0m');
});

// JSON errors say where (line and column) and why, and never quote the file: V8's own messages echo
// the text, newlines and control bytes included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, firstJsonError, parseJson } from '../../src/util/json.js';

const error = (text: string): string => {
  try {
    parseJson(text);
  } catch (e) {
    assert.ok(e instanceof JsonSyntaxError, String(e));
    return e.message;
  }
  return 'parsed';
};

test('valid JSON parses as JSON.parse does; a byte order mark is allowed', () => {
  for (const text of ['{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', 'true', ' null ', '{"a":[1,{"b":[]}],"c":"x"}', '[[[[]]]]'])
    assert.deepEqual(parseJson(text), JSON.parse(text), text);
  assert.deepEqual(parseJson('\uFEFF{"a":1}'), { a: 1 });
});

test('the scanner agrees with JSON.parse on what is valid', () => {
  const samples = [
    '{"a":1,}',
    '[1,]',
    '01',
    '1.',
    '.5',
    '-',
    '"\\x"',
    '{a:1}',
    "{'a':1}",
    '[1 2]',
    'tru',
    'nul',
    '{"a" 1}',
    '"\t"',
    '1e',
    '[',
    '{"a":',
    '',
    ' ',
    '{}x',
    '"\\u12"',
  ];
  for (const text of samples) {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    assert.equal(firstJsonError(text) === null, valid, JSON.stringify(text));
  }
});

test('an error names the line, the column and the reason, and quotes nothing of the file', () => {
  assert.equal(error('hello\nworld'), "unexpected character 'h' at line 1, column 1");
  assert.equal(error('{\n  "a": 1,\n  "b": }\n'), "unexpected character '}' at line 3, column 8");
  assert.equal(error('{"a": 1'), 'unexpected end of the file at line 1, column 8');
  assert.equal(error('{"a": "x\u001b]0;PWNED\u0007"}'), 'a control character (U+001B) inside a string at line 1, column 9');
  assert.equal(error('\u001b]0;PWNED-'), 'unexpected character U+001B at line 1, column 1');
  assert.equal(error('[1, 2]\n]'), "unexpected ']' after the end of the JSON value at line 2, column 1");
  assert.equal(error(''), 'unexpected end of the file at line 1, column 1');
  for (const bad of ['hello\nworld', '\u001b]0;x\u0007', '{"secret": tru}']) assert.doesNotMatch(error(bad), /hello|world|secret|\u001b|\u0007|\n/, bad);
});

test('a million nested brackets is an error, not a stack overflow', () => {
  assert.match(error('['.repeat(1_000_000)), /unexpected end of the file at line 1, column 1000001/);
});

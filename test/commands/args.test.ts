// Flag parsing, in process: strict and typed, a negative number taken as a value, a flag given twice
// refused, every mistake one line naming the command and the flag; --help made from the same table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkOutputDir,
  checkOutputPath,
  helpText,
  intFlag,
  listFlag,
  parse,
  referencePage,
  seedFlag,
  workersFlag,
  type Options,
} from '../../src/commands/args.js';
import { UserError } from '../../src/util/errors.js';

const flags = {
  seed: { type: 'string', value: 'N', help: 'the seed' },
  json: { type: 'boolean', help: 'print JSON' },
  strategies: { type: 'string', help: 'which' },
} satisfies Options;
const one = { min: 1, max: 1, name: 'a scenario file' };

/** The refusal's message, checked to be one line and a UserError. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    assert.ok(!e.message.includes('\n'), e.message);
    return e.message;
  }
  assert.fail('not refused');
}

test('parse: typed values and positionals; a negative number is a value, not a flag', () => {
  const p = parse('run', ['s.json', '--seed', '-3', '--json', '--strategies=a,b'], flags, one);
  assert.deepEqual([p.positionals, p.values.seed, p.values.json, p.values.strategies], [['s.json'], '-3', true, 'a,b']);
  // The negative seed then fails the range check, naming it, instead of "unknown option '-3'".
  assert.equal(
    refusal(() => seedFlag('run', p.values.seed)),
    'run: --seed must be between 0 and 2147483647, got -3',
  );
});

test('parse: an unknown flag (with a suggestion), a flag twice, an empty value, a missing or extra positional — each one line', () => {
  assert.equal(
    refusal(() => parse('run', ['s.json', '--sed', '1'], flags, one)),
    "run: Unknown option '--sed' (did you mean '--seed'?); see 'crossab run --help'",
  );
  assert.equal(
    refusal(() => parse('run', ['s.json', '--seed', '1', '--seed=2'], flags, one)),
    'run: --seed is given twice; give it once',
  );
  // A flag where a value should be is a slip: refused (node's own message, cut to its first line, no stray period).
  assert.equal(
    refusal(() => parse('run', ['s.json', '--strategies', '--seed'], flags, one)),
    "run: Option '--strategies' argument is ambiguous; see 'crossab run --help'",
  );
  assert.equal(
    refusal(() => parse('run', ['s.json', '--strategies', ' '], flags, one)),
    'run: --strategies needs a value, got an empty string',
  );
  assert.equal(
    refusal(() => parse('run', [], flags, one)),
    "run: missing a scenario file; see 'crossab run --help'",
  );
  assert.equal(
    refusal(() => parse('run', ['a.json', 'b.json'], flags, one)),
    "run: unexpected argument 'b.json'",
  );
  assert.match(
    refusal(() => parse('run', ['s.json', '--json=yes'], flags, one)),
    /^run: .*--json.*; see 'crossab run --help'$/,
  );
});

test('intFlag, workersFlag, listFlag: whole numbers in range, lists split on commas and trimmed', () => {
  assert.equal(intFlag('x', 'n', undefined, 1, 5), undefined);
  assert.equal(intFlag('x', 'n', '5', 1, 5), 5);
  assert.equal(
    refusal(() => intFlag('x', 'n', '2.5', 1, 5)),
    "x: --n must be a whole number from 1 to 5, got '2.5'",
  );
  assert.equal(
    refusal(() => intFlag('x', 'n', '6', 1, 5)),
    'x: --n must be between 1 and 5, got 6',
  );
  assert.equal(
    refusal(() => workersFlag('train', '0')),
    'train: --workers must be between 1 and 64, got 0',
  );
  assert.deepEqual(listFlag(' a, b,,c '), ['a', 'b', 'c']);
  assert.equal(listFlag(undefined), undefined);
});

test('checkOutputPath and checkOutputDir: an existing folder to write in, never a folder for a file or a chain of new folders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-args-'));
  writeFileSync(join(dir, 'file.txt'), '');
  assert.equal(checkOutputPath('report', 'out', join(dir, 'r.html'), '.html'), join(dir, 'r.html'));
  assert.match(
    refusal(() => checkOutputPath('report', 'out', join(dir, 'r.txt'), '.html')),
    /--out '.*r\.txt' must end in \.html$/,
  );
  assert.match(
    refusal(() => checkOutputPath('report', 'out', join(dir, 'no', 'r.html'))),
    /folder '.*no' does not exist$/,
  );
  assert.match(
    refusal(() => checkOutputPath('report', 'out', dir)),
    /is a folder, not a file$/,
  );
  assert.equal(checkOutputDir('run', 'policy-out', join(dir, 'new')), join(dir, 'new'));
  assert.match(
    refusal(() => checkOutputDir('run', 'policy-out', join(dir, 'a', 'b'))),
    /folder '.*a' does not exist$/,
  );
  assert.match(
    refusal(() => checkOutputDir('run', 'policy-out', join(dir, 'file.txt'))),
    /is a file, not a folder$/,
  );
});

test('helpText and referencePage: usage, summary, notes, every flag aligned with its argument, --help, examples', () => {
  const h = { usage: 'crossab run <scenario.json>', summary: 'run it', flags, examples: ['crossab run s.json'], notes: 'a note' };
  assert.equal(
    helpText(h),
    [
      'usage: crossab run <scenario.json>',
      '',
      'run it.',
      '',
      'a note',
      '',
      'flags:',
      '  --seed N            the seed',
      '  --json              print JSON',
      '  --strategies VALUE  which',
      '  --help              this text',
      '',
      'examples:',
      '  crossab run s.json',
    ].join('\n'),
  );
  assert.ok(referencePage({ run: h }).includes(`## crossab run\n\n\`\`\`\n${helpText(h)}\n\`\`\`\n`));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossab } from '../helpers/cli.js';
import { STRATEGIES } from '../../src/models/registry.js';

test('crossab strategies lists every strategy with one line and marks the defaults', () => {
  const r = crossab(['strategies', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string; summary: string; default: boolean }[];
  assert.deepEqual(
    rows.map((x) => x.name),
    STRATEGIES.map((s) => s.name),
  );
  assert.deepEqual(
    rows.filter((x) => x.default).map((x) => x.name),
    ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'],
  );
  for (const x of rows) assert.ok(x.summary.length > 10 && !x.summary.includes('\n'), x.name);
  const text = crossab(['strategies']).stdout.trimEnd().split('\n');
  assert.match(text[0], /^strategy +default +what it is/);
  assert.equal(text.length, 2 + rows.length, 'a header, its rule and one line per strategy');
  assert.match(text.find((l) => l.startsWith('mmoe '))!, /^mmoe +yes +\S/);
  const extra = crossab(['strategies', 'mmoe']);
  assert.equal(extra.code, 2);
  assert.equal(extra.stderr.trim().split('\n').length, 1, extra.stderr);
});

test('crossab strategies --settings: each strategy with its own training settings and their doc lines; --json carries them', () => {
  const r = crossab(['strategies', '--settings']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout;
  assert.match(text, /^ple\n {2}training\.experts: Shared experts of the mixture models .*\n {2}training\.levels: .*\n {2}training\.specificExperts: /m);
  assert.match(text, /^mlora\n {2}training\.loraRank: MLoRA: the rank r/m);
  assert.match(text, /^separate\n {2}\(the common settings only\)$/m);
  const rows = JSON.parse(crossab(['strategies', '--json']).stdout) as { name: string; settings: { field: string; doc: string }[] }[];
  assert.deepEqual(
    rows.find((x) => x.name === 'hamur')!.settings.map((x) => x.field),
    ['hamurRank'],
  );
});

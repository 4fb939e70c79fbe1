// `crossab run` as a command: flags checked before anything is generated (ranges, paths, the shard
// flags that go together and those that belong to the merging run), each refusal one line, exit 2,
// and no store left behind; a run prints its summary as text or as one JSON object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('run refuses bad flags before any work, one line each, leaving no store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-run-cmd-'));
  const db = join(dir, 'never.duckdb');
  writeFileSync(join(dir, 'file'), '');
  const tiny = scenarioPath('tiny');
  const cases: [string[], RegExp][] = [
    [['--grade', '0'], /^crossab: run: --grade must be between 1 and 10000, got 0$/],
    [['--salt', 'x'], /^crossab: run: --salt must be a whole number from 0 to 2147483647, got 'x'$/],
    [['--workers', '65'], /^crossab: run: --workers must be between 1 and 64, got 65$/],
    [['--replay-shard', '0/2'], /^crossab: run: --replay-shard I\/N and --replay-dir DIR go together$/],
    [['--replay-dir', dir], /^crossab: run: --replay-shard I\/N and --replay-dir DIR go together$/],
    [
      ['--replay-shard', '0/2', '--replay-dir', dir, '--replay-from', dir],
      /^crossab: run: a shard ranks \(--replay-shard\), the run merges \(--replay-from\): not both$/,
    ],
    [
      ['--replay-shard', '0/2', '--replay-dir', dir, '--salt', '3', '--verbose'],
      /^crossab: run: a shard only ranks; --salt, --verbose belong to the run that merges \(--replay-from\)$/,
    ],
    [['--replay-shard', '2/2', '--replay-dir', dir], /--replay-shard 2\/2: I must be 0 to N − 1/],
    [['--policy-out', join(dir, 'file')], /--policy-out '.*file' is a file, not a folder$/],
  ];
  for (const [flags, says] of cases) {
    const r = crossab(['run', tiny, '--db', db, ...flags]);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), says);
  }
  const folder = crossab(['run', tiny, '--db', dir]);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /--db '.*' is a folder, not a file/);
  assert.ok(!existsSync(db), 'no store was created');
});

test('run prints one JSON object with --json, and the summary with its decisions as text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-run-out-'));
  const args = ['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--no-report', '--seed', '5'];
  const json = crossab([...args, '--db', join(dir, 'a.duckdb'), '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stdout.trimEnd().split('\n').length, 1, 'one line');
  const o = JSON.parse(json.stdout);
  assert.equal(o.scenario, 'tiny');
  assert.equal(o.seed, 5);
  assert.match(o.run_id, /^tiny-/);
  assert.equal(json.stderr, '', 'with --json, no progress on stderr');
  const text = crossab([...args, '--db', join(dir, 'b.duckdb')]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, /^backend: wasm(-fma)?$/m, 'progress on stderr');
  assert.ok(text.stdout.includes(join(dir, 'b.duckdb')), 'the summary names the store');
  for (const d of ['head', 'mid', 'tail']) assert.match(text.stdout, new RegExp(`\\b${d}\\b`), `the summary has domain ${d}`);
});

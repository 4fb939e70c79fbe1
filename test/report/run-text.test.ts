// A run as plain text: the summary first, within its width, and the tables behind it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abTable, type RunView, runText, summaryTable } from '../../src/report/run-text.js';
import type { OfflineResults } from '../../src/train/parallel.js';
import { decide } from '../../src/abtest/decide.js';
import { DEFAULT_DECISION_RULES } from '../../src/scenario/blocks.js';
import { readout } from '../helpers/readouts.js';

test('the summary names the arms and the control, one row per domain within 100 columns, undecided rows with their lift and interval', () => {
  const ab = readout({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 });
  const ds = decide(ab, ['d'], DEFAULT_DECISION_RULES);
  const t = summaryTable(ds, ab, DEFAULT_DECISION_RULES);
  const lines = t.split('\n');
  assert.match(lines[0], /^t vs c \(control\), CUPED; ship at CTR ≥ \+5\.0%, conversions within −5\.0%:$/);
  assert.match(lines[3], /^d\s+NOT ENOUGH DATA\s+\+4\.0% \[-6\.0, \+15\.0\]\s+×\d+\.\d traffic to see \+5\.0%\s+ship \+10\.0%$/);
  for (const l of lines) assert.ok(l.length <= 100, `${l.length}: ${l}`);
  // Narrower than the table: each domain on two lines (decision and lift; why and truth), every line within the width.
  const narrow = summaryTable(ds, ab, DEFAULT_DECISION_RULES, 78).split('\n');
  for (const l of narrow) assert.ok(l.length <= 78, `${l.length}: ${l}`);
  assert.deepEqual(narrow.slice(0, 2), ['t vs c (control), CUPED;', 'ship at CTR ≥ +5.0%, conversions within −5.0%:']);
  assert.match(narrow[4], /^d\s+NOT ENOUGH DATA\s+\+4\.0% \[-6\.0, \+15\.0\]$/);
  assert.match(narrow[5], /^\s+×\d+\.\d traffic to see \+5\.0%; truth: ship \+10\.0%$/);
  assert.equal(summaryTable(ds, ab, DEFAULT_DECISION_RULES, 200), t, 'a table that fits keeps its one-row layout');
});

test('the plain run prints the summary first and fits 100 columns down to its last line: time and memory, then the stages wrapped', () => {
  const ab = readout({ lift: 0.04, ciLow: -0.06, ciHigh: 0.15, seLog: 0.05, trueLift: 0.1 });
  const stages = { generate: 0.7, train: 41.2, offline: 2.1, ope: 1.3, replay: 3.0, decide: 0.1, grade: 120.4, store: 0.9, report: 1.1 };
  const view = {
    ...{ runId: 'tiny-7-x', seed: 7, salt: 7, backend: 'wasm', fingerprint: 'f', domains: ['d'], reportPath: null },
    ...{ offline: {}, ope: {}, ab, feedback: [], designs: [], grades: [], rules: DEFAULT_DECISION_RULES },
    decisions: decide(ab, ['d'], DEFAULT_DECISION_RULES),
    ...{ stages, wallSeconds: 171.2, peakRssMb: 1234.4 },
  } as unknown as RunView;
  const lines = runText(view, 'crossab.duckdb', false).trimEnd().split('\n');
  assert.match(lines[0], /^t vs c \(control\)/, 'the answer comes first');
  for (const l of lines) assert.ok(l.length <= 100, `${l.length}: ${l}`);
  const at = lines.findIndex((l) => l.startsWith('time: '));
  assert.equal(lines[at], 'time: total 171.2 s, peak memory 1,234 MB; by stage:');
  const staged = lines.slice(at + 1).join(',');
  for (const [k, v] of Object.entries(stages)) assert.ok(staged.includes(`${k} ${v.toFixed(1)} s`), k);
  assert.ok(lines.length - at - 1 >= 1 && lines.slice(at + 1).every((l) => l.startsWith('  ')));
});

test("the A/B table's intervals are labelled at the run's α, not always 95%", () => {
  const ab = readout({ lift: 0.04, ciLow: 0.01, ciHigh: 0.07 });
  const off = { strategies: {} } as unknown as OfflineResults;
  assert.match(abTable(ab, off, ['d'], 0.05).split('\n')[0], /lift \[95% CI\]\s+CUPED \[95% CI\]/);
  const header = abTable(ab, off, ['d'], 0.1).split('\n')[0];
  assert.match(header, /lift \[90% CI\]\s+CUPED \[90% CI\]/);
  assert.match(abTable(ab, off, ['d'], 0.1), /\+?4\.0+%? \[\+?1\.0+%?, \+?7\.0+%?\]/);
});

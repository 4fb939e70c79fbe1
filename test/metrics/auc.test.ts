import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, aucWithSe } from '../../src/metrics/auc.js';
import { stream } from '../../src/world/rng.js';

/** DeLong's variance by its definition: every positive against every negative, O(m·n). */
function bruteDeLong(scores: number[], labels: number[]): { auc: number; se: number } {
  const P = scores.filter((_, i) => labels[i] > 0);
  const N = scores.filter((_, i) => labels[i] === 0);
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = P.map((x) => N.reduce((a, y) => a + psi(x, y), 0) / N.length);
  const v01 = N.map((y) => P.reduce((a, x) => a + psi(x, y), 0) / P.length);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const variance = (v: number[]) => v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1);
  return { auc: mean(v10), se: Math.sqrt(variance(v10) / P.length + variance(v01) / N.length) };
}

test("aucWithSe equals DeLong's definition computed pair by pair, ties included, on a subset of rows", () => {
  const rng = stream(5, 'auc-se');
  // Scores on a coarse grid so that many ties cross the classes.
  const scores = Array.from({ length: 400 }, () => Math.round(rng.normal() * 4) / 4);
  const labels = scores.map((s) => (rng.next() < 1 / (1 + Math.exp(-1.5 * s)) ? 1 : 0));
  const rows = Int32Array.from({ length: 300 }, (_, k) => k + 50);
  const want = bruteDeLong(
    Array.from(rows, (r) => scores[r]),
    Array.from(rows, (r) => labels[r]),
  );
  const got = aucWithSe(scores, labels, rows);
  assert.ok(Math.abs(got.auc - want.auc) < 1e-12, `${got.auc} vs ${want.auc}`);
  assert.ok(Math.abs(got.se - want.se) < 1e-12, `${got.se} vs ${want.se}`);
  assert.equal(auc(scores, labels, rows), got.auc);
});

test('the DeLong standard error matches the spread of the AUC over 400 independent samples within 10%', () => {
  // Binormal scores (positives shifted by 1): the AUC is Φ(1/√2) ≈ 0.760 and its spread over
  // samples of 150 positives and 850 negatives is what the standard error claims to be.
  const rng = stream(9, 'auc-se-coverage');
  const aucs: number[] = [];
  const ses: number[] = [];
  for (let rep = 0; rep < 400; rep++) {
    const labels = Array.from({ length: 1000 }, (_, k) => (k < 150 ? 1 : 0));
    const scores = labels.map((y) => rng.normal() + y);
    const r = aucWithSe(scores, labels);
    aucs.push(r.auc);
    ses.push(r.se);
  }
  const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
  const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
  const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
  assert.ok(Math.abs(mean - 0.7602) < 0.005, `mean AUC ${mean}`);
  assert.ok(Math.abs(meanSe / sd - 1) < 0.1, `mean SE ${meanSe} vs spread ${sd}`);
});

test('an AUC without both classes has no standard error', () => {
  const r = aucWithSe([0.1, 0.2, 0.3], [1, 1, 1]);
  assert.ok(Number.isNaN(r.auc) && Number.isNaN(r.se));
});

// Student's t against R's pt and qt, and the quantile as the CDF's inverse across fractional degrees of freedom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { studentTCdf, studentTQuantile } from '../../src/abtest/student-t.js';

const near = (got: number, want: number, label: string, decimals: number) =>
  assert.ok(Math.abs(got - want) <= 0.5 * 10 ** -decimals + 1e-15, `${label}: ${got} vs R ${want}`);

test('Student t matches R: qt(0.975, 10) = 2.228138851986, pt(2, 5) = 0.949030260585, qt(0.975, 1) = 12.706204736175, qt(0.975, 30) = 2.042272456301', () => {
  near(studentTQuantile(0.975, 10), 2.228138851986274, 'qt(0.975, 10)', 11);
  near(studentTCdf(2, 5), 0.9490302605850709, 'pt(2, 5)', 12);
  near(studentTQuantile(0.975, 1), 12.70620473617471, 'qt(0.975, 1)', 9);
  near(studentTQuantile(0.975, 30), 2.042272456301238, 'qt(0.975, 30)', 11);
  for (const df of [1.5, 4, 37.2, 6400]) for (const p of [0.001, 0.05, 0.5, 0.9]) near(studentTCdf(studentTQuantile(p, df), df), p, `pt(qt(${p}, ${df}))`, 13);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf } from '../../../src/abtest/stats/distributions.js';
import { powerAt, minimumDetectableLift, usersToDetect } from '../../../src/abtest/stats/power.js';

test('power, minimum detectable lift and users needed agree with the textbook formula', () => {
  const se = 0.05;
  const mde = minimumDetectableLift(se, 0.05, 0.8);
  // (1.959964 + 0.841621) · 0.05 = 0.1400793 on the log scale.
  assert.ok(Math.abs(Math.log(1 + mde) - 0.1400792609) < 1e-9, String(mde));
  // At the MDE the power is 80% plus the negligible opposite tail Φ(−d − z).
  assert.ok(Math.abs(powerAt(mde, se) - (0.8 + normalCdf(-2 * 1.959963985 - 0.8416212336))) < 1e-6);
  assert.ok(Math.abs(powerAt(0, se) - 0.05) < 1e-6, 'power at no effect is α');
  // Twice the effect on the log scale needs a quarter of the users.
  assert.equal(usersToDetect(1000, se, mde), 1000);
  assert.equal(usersToDetect(1000, se, Math.exp(2 * Math.log(1 + mde)) - 1), 250);
  assert.ok(Number.isNaN(usersToDetect(1000, se, 0)));
});

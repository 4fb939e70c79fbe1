// The JUnit XML a CI system reads: counts, escaping, and inconclusive results as failures or skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { junitXml } from '../../src/check/junit.js';

test('JUnit XML: counts, escaping, and inconclusive as failure or (allowed) skipped', () => {
  const suites = [
    {
      name: 'a&b',
      seconds: 1.5,
      cases: [
        { name: 'x < y', verdict: 'pass' as const, reason: 'ok', detail: 'seed 1: 0.1' },
        { name: 'fails', verdict: 'fail' as const, reason: 'CI [0.1, 0.2] misses "≥ 0.3"', detail: '' },
        { name: 'maybe', verdict: 'inconclusive' as const, reason: 'straddles', detail: '\u0001bad char' },
      ],
    },
  ];
  const strict = junitXml(suites, false);
  assert.match(strict, /<testsuites name="crossab check" tests="3" failures="2" errors="0" skipped="0"/);
  assert.match(strict, /<testsuite name="a&amp;b"/);
  assert.match(strict, /name="x &lt; y"/);
  assert.match(strict, /message="CI \[0.1, 0.2\] misses &quot;≥ 0.3&quot;"/);
  assert.match(strict, /<failure type="inconclusive"/);
  assert.doesNotMatch(strict, /\u0001/);
  const allowed = junitXml(suites, true);
  assert.match(allowed, /tests="3" failures="1" errors="0" skipped="1"/);
  assert.match(allowed, /<skipped message="inconclusive \(allowed\): straddles"\/>/);
  // Balanced tags.
  for (const tag of ['testsuites', 'testsuite', 'testcase', 'system-out']) {
    assert.equal((strict.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length, (strict.match(new RegExp(`</${tag}>`, 'g')) ?? []).length, tag);
  }
});

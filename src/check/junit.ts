// JUnit XML for CI systems: one <testsuite> per scenario (or baseline comparison), one <testcase> per
// judged claim. Failures carry the reason; inconclusive claims are failures unless allowed, then skipped.
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Verdict } from './judge.js';

export interface CaseResult {
  name: string;
  verdict: Verdict;
  reason: string;
  /** Per-seed values (or the compared pair), written to <system-out>. */
  detail: string;
}

export interface Suite {
  name: string;
  seconds: number;
  cases: CaseResult[];
}

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitXml(suites: Suite[], allowInconclusive: boolean): string {
  const counts = (cs: CaseResult[]) => ({
    tests: cs.length,
    failures: cs.filter((c) => c.verdict === 'fail' || (c.verdict === 'inconclusive' && !allowInconclusive)).length,
    skipped: cs.filter((c) => c.verdict === 'inconclusive' && allowInconclusive).length,
  });
  const all = counts(suites.flatMap((s) => s.cases));
  const total = suites.reduce((a, s) => a + s.seconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="crossab check" tests="${all.tests}" failures="${all.failures}" errors="0" skipped="${all.skipped}" time="${total.toFixed(3)}">`,
  ];
  for (const s of suites) {
    const c = counts(s.cases);
    lines.push(
      `  <testsuite name="${esc(s.name)}" tests="${c.tests}" failures="${c.failures}" errors="0" skipped="${c.skipped}" time="${s.seconds.toFixed(3)}">`,
    );
    for (const k of s.cases) {
      lines.push(`    <testcase classname="crossab.${esc(s.name)}" name="${esc(k.name)}" time="0">`);
      if (k.verdict === 'fail') lines.push(`      <failure type="fail" message="${esc(k.reason)}"/>`);
      else if (k.verdict === 'inconclusive')
        lines.push(
          allowInconclusive
            ? `      <skipped message="inconclusive (allowed): ${esc(k.reason)}"/>`
            : `      <failure type="inconclusive" message="${esc(k.reason)}"/>`,
        );
      lines.push(`      <system-out>${esc(k.detail)}</system-out>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** Written whole or not at all (temporary file, then rename). */
export function writeJunit(path: string, suites: Suite[], allowInconclusive: boolean): void {
  writeFileAtomic(path, junitXml(suites, allowInconclusive));
}

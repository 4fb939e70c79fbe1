// The readout in one line, for the end of a run and the dashboard: each domain's decision, and what
// the truth says about it.
import type { DomainDecision } from './decide.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

export function verdict(decisions: DomainDecision[]): string {
  return decisions
    .map((d) => {
      const what =
        d.decision === 'ship'
          ? `SHIP ${d.arm} ${pct(d.lift)}`
          : d.decision === 'keep'
            ? 'KEEP control'
            : d.decision === 'not enough data'
              ? `NOT ENOUGH DATA (needs ~${d.usersNeeded.toLocaleString('en')} users, ×${d.trafficMultiple.toFixed(1)})`
              : 'UNRELIABLE';
      const truth =
        d.correct === null ? `truth: ${d.trueBest}${d.trueBestLift > 0 ? ` ${pct(d.trueBestLift)}` : ''}` : d.correct ? 'right' : `wrong: truth ${d.trueBest}`;
      return `${d.domain}: ${what} (${truth})`;
    })
    .join('; ');
}

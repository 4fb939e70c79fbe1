// The readout in one line, for the end of a run and the dashboard: each domain's decision, and what
// the truth says about it.
import type { DomainDecision } from './decide.js';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

/** What the truth says should be decided: ship the best arm (its true lift), or keep the control (and the best arm's lift, too small to ship). */
export function truthOf(d: DomainDecision): string {
  return d.trueBest === d.control ? `keep (best arm ${pct(d.trueBestLift)})` : `ship ${d.trueBest} ${pct(d.trueBestLift)}`;
}

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
      const truth = d.correct === null ? `truth: ${truthOf(d)}` : d.correct ? 'right' : `wrong: truth ${truthOf(d)}`;
      return `${d.domain}: ${what} (${truth})`;
    })
    .join('; ');
}

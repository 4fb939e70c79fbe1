// The A/B readout in one line, for the end of a run: which arm the test favours overall, and
// whether the truth agrees.
import type { ReplayResult } from './replay.js';

export function verdict(ab: ReplayResult): string {
  const overall = ab.lifts.filter((l) => l.metric === 'ctr' && l.domain === 'all' && l.segment === 'all');
  const sig = overall.filter((l) => l.pValue < 0.05).sort((a, b) => b.lift - a.lift);
  const best = sig[0];
  const truthBest = [...overall].sort((a, b) => b.trueLift - a.trueLift)[0];
  if (!best)
    return `no arm differs significantly from ${ab.control} overall${truthBest && truthBest.trueLift > 0 ? ` (truth: ${truthBest.arm} ${(100 * truthBest.trueLift).toFixed(1)}% better)` : ''}`;
  const dir = best.lift > 0 ? 'beats' : 'loses to';
  return `${best.arm} ${dir} ${ab.control} by ${(100 * best.lift).toFixed(1)}% CTR (p=${best.pValue.toFixed(3)}); true lift ${(100 * best.trueLift).toFixed(1)}%${best.covered ? '' : ' — the interval missed it'}`;
}

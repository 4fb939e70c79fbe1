// The plain progress logger: used when there is no terminal UI (CI, pipes). One line per milestone.
import type { KeptEpoch, Listener } from './events.js';

/**
 * What training kept, one clause: 'kept epoch 3 of 4 (valid AUC 0.6597); ' for one model, per
 * domain for a per-domain strategy ('kept feed 12 of 27 (0.6211), search 5 of 6 (0.6420); ').
 */
export function keptText(kept: readonly KeptEpoch[]): string {
  if (!kept.length) return '';
  const auc = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  if (kept.length === 1 && kept[0].domain === null) return `kept epoch ${kept[0].epoch} of ${kept[0].ran} (valid AUC ${auc(kept[0].validAuc)}); `;
  return `kept ${kept.map((k) => `${k.domain} epoch ${k.epoch} of ${k.ran} (${auc(k.validAuc)})`).join(', ')}; `;
}

/**
 * One line per milestone — per strategy its result, never per epoch (a log is read afterwards; the
 * curves are stored and drawn in the report). `brief`: no stage timings (check runs many seeds).
 */
export function plainLogger(out: NodeJS.WritableStream, brief = false): Listener {
  return (e) => {
    switch (e.type) {
      case 'backend':
        if (brief) break;
        out.write(`backend: ${e.backend}\n`);
        break;
      case 'stage':
        if (brief) break;
        if (e.status === 'end') out.write(`${e.stage}: done in ${e.seconds!.toFixed(1)} s${e.detail ? ` (${e.detail})` : ''}\n`);
        break;
      case 'strategy':
        if (e.status === 'end')
          out.write(
            `  ${e.strategy}: ${keptText(e.kept ?? [])}${e.seconds!.toFixed(1)} s, ${Math.round(e.samplesPerSecond!).toLocaleString('en')} samples/s\n`,
          );
        break;
      case 'run':
        out.write(`run ${e.runId} → ${e.db}\n`);
        break;
      case 'log':
        out.write(`${e.message}\n`);
        break;
      default:
        break;
    }
  };
}

// The plain progress logger: used when there is no terminal UI (CI, pipes). One line per milestone.
import type { Listener } from './events.js';

/** `brief`: no per-epoch lines and no stage timings (check runs many seeds). */
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
      case 'epoch':
        if (brief) break;
        out.write(
          `  ${e.strategy} epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, valid AUC ${e.validAuc.toFixed(4)}, ${e.seconds.toFixed(1)} s${e.stopped ? ' (early stop)' : ''}\n`,
        );
        break;
      case 'strategy':
        if (e.status === 'end') out.write(`  ${e.strategy}: ${e.seconds!.toFixed(1)} s, ${Math.round(e.samplesPerSecond!)} samples/s\n`);
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

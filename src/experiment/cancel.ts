// Interrupting a run: Ctrl-C or SIGTERM marks the run cancelled in the store (never half-written) and
// exits 130; while the final transaction is being written, the signal waits for it to finish.
import { markRun } from '../store/runs.js';

/** Handle on a run in progress: what to mark if it is interrupted. */
export interface RunHandle {
  runId: string | null;
  db: string;
  /** Set while the final transaction is written: an interrupt then waits for it. */
  finishing: Promise<unknown> | null;
  /** Other runs in progress under this handle (check's seeds that run at once). */
  others?: Set<RunHandle>;
}

export const newHandle = (db: string): RunHandle => ({ runId: null, db, finishing: null });

/** Mark an interrupted run cancelled (or let its final write finish). */
export async function cancelRun(handle: RunHandle): Promise<'cancelled' | 'finished' | 'not started'> {
  if (handle.others?.size) {
    const what = await Promise.all([...handle.others].map((h) => cancelRun(h)));
    return what.includes('cancelled') ? 'cancelled' : what.includes('finished') ? 'finished' : 'not started';
  }
  if (handle.finishing) {
    await handle.finishing.catch(() => {});
    return 'finished';
  }
  if (!handle.runId) return 'not started';
  await markRun(handle.db, handle.runId, 'cancelled', 'interrupted').catch(() => {});
  return 'cancelled';
}

/** Run `fn` with Ctrl-C / SIGTERM cancelling the handle's runs and exiting 130. */
export async function withCancellation<T>(handle: RunHandle, fn: () => Promise<T>): Promise<T> {
  const onSignal = (sig: NodeJS.Signals) => {
    void cancelRun(handle).then((what) => {
      const ids = handle.others?.size
        ? [...handle.others]
            .map((h) => h.runId)
            .filter(Boolean)
            .join(', ')
        : (handle.runId ?? '');
      process.stderr.write(`crossab: ${sig}: run ${ids} ${what}\n`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

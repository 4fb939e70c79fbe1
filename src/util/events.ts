// Typed progress events: the pipeline emits them; the Ink dashboard and the plain logger listen.
export type Stage = 'generate' | 'train' | 'evaluate' | 'ope' | 'replay' | 'feedback' | 'grade' | 'store' | 'report';

/** The epoch training kept (the best on validation, restored) of one model: the strategy's, or one domain's. */
export interface KeptEpoch {
  domain: string | null;
  epoch: number;
  /** Epochs run (fewer than planned when it stopped early). */
  ran: number;
  validAuc: number;
}

export type ProgressEvent =
  | { type: 'stage'; stage: Stage; status: 'start' | 'end'; detail?: string; seconds?: number }
  | { type: 'backend'; backend: string }
  | {
      type: 'epoch';
      strategy: string;
      /** A per-domain strategy's model: the domain it trains (each has its own epochs and early stopping). */
      domain?: string;
      epoch: number;
      epochs: number;
      loss: number;
      validAuc: number;
      seconds: number;
      etaSeconds: number;
      stopped: boolean;
    }
  | { type: 'step'; strategy: string; epoch: number; step: number; steps: number; loss: number; etaSeconds: number }
  | { type: 'strategy'; strategy: string; status: 'start' | 'end'; seconds?: number; samplesPerSecond?: number; kept?: KeptEpoch[] }
  | { type: 'run'; runId: string; db: string }
  | { type: 'offline'; strategy: string; auc: Record<string, number> }
  | {
      type: 'done';
      runId: string;
      report: string | null;
      /** The decisions at a glance: a heading line, then one table row per domain (report/run-text.ts summaryTable), in ≤ 100 columns. */
      summary: string[];
      /** The same in ≤ 78 columns (two lines per domain), for a terminal narrower than `summary`. */
      narrowSummary?: string[];
      /** Every domain got SHIP or KEEP (none is short of data or unreliable). */
      decided?: boolean;
    }
  | { type: 'log'; message: string };

export type Listener = (e: ProgressEvent) => void;
export const silent: Listener = () => {};

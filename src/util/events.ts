// Typed progress events: the pipeline emits them; the Ink dashboard and the plain logger listen.
export type Stage = 'generate' | 'train' | 'evaluate' | 'ope' | 'replay' | 'feedback' | 'grade' | 'store' | 'report';

export type ProgressEvent =
  | { type: 'stage'; stage: Stage; status: 'start' | 'end'; detail?: string; seconds?: number }
  | { type: 'backend'; backend: string }
  | { type: 'epoch'; strategy: string; epoch: number; epochs: number; loss: number; validAuc: number; seconds: number; etaSeconds: number; stopped: boolean }
  | { type: 'step'; strategy: string; epoch: number; step: number; steps: number; loss: number; etaSeconds: number }
  | { type: 'strategy'; strategy: string; status: 'start' | 'end'; seconds?: number; samplesPerSecond?: number }
  | { type: 'run'; runId: string; db: string }
  | { type: 'offline'; strategy: string; auc: Record<string, number> }
  | {
      type: 'done';
      runId: string;
      report: string | null;
      verdict: string /** Every domain got SHIP or KEEP (none is short of data or unreliable). */;
      decided?: boolean;
    }
  | { type: 'log'; message: string };

export type Listener = (e: ProgressEvent) => void;
export const silent: Listener = () => {};

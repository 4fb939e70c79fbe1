// The dashboard's state, folded from the pipeline's progress events (pure: no work, no I/O).
import type { KeptEpoch, ProgressEvent, Stage } from '../util/events.js';

export const STAGES: Stage[] = ['generate', 'train', 'evaluate', 'ope', 'replay', 'store', 'report'];

export interface StrategyProgress {
  name: string;
  status: 'waiting' | 'training' | 'done';
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  validAuc: number;
  etaSeconds: number;
  seconds: number;
  /** When done: the epoch each model kept (the restored best), one per domain for a per-domain strategy. */
  kept: KeptEpoch[];
}

export interface DashboardState {
  backend: string | null;
  runId: string | null;
  stages: Record<Stage, { status: 'pending' | 'running' | 'done'; seconds: number }>;
  strategies: StrategyProgress[];
  /** Offline AUC per strategy as evaluation finishes it: strategy → domain → AUC. */
  offline: Record<string, Record<string, number>>;
  done: { runId: string; report: string | null; summary: string[]; narrowSummary?: string[]; decided: boolean } | null;
  error: string | null;
}

export function initialState(strategies: string[]): DashboardState {
  return {
    backend: null,
    runId: null,
    stages: Object.fromEntries(STAGES.map((s) => [s, { status: 'pending', seconds: 0 }])) as DashboardState['stages'],
    strategies: strategies.map((name) => ({
      name,
      status: 'waiting',
      epoch: 0,
      epochs: 0,
      step: 0,
      steps: 0,
      loss: NaN,
      validAuc: NaN,
      etaSeconds: NaN,
      seconds: 0,
      kept: [],
    })),
    offline: {},
    done: null,
    error: null,
  };
}

function updateStrategy(s: DashboardState, name: string, patch: Partial<StrategyProgress>): DashboardState {
  const known = s.strategies.some((x) => x.name === name);
  const list = known ? s.strategies : [...s.strategies, { ...initialState([name]).strategies[0] }];
  return { ...s, strategies: list.map((x) => (x.name === name ? { ...x, ...patch } : x)) };
}

export function reduce(s: DashboardState, e: ProgressEvent): DashboardState {
  switch (e.type) {
    case 'backend':
      return { ...s, backend: e.backend };
    case 'run':
      return { ...s, runId: e.runId };
    case 'stage':
      return { ...s, stages: { ...s.stages, [e.stage]: { status: e.status === 'start' ? 'running' : 'done', seconds: e.seconds ?? 0 } } };
    case 'strategy':
      return updateStrategy(
        s,
        e.strategy,
        e.status === 'start' ? { status: 'training' } : { status: 'done', seconds: e.seconds ?? 0, etaSeconds: 0, kept: e.kept ?? [] },
      );
    case 'step':
      return updateStrategy(s, e.strategy, { status: 'training', epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss, etaSeconds: e.etaSeconds });
    case 'epoch':
      return updateStrategy(s, e.strategy, {
        status: 'training',
        epoch: e.epoch,
        epochs: e.epochs,
        validAuc: e.validAuc,
        loss: e.loss,
        etaSeconds: e.etaSeconds,
      });
    case 'offline':
      return { ...s, offline: { ...s.offline, [e.strategy]: e.auc } };
    case 'done':
      return { ...s, done: { runId: e.runId, report: e.report, summary: e.summary, narrowSummary: e.narrowSummary, decided: e.decided ?? false } };
    default:
      return s;
  }
}

/** Fraction of a strategy's training done, from epochs and steps. */
export function progressOf(p: StrategyProgress): number {
  if (p.status === 'done') return 1;
  if (!p.epochs || !p.steps) return 0;
  return Math.min(1, (p.epoch - 1 + p.step / p.steps) / p.epochs);
}

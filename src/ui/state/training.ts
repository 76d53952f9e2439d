/**
 * Loading, the settings and the training run: its plan, batches, epochs, pause, stop and test evaluation.
 */
import { assertNever } from '../../shared/protocol';
import type { AppAction, AppState } from './base';

/** The actions of this family (routed here by appState.ts). */
export type TrainingAction = Extract<AppAction, { type: TrainingActionType }>;
export type TrainingActionType =
  | 'loadProgressed'
  | 'loaded'
  | 'modelDescribed'
  | 'backendSelected'
  | 'trainingStarted'
  | 'batchEnded'
  | 'epochEnded'
  | 'trainingPaused'
  | 'trainingResumed'
  | 'evaluationStarted'
  | 'evaluated'
  | 'checkpointSaved'
  | 'settingsChanged'
  | 'stopRequested';

export function reduceTraining(state: AppState, action: TrainingAction): AppState {
  switch (action.type) {
    case 'loadProgressed':
      // A late progress event must not pull a finished or failed load back to "loading".
      if (state.phase !== 'loading') return state;
      return { ...state, progress: { loadedBytes: action.loadedBytes, totalBytes: action.totalBytes } };
    case 'loaded':
      return { ...state, phase: state.phase === 'loading' ? 'ready' : state.phase, dataset: action.dataset, error: null };
    case 'modelDescribed':
      return { ...state, modelSummary: action.summary };
    case 'backendSelected':
      return { ...state, backend: action.backend };
    case 'trainingStarted': {
      const { resumed, batchesPerEpoch } = action.plan;
      return {
        ...state,
        phase: 'training',
        error: null,
        plan: action.plan,
        backend: action.plan.backend,
        modelSummary: action.plan.summary,
        batch: null,
        // A continued run keeps its curves up to the checkpoint; the batches after it are trained again.
        batchLosses: resumed ? state.batchLosses.filter(([step]) => step <= resumed.fromEpoch * batchesPerEpoch) : [],
        epochs: resumed ? resumed.history : [],
        evaluation: null,
        stopping: false,
        model: null,
        checkpointEpoch: resumed ? resumed.fromEpoch : null,
        interrupted: null,
        recovery: null,
        digitLists: {},
      };
    }
    case 'batchEnded':
      return { ...state, batch: action.progress, batchLosses: state.batchLosses.concat(action.progress.losses) };
    case 'epochEnded':
      return { ...state, epochs: [...state.epochs, action.result], recoveries: 0 };
    case 'trainingPaused':
      return state.phase === 'training' ? { ...state, phase: 'paused' } : state;
    case 'trainingResumed':
      return state.phase === 'paused' ? { ...state, phase: 'training' } : state;
    case 'evaluationStarted':
      return { ...state, phase: 'evaluating' };
    case 'evaluated':
      // The galleries' answers were the previous model's.
      return { ...state, phase: 'done', evaluation: action.evaluation, stopping: false, digitLists: {} };
    case 'checkpointSaved':
      return { ...state, checkpointEpoch: action.epoch };
    case 'settingsChanged':
      return { ...state, settings: action.settings, settingErrors: action.errors, urlErrors: [] };
    case 'stopRequested':
      return { ...state, stopping: true };
    default:
      return assertNever(action);
  }
}

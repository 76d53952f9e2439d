/**
 * The UI's state and the pure reducer that maps worker events and UI actions onto it. `phase` is
 * what the root element's `data-state` shows (the automation contract).
 */
import {
  assertNever,
  type AppError,
  type BackendInfo,
  type BatchProgress,
  type DatasetSummary,
  type EpochResult,
  type ModelSummary,
  type TestEvaluation,
  type Reading,
  type TrainingPlan,
  type WorkerEvent,
} from '../worker/protocol';
import { DEFAULT_SETTINGS, type SettingError, type TrainSettings } from '../worker/settings';

export type Phase = 'loading' | 'ready' | 'training' | 'paused' | 'evaluating' | 'done' | 'error';

export interface AppState {
  phase: Phase;
  /** Download progress while loading; null before the manifest is read. */
  progress: { loadedBytes: number; totalBytes: number } | null;
  dataset: DatasetSummary | null;
  error: AppError | null;
  /** Bumped by "Try again": the hook starts a fresh worker for each attempt. */
  attempt: number;
  settings: TrainSettings;
  /** Form values that cannot be used, each naming its range: Train waits until they are fixed. */
  settingErrors: SettingError[];
  /** URL parameters that could not be used (their defaults are used instead); cleared by the first edit. */
  urlErrors: SettingError[];
  modelSummary: ModelSummary | null;
  backend: BackendInfo | null;
  plan: TrainingPlan | null;
  /** The latest batch progress of the run. */
  batch: BatchProgress | null;
  /** Every batch's loss of the run: [global step, loss]. */
  batchLosses: [number, number][];
  epochs: EpochResult[];
  evaluation: TestEvaluation | null;
  /** Stop was clicked and the worker has not finished the batch yet. */
  stopping: boolean;
  /** The worker's latest reading of the Draw canvas. */
  reading: Reading | null;
  /** The newest drawing sent to be read: until its answer arrives, `reading` is out of date. */
  lastPredictRequest: number;
}

export type UiAction =
  | { type: 'retryRequested' }
  | { type: 'settingsChanged'; settings: TrainSettings; errors: SettingError[] }
  | { type: 'stopRequested' }
  | { type: 'predictRequested'; requestId: number };
export type AppAction = WorkerEvent | UiAction;

export function initialState(settings: TrainSettings = DEFAULT_SETTINGS, urlErrors: SettingError[] = []): AppState {
  return {
    phase: 'loading',
    progress: null,
    dataset: null,
    error: null,
    attempt: 0,
    settings,
    settingErrors: [],
    urlErrors,
    modelSummary: null,
    backend: null,
    plan: null,
    batch: null,
    batchLosses: [],
    epochs: [],
    evaluation: null,
    stopping: false,
    reading: null,
    lastPredictRequest: 0,
  };
}

/** True while a run owns the worker: settings are locked and Train is disabled. */
export const isRunning = (phase: Phase) => phase === 'training' || phase === 'paused' || phase === 'evaluating';

/** Applies one worker event or UI action. */
export function reduce(state: AppState, action: AppAction): AppState {
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
    case 'trainingStarted':
      return {
        ...state,
        phase: 'training',
        error: null,
        plan: action.plan,
        backend: action.plan.backend,
        modelSummary: action.plan.summary,
        batch: null,
        batchLosses: [],
        epochs: [],
        evaluation: null,
        stopping: false,
      };
    case 'batchEnded':
      return { ...state, batch: action.progress, batchLosses: state.batchLosses.concat(action.progress.losses) };
    case 'epochEnded':
      return { ...state, epochs: [...state.epochs, action.result] };
    case 'trainingPaused':
      return state.phase === 'training' ? { ...state, phase: 'paused' } : state;
    case 'trainingResumed':
      return state.phase === 'paused' ? { ...state, phase: 'training' } : state;
    case 'evaluationStarted':
      return { ...state, phase: 'evaluating' };
    case 'evaluated':
      return { ...state, phase: 'done', evaluation: action.evaluation, stopping: false };
    case 'failed':
      // Bad settings leave everything else as it was: the message says what to change.
      if (action.error.kind === 'settings') return { ...state, error: action.error, phase: state.dataset ? 'ready' : state.phase };
      return { ...state, phase: 'error', error: action.error, stopping: false };
    case 'retryRequested':
      return { ...initialState(state.settings, state.urlErrors), settingErrors: state.settingErrors, attempt: state.attempt + 1 };
    case 'settingsChanged':
      return { ...state, settings: action.settings, settingErrors: action.errors, urlErrors: [] };
    case 'stopRequested':
      return { ...state, stopping: true };
    case 'predictRequested':
      return { ...state, lastPredictRequest: Math.max(state.lastPredictRequest, action.requestId) };
    case 'predicted':
      // Answers can overtake each other only in theory; never let an older one replace a newer.
      if (state.reading && state.reading.requestId > action.reading.requestId) return state;
      return { ...state, reading: action.reading };
    default:
      return assertNever(action);
  }
}

/**
 * The UI's state and the pure reducer that maps worker events and UI actions onto it. `phase` is
 * what the root element's `data-state` shows (the automation contract).
 */
import {
  assertNever,
  type AppError,
  type BackendInfo,
  type BackendName,
  type BatchProgress,
  type CheckpointInfo,
  type ConvFilters,
  type DatasetSummary,
  type DigitItem,
  type DigitQuery,
  type LayerActivation,
  type SplitName,
  type EpochResult,
  type ModelRecord,
  type ModelSource,
  type ModelSummary,
  type SavedModelInfo,
  type TestEvaluation,
  type Reading,
  type TrainingPlan,
  type Saying,
  type WorkerEvent,
} from '../../shared/protocol';
import { DEFAULT_SETTINGS, type SettingError, type TrainSettings } from '../../shared/settings';

export type Phase = 'loading' | 'ready' | 'training' | 'paused' | 'evaluating' | 'done' | 'error';

/** The model predictions come from, and where it came from. */
export interface ModelInUse {
  source: ModelSource;
  record: ModelRecord & { id: string | null; savedAt: string };
}

/** What the next worker does once started, after the previous one crashed or lost its GPU context. */
export type Recovery =
  /** Continue the run from its checkpoint. */
  | { action: 'resume' }
  /** The run had no checkpoint (storage failed): run it again. */
  | { action: 'train' }
  /** Load the model in use back from this browser. */
  | { action: 'restore'; id: string };

/** A digit of the data set looked at inside the network (instead of the drawing). */
export interface InspectedDigit {
  split: SplitName;
  index: number;
  label: number;
  pixels: Float32Array;
  activations: LayerActivation[];
}

/** A page of a gallery, as the worker listed it. */
export interface DigitList {
  query: DigitQuery;
  offset: number;
  total: number;
  items: DigitItem[];
  bytes: Uint8Array;
}

/** One key per query and page: galleries look their page up by it. */
export function digitListKey(query: DigitQuery, offset: number): string {
  const what =
    query.kind === 'cell'
      ? `cell ${query.truth} ${query.predicted}`
      : query.kind === 'class'
        ? `class ${query.split} ${query.label}`
        : 'mistakes';
  return `${what} @${offset}`;
}

/** Pages kept: a gallery flipped back shows at once; older ones are asked for again. */
const DIGIT_LISTS_KEPT = 24;

/** Restarts in a row without progress before the app stops trying and shows the error. */
export const MAX_RECOVERIES = 3;

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
  /** Null until a run ends, a saved model is used or one is uploaded. */
  model: ModelInUse | null;
  /** Models saved in this browser, newest first. */
  savedModels: SavedModelInfo[];
  /** A run that was interrupted (reload, crash) and can be continued; null when there is none. */
  interrupted: CheckpointInfo | null;
  /** Last completed epoch saved for the current run (null before the first checkpoint). */
  checkpointEpoch: number | null;
  /** Storage did not work: what that puts at risk. */
  storageWarning: Saying | null;
  /** Uploaded files being checked, and why the last upload was refused. */
  uploading: boolean;
  uploadError: Saying | null;
  /** A saved-model operation (use, delete, download) failed; the model in use is unaffected. */
  modelError: Saying | null;
  /** A fault the app recovered from; stays until dismissed. */
  notice: Notice | null;
  /** Set between a fault and the new worker taking over. */
  recovery: Recovery | null;
  /** Restarts since the last sign of progress. */
  recoveries: number;
  /** Backends that failed on this page: later workers do not use them. */
  avoidBackends: BackendName[];
  /** The convolution filters of the model in use (or the one training). */
  filters: ConvFilters[] | null;
  /** The epochs trained when `filters` were taken (0: untrained; null: not known). */
  filtersEpoch: number | null;
  /** What the Inside panel shows: the drawing, or a digit of the data set. */
  inspecting: { split: SplitName; index: number } | null;
  /** The worker's answer for `inspecting` (may be for an earlier choice until the new one arrives). */
  inspected: InspectedDigit | null;
  /** Gallery pages by digitListKey(), newest last. */
  digitLists: Record<string, DigitList>;
}

export type UiAction =
  | { type: 'retryRequested' }
  /** The worker crashed or stopped answering (from the client's watchdog). */
  | ({ type: 'workerFaulted' } & Saying)
  | { type: 'uploadRequested' }
  | { type: 'noticeDismissed' }
  /** Look inside the network at a digit of the data set; null goes back to the drawing. */
  | { type: 'inspectRequested'; digit: { split: SplitName; index: number } | null }
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
    model: null,
    savedModels: [],
    interrupted: null,
    checkpointEpoch: null,
    storageWarning: null,
    uploading: false,
    uploadError: null,
    modelError: null,
    notice: null,
    recovery: null,
    recoveries: 0,
    avoidBackends: [],
    filters: null,
    filtersEpoch: null,
    inspecting: null,
    inspected: null,
    digitLists: {},
  };
}

/** Just the sentence of an event or error (whatever else it carries stays out of the state). */
const saying = ({ message, said }: Saying): Saying => (said ? { message, said } : { message });

/**
 * A fault the app recovered from: what happened (and to which backend), and what was done: a new
 * worker, the model restored, or the run continued from a checkpoint or from the start.
 */
export interface Notice {
  cause: Saying;
  lost?: BackendName;
  outcome: 'restarted' | 'restoring' | 'resumed' | 'retrained';
  /** For 'resumed': the last epoch completed. */
  epoch?: number;
}

/**
 * A fault (crashed or silent worker, lost WebGL context): nothing trained is lost. A run continues
 * from its last checkpoint, a model in use comes back from this browser; both in a fresh worker.
 */
function recover(state: AppState, cause: Saying, lost?: BackendName): AppState {
  const avoidBackends = lost && !state.avoidBackends.includes(lost) ? [...state.avoidBackends, lost] : state.avoidBackends;
  const running = isRunning(state.phase) || state.recovery?.action === 'resume' || state.recovery?.action === 'train';
  const recovery: Recovery | null = running
    ? state.checkpointEpoch !== null
      ? { action: 'resume' }
      : { action: 'train' }
    : state.model?.record.id
      ? { action: 'restore', id: state.model.record.id }
      : null;
  if (state.recoveries >= MAX_RECOVERIES || (recovery === null && state.model !== null)) {
    return { ...state, phase: 'error', error: { kind: 'worker', ...cause }, stopping: false, recovery: null, avoidBackends };
  }
  const next = {
    ...state,
    attempt: state.attempt + 1,
    recovery,
    recoveries: state.recoveries + 1,
    avoidBackends,
    stopping: false,
    error: null,
  };
  if (recovery === null) {
    // Nothing to keep: start over, as "Try again" would.
    return { ...next, phase: 'loading', progress: null, dataset: null, notice: { cause, lost, outcome: 'restarted' } };
  }
  if (recovery.action === 'restore') {
    return { ...next, phase: 'loading', progress: null, notice: { cause, lost, outcome: 'restoring' } };
  }
  const notice: Notice =
    recovery.action === 'resume'
      ? { cause, lost, outcome: 'resumed', epoch: state.checkpointEpoch ?? 0 }
      : { cause, lost, outcome: 'retrained' };
  return { ...next, phase: 'training', notice };
}

/** The phase a page settles in when no run is going: ready once the data is there. */
const settled = (state: AppState): Phase => (isRunning(state.phase) ? state.phase : state.dataset ? 'ready' : state.phase);

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
    case 'failed':
      // Bad settings leave everything else as it was: the message says what to change.
      if (action.error.kind === 'settings') return { ...state, error: action.error, phase: state.dataset ? 'ready' : state.phase };
      // So does a failed saved-model operation: the model in use is still there.
      if (action.error.kind === 'model') {
        // Except where the model was being restored after a fault: the new worker does not have it.
        const model = state.recovery?.action === 'restore' ? null : state.model;
        return { ...state, model, recovery: null, modelError: saying(action.error), phase: model ? 'done' : settled(state) };
      }
      return { ...state, phase: 'error', error: action.error, stopping: false, recovery: null };
    case 'retryRequested': {
      const fresh = {
        ...initialState(state.settings, state.urlErrors),
        settingErrors: state.settingErrors,
        attempt: state.attempt + 1,
        avoidBackends: state.avoidBackends,
      };
      // "Try again" keeps the model in use: it comes back from this browser.
      const id = state.model?.record.id;
      return id ? { ...fresh, model: state.model, recovery: { action: 'restore', id } } : fresh;
    }
    case 'workerFaulted':
      return recover(state, { message: action.message, said: action.said });
    case 'backendLost':
      return recover(state, { message: action.message, said: action.said }, action.backend);
    case 'savedModelsListed':
      return { ...state, savedModels: action.models, interrupted: isRunning(state.phase) ? null : action.checkpoint };
    case 'modelChanged': {
      const model: ModelInUse = { source: action.source, record: action.model };
      const base = {
        ...state,
        model,
        recovery: null,
        recoveries: 0,
        uploading: false,
        uploadError: null,
        modelError: null,
        digitLists: {},
      };
      if (action.source === 'trained') return base;
      // A restored or uploaded model brings its own results: they replace the last run's.
      return {
        ...base,
        phase: 'done',
        evaluation: action.model.evaluation,
        epochs: action.model.epochs,
        batchLosses: [],
        batch: null,
        plan: null,
        modelSummary: action.model.summary,
        digitLists: {},
      };
    }
    case 'checkpointSaved':
      return { ...state, checkpointEpoch: action.epoch };
    case 'storageFailed':
      return { ...state, storageWarning: saying(action) };
    case 'uploadRequested':
      return { ...state, uploading: true, uploadError: null };
    case 'uploadRejected':
      return { ...state, uploading: false, uploadError: saying(action) };
    case 'noticeDismissed':
      return { ...state, notice: null };
    case 'filtersChanged':
      return { ...state, filters: action.filters, filtersEpoch: action.epoch };
    case 'inspectRequested':
      return { ...state, inspecting: action.digit };
    case 'digitInspected': {
      const { split, index, label, pixels, activations } = action;
      return { ...state, inspected: { split, index, label, pixels, activations } };
    }
    case 'digitsListed': {
      const { query, offset, total, items, bytes } = action;
      const key = digitListKey(query, offset);
      const kept = Object.entries(state.digitLists)
        .filter(([k]) => k !== key)
        .slice(-(DIGIT_LISTS_KEPT - 1));
      return { ...state, digitLists: { ...Object.fromEntries(kept), [key]: { query, offset, total, items, bytes } } };
    }
    case 'modelFilesReady':
    case 'pong':
      return state;
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

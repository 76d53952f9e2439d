/**
 * The UI's state: its shape, its initial value, and the helpers every family of the reducer uses.
 * `phase` is what the root element's `data-state` shows (the automation contract).
 */
import {
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
import type { ClassMeasurement, TeachResult } from '../../shared/protocol';
import type { ClassDigitList, ClassNote } from './classDigits';
import type { EvidenceShown, LearningStepShown } from './why';
import type { RunRecord } from '../../shared/protocol';

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
export const DIGIT_LISTS_KEPT = 24;

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
  /** The class's own digits (null until the worker lists them). */
  classDigits: ClassDigitList | null;
  /** How the model reads them; `epoch` set while a run trains. */
  classMeasurement: { measurement: ClassMeasurement; epoch: number | null } | null;
  /** What the last class-digit operation said. */
  classNote: ClassNote | null;
  /** "Teach it our handwriting" was clicked and its result has not come yet. */
  teaching: boolean;
  /** The last teaching run's before and after. */
  taught: TeachResult | null;
  /** The latest evidence map, and the newest one asked for (until it arrives, `evidence` may be for an older question). */
  evidence: EvidenceShown | null;
  lastExplainRequest: number;
  /** The last learning step asked for, taken or applied. */
  learningStep: LearningStepShown | null;
  /** What the last evidence map or learning step refusal said. */
  stepError: Saying | null;
  /** The run history, newest first (null until the worker lists it). */
  runs: RunRecord[] | null;
  /** The run chosen to compare with the baseline (null: the newest other one). */
  comparedRun: string | null;
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
  | { type: 'predictRequested'; requestId: number }
  /** A class-digit operation was asked for: the last one's words go. */
  | { type: 'classRequested' }
  | { type: 'teachRequested' }
  | { type: 'explainRequested'; requestId: number }
  | { type: 'learningStepRequested'; requestId: number }
  | { type: 'learningStepApplyRequested' }
  | { type: 'runCompared'; id: string | null };
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
    classDigits: null,
    classMeasurement: null,
    classNote: null,
    teaching: false,
    taught: null,
    evidence: null,
    lastExplainRequest: 0,
    learningStep: null,
    stepError: null,
    runs: null,
    comparedRun: null,
  };
}

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

/** Just the sentence of an event or error (whatever else it carries stays out of the state). */
export const saying = ({ message, said }: Saying): Saying => (said ? { message, said } : { message });

/** The phase a page settles in when no run is going: ready once the data is there. */
export const settled = (state: AppState): Phase => (isRunning(state.phase) ? state.phase : state.dataset ? 'ready' : state.phase);

/** True while a run owns the worker: settings are locked and Train is disabled. */
export const isRunning = (phase: Phase) => phase === 'training' || phase === 'paused' || phase === 'evaluating';

/**
 * A new run has started and its epoch 0 (the untrained model) has not arrived: the panels that read
 * a digit with the model wait for it (a fraction of a second) rather than ask the worker while it
 * sets the run up; what they would read is the same untrained model, read again at epoch 0.
 */
export const awaitingFirstEpoch = (state: Pick<AppState, 'phase' | 'plan' | 'epochs'>): boolean =>
  state.phase === 'training' && state.plan !== null && state.epochs.length === 0;

/**
 * The one contract between the UI thread and the training worker: commands in, events out. Both
 * sides switch on `type` and end with an exhaustiveness check, so a new variant makes `tsc` list
 * every place that must handle it. Payloads are plain data (structured-cloneable), never tensors;
 * large buffers travel as transferables.
 */

import type { Preprocessed, Stroke } from '../data/drawing';
import type { ReliabilityBin, Verdict } from '../data/verdict';
import type { ClassFileCode, ClassMeasurement, ClassReading, Tally } from '../data/classDigits';
import type { SplitName } from '../data/mnist';
import type { ConvFilters, LayerActivation } from '../model/inspect';
import type { LayerSummary, ModelSummary } from '../model/lenet5';
import type { DataProblem } from '../data/dataFileError';
import type { ModelFile, ModelFileCode } from '../model/modelFiles';
import type { ModelStoreCode } from '../model/modelStore';
import type { Evidence } from '../model/evidence';
import type { LearningStepNumbers } from '../model/learningStep';
import type { OptimizerName } from '../model/optimizerDefaults';
import type { Activation, BackendChoice, ModelPreset, SettingCode, TrainSettings } from './settings';

// The geometry both threads need, re-exported so the UI imports only this file from below it.
export { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
export type { ReliabilityBin, Verdict };
export type { ClassMeasurement, ClassReading, Tally };
export type { Evidence, LearningStepNumbers, OptimizerName };
export type { ConvFilters, DataProblem, LayerActivation, LayerSummary, ModelFile, ModelSummary, Preprocessed, SplitName, Stroke };

/** What the worker and the client watching it say, besides what the model files, storage and settings say. */
export type WorkerCode =
  | 'workerUnresponsive'
  | 'workerCrashed'
  | 'workerUnreadable'
  | 'contextLost'
  | 'uploadWhileTraining'
  | 'filesUnreadable'
  | 'uploadUnusable'
  | 'savingFailed'
  | 'savedModelGone'
  | 'noModel'
  | 'noCheckpoint'
  | 'noStorage'
  | 'notLoaded'
  | 'classDigitLabel'
  | 'classDigitEmpty'
  | 'classDigitNotDigit'
  | 'classSetEmpty'
  | 'classNoModel'
  | 'classFilesUnreadable'
  | 'stepWhileTraining'
  | 'stepGone'
  | 'stepNoModel';

export type SaidCode = WorkerCode | ModelFileCode | ModelStoreCode | SettingCode | ClassFileCode;

/** A fact as a code and the values that fill it in, so the UI can word it in the page's language. */
export interface Said {
  code: SaidCode;
  values: Record<string, string | number>;
}

/**
 * A sentence for a person: `message` in English (what English shows, and what logs and tests
 * read), `said` the same fact for other languages. Without `said` (an unexpected error's own
 * text, from a library or the browser) every language shows the message as it is.
 */
export interface Saying {
  message: string;
  said?: Said;
}

/** Commands the UI sends to the worker (imperative names). */
/**
 * The training worker's name (new Worker(..., { name })) carries the data folder's URL, so the
 * worker starts downloading the moment its script runs: a `load` message waits for the page's
 * main thread, which is busy mounting the UI just then (about 0.4 s on a slow laptop).
 */
export const trainerWorkerName = (dataUrl: string): string => `trainer ${dataUrl}`;
/** The data URL in a name made by trainerWorkerName, or null. */
export function dataUrlFromWorkerName(name: string): string | null {
  const match = /^trainer (\S+\/)$/.exec(name);
  return match ? match[1]! : null;
}

export type WorkerCommand =
  | {
      type: 'load';
      /** Absolute URL of the folder holding manifest.json, ending in '/'. */
      dataUrl: string;
      /** Backends an earlier worker of this page lost (a WebGL context): this one starts another. */
      avoidBackends?: BackendName[];
      /** `no-wasm-simd`: the worker acts as in a browser without WebAssembly SIMD (tests). */
      testFault?: TestFault;
    }
  /** Asks for the summary of a model preset (answered by `modelDescribed`). */
  | { type: 'describeModel'; model: ModelPreset; activation: Activation; backend: BackendChoice }
  | { type: 'train'; settings: TrainSettings; testFault?: TestFault }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Ends training between two batches; the model trained so far is kept and evaluated. */
  | { type: 'stop' }
  /** Reads a drawing: MNIST-style preprocessing of the strokes, then the model in use (answered by `predicted`). */
  | { type: 'predict'; requestId: number; strokes: Stroke[] }
  /** Continues the run saved in the checkpoint from its last completed epoch (after a crash or a reload). */
  | { type: 'resumeCheckpoint' }
  /** Forgets the interrupted run's checkpoint. */
  | { type: 'discardCheckpoint' }
  /** Makes a model saved in this browser the model in use (answered by `modelChanged`). */
  | { type: 'useSavedModel'; id: string; backend: BackendChoice }
  | { type: 'deleteSavedModel'; id: string }
  /** Asks for the model in use as TensorFlow.js layers-format files (answered by `modelFilesReady`). */
  | { type: 'downloadModel' }
  /** Files the user chose: checked, evaluated on the test set, saved, then made the model in use. */
  | { type: 'uploadModel'; files: ModelFile[]; backend: BackendChoice }
  /** Liveness check: the worker answers `pong` between any two batches. */
  | { type: 'ping' }
  /** Every layer's output of the model in use for one digit of the data set (answered by `digitInspected`). */
  | { type: 'inspectDigit'; requestId: number; split: SplitName; index: number }
  /** A page of digits for a gallery (answered by `digitsListed`). */
  | { type: 'queryDigits'; requestId: number; query: DigitQuery; offset: number; count: number }
  /** The class digits and how the model in use reads them (answered by `classDigitsListed`, `classDigitsMeasured`). */
  | { type: 'listClassDigits' }
  /** Keeps a drawing as a class digit the student meant as `label`. */
  | { type: 'addClassDigit'; strokes: Stroke[]; label: number }
  | { type: 'deleteClassDigit'; id: string }
  | { type: 'clearClassDigits' }
  /** The class set as one file (answered by `classDigitsExported`). */
  | { type: 'exportClassDigits' }
  /** Class-digit files from other devices, merged without duplicates (answered by `classDigitsImported` or `classImportRejected`). */
  | { type: 'importClassDigits'; files: { name: string; text: string }[] }
  /** Trains the model in use further on MNIST and the class digits; the result is saved as a new model (answered by `taught`). */
  | { type: 'teachClassDigits' }
  /** Which pixels of a 28x28 digit raised and which lowered the model's score for `target` (answered by `digitExplained`). */
  | { type: 'explainDigit'; requestId: number; pixels: Float32Array; target: number }
  /** One optimizer step on a copy of the model in use, for one digit and its true label (answered by `learningStepTaken`). */
  | { type: 'takeLearningStep'; requestId: number; pixels: Float32Array; label: number; optimizer: OptimizerName; learningRate: number }
  /** The copy after that step reads the digit again (answered by `learningStepApplied`). */
  | { type: 'applyLearningStep'; requestId: number }
  /** The copy becomes the model in use, saved as a new model (answered by `modelChanged`). */
  | { type: 'keepLearningStep'; requestId: number }
  /** The finished runs kept in this browser (answered by `runsListed`). */
  | { type: 'listRuns' }
  /** Pins a run as the baseline (null: none); the next runs' charts show its curves dashed. */
  | { type: 'pinRun'; id: string | null }
  | { type: 'deleteRun'; id: string };

/** Which digits a gallery shows. */
export type DigitQuery =
  /** Test digits the model in use misreads, the most confident mistakes first. */
  | { kind: 'mistakes' }
  /** One cell of the confusion matrix, most confident first. */
  | { kind: 'cell'; truth: number; predicted: number }
  /** Every digit of one class of a split, in order. */
  | { kind: 'class'; split: SplitName; label: number };

/** One digit of a gallery; the model's answer where it has one (test digits, once evaluated). */
export interface DigitItem {
  split: SplitName;
  index: number;
  label: number;
  predicted: number | null;
  probabilities: number[] | null;
}

/** Faults that tests provoke on purpose (the `testFault` URL parameter). */
export type TestFault = 'lose-webgl-context' | 'no-wasm-simd';

/** What went wrong, in terms a person can act on. */
export type AppError =
  /** A data file is missing, truncated, corrupt or undecodable. */
  | { kind: 'data'; file: string; expected: string; found: string; problem: DataProblem }
  /** The worker itself crashed or could not start. */
  | ({ kind: 'worker' } & Saying)
  /** Settings out of range (the UI checks them first; the worker checks again). */
  | ({ kind: 'settings' } & Saying)
  /** Using, deleting or downloading a saved model failed; the model in use stays. */
  | ({ kind: 'model' } & Saying)
  /** A class-digit operation was refused (an empty drawing, teaching without a model or digits); nothing else changes. */
  | ({ kind: 'class' } & Saying)
  /** An evidence map or a learning step was refused or failed; the model in use and everything else stay. */
  | ({ kind: 'step' } & Saying)
  /** Anything else the worker caught. */
  | ({ kind: 'internal' } & Saying);

/** Sample digits for the Data panel. */
export interface SampleDigits {
  /** Training-set index of each sample. */
  indices: number[];
  labels: number[];
  /** 28x28 bytes (0-255) per sample, one after another. */
  bytes: Uint8Array;
}

export interface DatasetSummary {
  trainCount: number;
  testCount: number;
  /** Digits per class, 0-9. */
  labelCounts: { train: number[]; test: number[] };
  source: string;
  files: number;
  downloadedBytes: number;
  durationMs: number;
  samples: SampleDigits;
}

export type BackendName = 'webgl' | 'wasm' | 'cpu';

/** What runs the training steps: the LeNet Lab engine (WebAssembly SIMD) or tfjs on its backend. */
export type TrainerKind = 'engine' | 'tfjs';

/** What trains and the tfjs backend under the model, and why they were chosen. */
export interface BackendInfo {
  /** The tfjs backend: it trains when `trainer` is tfjs; it always runs the model in use outside training. */
  name: BackendName;
  trainer: TrainerKind;
  /** Images a second each candidate trained in the calibration, when one ran. */
  rates?: { engine?: number; webgl?: number };
  /** A sentence for the badge, e.g. "WebGL is software-rendered here: SwiftShader". */
  reason: string;
  /** The same reasons as codes, for the UI to word in the page's language. */
  why?: BackendWhy[];
}

/** One reason a backend was chosen (detail: the renderer, or the backend that failed). */
export interface BackendWhy {
  code: 'lost' | 'software' | 'unavailable' | 'gpu' | 'fastest' | 'chosen' | 'failed' | 'measured' | 'noSimd';
  detail: string;
}

export interface TrainingPlan {
  settings: TrainSettings;
  backend: BackendInfo;
  summary: ModelSummary;
  trainCount: number;
  validationCount: number;
  batchesPerEpoch: number;
  /** Set when the run continues from a checkpoint: the epochs already done (epoch 0 included). */
  resumed: { fromEpoch: number; history: EpochResult[] } | null;
  /** Set for a run that teaches the model in use the class digits: how many it learns, and their copies per epoch. */
  teaching?: { classDigits: number; copies: number };
}

/** A class digit as the list shows it (its 28x28 bytes travel beside the list). */
export interface ClassDigitInfo {
  id: string;
  label: number;
  addedAt: string;
  /** Kept out of teaching: "after" is measured on these. */
  heldOut: boolean;
}

/** What a teacher compares before and after teaching. */
export interface TeachFigures {
  /** The class digits kept out of teaching. */
  heldOut: Tally;
  /** The class digits it was taught. */
  taught: Tally;
  /** MNIST test accuracy. */
  mnist: number;
}

export interface TeachResult {
  /** The model taught (it stays saved as it was). */
  from: { id: string | null; name: string };
  /** The new model, saved under this name (id null where saving failed). */
  model: { id: string | null; name: string };
  /** Times each class digit was seen per epoch. */
  copies: number;
  epochs: number;
  stopped: boolean;
  before: TeachFigures;
  after: TeachFigures;
}

/** Progress within an epoch, posted at most every BATCH_EVENT_INTERVAL_MS. */
export interface BatchProgress {
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Loss of every batch since the previous event: [global step, loss] pairs. */
  losses: [number, number][];
  /** Mean loss and accuracy over this epoch so far. */
  loss: number;
  accuracy: number;
  /** Training throughput, not counting the first batch of the run (warm-up) or paused time. */
  imagesPerSecond: number;
  /** Duration of the run's first batch: backend warm-up such as shader compilation. */
  warmupMs: number;
  /** Training time so far in this run, paused time excluded. */
  elapsedMs: number;
}

export interface EpochResult {
  /** 0 for the untrained model (posted before the first batch), then 1, 2, ... */
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  /** Null when validationSplit is 0. */
  valLoss: number | null;
  valAccuracy: number | null;
  durationMs: number;
  imagesPerSecond: number;
  /** tf.memory().numTensors in the worker after the epoch: flat from epoch to epoch. */
  numTensors: number;
  /** Bytes held by those tensors, and the WASM backend's linear memory (null on other backends). */
  tensorBytes: number;
  wasmMemoryBytes: number | null;
}

export interface TestEvaluation {
  count: number;
  loss: number;
  accuracy: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClassAccuracy: number[];
  /** How often the top digit is right for each band of the network's top probability (absent in models saved before it). */
  reliability?: ReliabilityCurve;
  durationMs: number;
  /** True when the run was stopped before its last epoch. */
  stopped: boolean;
  epochsCompleted: number;
}

/** The reliability curve of the test set (src/data/verdict.ts). */
export interface ReliabilityCurve {
  bins: ReliabilityBin[];
  /** The answers the Draw panel's rule would give as one sure digit, and how many of them are right. */
  sure: { count: number; correct: number };
}

/** What the worker made of a drawing. */
export interface Reading {
  requestId: number;
  /** Strokes in the drawing read: lets a caller match the answer to what is on the canvas. */
  strokeCount: number;
  /** Null for an empty drawing: no prediction, never a guess. */
  input: Preprocessed | null;
  /** The 10 class probabilities; null when there is no input or no model yet. */
  probabilities: number[] | null;
  /** Every layer's output for the input (the last is the probabilities); null with them. */
  activations: LayerActivation[] | null;
  /** What the Draw panel says: one digit, "not sure: 4 or 9?", or not a digit; null with the probabilities. */
  verdict: Verdict | null;
}

/** Where the model in use came from: trained in this session, restored from this browser, or uploaded. */
export type ModelSource = 'trained' | 'restored' | 'uploaded';

/** A finished run as the run history keeps it (IndexedDB): enough to compare it with another. */
export interface RunRecord {
  id: string;
  /** ISO 8601. */
  finishedAt: string;
  name: string;
  settings: TrainSettings;
  /** What trained it: "engine" or "tfjs webgl", "tfjs wasm"... */
  trainer: string;
  trainCount: number;
  /** Every epoch's figures, epoch 0 (the untrained model) included. */
  epochs: EpochResult[];
  /** On the 10,000 test digits, with the confusion matrix. */
  evaluation: TestEvaluation;
  /** Set for a run that taught the class digits. */
  classDigits?: number;
  /** The baseline: the next runs' charts show its curves dashed. At most one run is pinned. */
  pinned: boolean;
}

/** What is kept with a saved model besides its weights. */
export interface ModelRecord {
  name: string;
  /** How it came into this browser. */
  origin: 'trained' | 'uploaded';
  /** The settings it was trained with; null for an uploaded model. */
  settings: TrainSettings | null;
  summary: ModelSummary;
  /** On the 10,000 test digits (an uploaded model is evaluated when it arrives). */
  evaluation: TestEvaluation;
  /** The training curves' epochs; empty for an uploaded model. */
  epochs: EpochResult[];
  weightBytes: number;
  /** Set for a model taught the class digits: how many it learned from. */
  classDigits?: number;
  /** Set for a model kept after single-digit learning steps: how many, and the last one's optimizer and digit. */
  learningSteps?: { count: number; optimizer: OptimizerName; label: number };
}

/** A model saved in this browser (IndexedDB), as the list shows it. */
export interface SavedModelInfo extends ModelRecord {
  id: string;
  /** ISO 8601. */
  savedAt: string;
}

/** The run a checkpoint can continue. */
export interface CheckpointInfo {
  settings: TrainSettings;
  /** Last completed epoch (0: none yet, the initial weights). */
  epoch: number;
  savedAt: string;
}

/** Events the worker posts (past-tense names). */
export type WorkerEvent =
  | { type: 'loadProgressed'; loadedBytes: number; totalBytes: number }
  | { type: 'loaded'; dataset: DatasetSummary }
  | { type: 'modelDescribed'; summary: ModelSummary }
  | { type: 'backendSelected'; backend: BackendInfo }
  | { type: 'trainingStarted'; plan: TrainingPlan }
  | { type: 'batchEnded'; progress: BatchProgress }
  | { type: 'epochEnded'; result: EpochResult }
  | { type: 'trainingPaused' }
  | { type: 'trainingResumed' }
  | { type: 'evaluationStarted'; stopped: boolean }
  | { type: 'evaluated'; evaluation: TestEvaluation }
  | { type: 'predicted'; reading: Reading }
  /** The models saved in this browser, newest first, and the interrupted run that can be continued. */
  | { type: 'savedModelsListed'; models: SavedModelInfo[]; checkpoint: CheckpointInfo | null }
  /** The model in use changed; `model.id` is null when it could not be saved. */
  | { type: 'modelChanged'; source: ModelSource; model: ModelRecord & { id: string | null; savedAt: string } }
  | { type: 'checkpointSaved'; epoch: number }
  /** Saving to this browser failed (quota, private mode): training goes on, the message says what is at risk. */
  | ({ type: 'storageFailed' } & Saying)
  | { type: 'modelFilesReady'; files: ModelFile[] }
  /** Uploaded files that cannot be used; the model in use stays. */
  | ({ type: 'uploadRejected' } & Saying)
  /** The GPU context was lost mid-run: the UI starts a fresh worker that resumes from the checkpoint. */
  | ({ type: 'backendLost'; backend: BackendName } & Saying)
  | { type: 'pong' }
  /**
   * The convolution filters of the model in use: after every epoch and when the model changes.
   * `epoch`: the epochs the model has been trained (0: untrained); null when not known.
   */
  | { type: 'filtersChanged'; filters: ConvFilters[]; epoch: number | null }
  | {
      type: 'digitInspected';
      requestId: number;
      split: SplitName;
      index: number;
      label: number;
      /** 28x28 in [0, 1]: the network's input. */
      pixels: Float32Array;
      activations: LayerActivation[];
    }
  | {
      type: 'digitsListed';
      requestId: number;
      query: DigitQuery;
      offset: number;
      /** Digits matching the query in all (the page holds `items.length` of them). */
      total: number;
      items: DigitItem[];
      /** 28x28 bytes per item, one after another. */
      bytes: Uint8Array;
    }
  | { type: 'classDigitsListed'; digits: ClassDigitInfo[]; bytes: Uint8Array }
  /** How the model in use (or, during a run, the model training) reads the class digits; null with no model or no digits. */
  | { type: 'classDigitsMeasured'; measurement: ClassMeasurement | null; epoch: number | null }
  | { type: 'classDigitsExported'; name: string; text: string; count: number }
  | { type: 'classDigitsImported'; added: number; duplicates: number; files: number }
  /** Files that cannot be imported; nothing changed. */
  | ({ type: 'classImportRejected' } & Saying)
  | { type: 'taught'; result: TeachResult }
  /** The evidence map for the digit of `explainDigit`, and how long the worker took. */
  | { type: 'digitExplained'; requestId: number; evidence: Evidence; durationMs: number }
  | { type: 'learningStepTaken'; requestId: number; numbers: LearningStepNumbers }
  /** The copy's reading of the digit after the step. */
  | { type: 'learningStepApplied'; requestId: number; probabilities: number[]; loss: number }
  /** The run history, newest first. */
  | { type: 'runsListed'; runs: RunRecord[] }
  | { type: 'failed'; error: AppError };

/** Batch events at most this often: a smooth curve without flooding the UI thread. */
export const BATCH_EVENT_INTERVAL_MS = 100;

/** Samples shown per class in the Data panel. */
export const SAMPLES_PER_CLASS = 10;

/** Compile-time exhaustiveness check for switches over the unions above. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}

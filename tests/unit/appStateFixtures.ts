/**
 * Events and states for the reducer's tests (appState.*.test.ts): a loaded data set, a run's plan,
 * its batches and epochs, a saved model. Plain data; states are built by feeding events to `reduce`.
 */
import { initialState, reduce, type AppAction, type AppState } from '../../src/ui/state/appState';
import type { BatchProgress, DatasetSummary, EpochResult, ModelRecord, TestEvaluation, TrainingPlan } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

/** Feeds the actions to the reducer in order, from a fresh page unless told otherwise. */
export const run = (actions: AppAction[], from: AppState = initialState()): AppState => actions.reduce(reduce, from);

export const dataset: DatasetSummary = {
  trainCount: 60_000,
  testCount: 10_000,
  labelCounts: { train: new Array(10).fill(6000), test: new Array(10).fill(1000) },
  source: 'test',
  files: 9,
  downloadedBytes: 13_000_000,
  durationMs: 2000,
  samples: { indices: [], labels: [], bytes: new Uint8Array() },
};

export const plan: TrainingPlan = {
  settings: DEFAULT_SETTINGS,
  backend: { name: 'wasm', trainer: 'tfjs', reason: 'test' },
  summary: { preset: 'lenet5', label: 'LeNet-5', inputShape: [28, 28, 1], layers: [], totalParams: 44_426 },
  trainCount: 48_000,
  validationCount: 12_000,
  batchesPerEpoch: 750,
  resumed: null,
};

export const evaluation: TestEvaluation = {
  count: 10_000,
  loss: 0.05,
  accuracy: 0.987,
  confusion: [],
  perClassAccuracy: [],
  durationMs: 1,
  stopped: false,
  epochsCompleted: 20,
};

/** A batch event carrying these [global step, loss] pairs. */
export const batch = (losses: [number, number][], epoch = 1): BatchProgress => ({
  epoch,
  batch: 10,
  batchesPerEpoch: 750,
  losses,
  loss: 2.2,
  accuracy: 0.2,
  imagesPerSecond: 1800,
  warmupMs: 30,
  elapsedMs: 400,
});

export const epoch = (n: number): EpochResult => ({
  epoch: n,
  epochs: 20,
  loss: 1 / (n + 1),
  accuracy: 0.5,
  valLoss: null,
  valAccuracy: null,
  durationMs: 1,
  imagesPerSecond: 1,
  numTensors: 72,
  tensorBytes: 1,
  wasmMemoryBytes: null,
});

/** A model as the worker announces it; `id` null when it could not be saved in this browser. */
export const record = (id: string | null = 'm1'): ModelRecord & { id: string | null; savedAt: string } => ({
  id,
  savedAt: '2026-11-27T10:42:00.000Z',
  name: 'LeNet-5',
  origin: 'trained',
  settings: DEFAULT_SETTINGS,
  summary: { ...plan.summary, label: 'LeNet-5 (saved)' },
  evaluation,
  epochs: [epoch(0), epoch(1)],
  weightBytes: 177_704,
});

/** The data set loaded, then a run started on it. */
export const started = (): AppState =>
  run([
    { type: 'loaded', dataset },
    { type: 'trainingStarted', plan },
  ]);

/** Two epochs into a run, checkpointed after each, a batch into the third. */
export const midRun = (): AppState =>
  run(
    [
      { type: 'epochEnded', result: epoch(0) },
      { type: 'checkpointSaved', epoch: 0 },
      { type: 'batchEnded', progress: batch([[1, 2.3]]) },
      { type: 'epochEnded', result: epoch(1) },
      { type: 'checkpointSaved', epoch: 1 },
      { type: 'batchEnded', progress: batch([[751, 0.5]], 2) },
    ],
    started(),
  );

/** The data set loaded and a model in use (trained here and saved as `id`, unless told otherwise). */
export const withModel = (id: string | null = 'm1', source: 'trained' | 'restored' | 'uploaded' = 'trained'): AppState =>
  run([
    { type: 'loaded', dataset },
    { type: 'modelChanged', source, model: record(id) },
  ]);

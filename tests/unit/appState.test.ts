import { describe, expect, it } from 'vitest';
import { initialState, reduce, type AppAction, type AppState } from '../../src/ui/appState';
import type { DatasetSummary, TrainingPlan } from '../../src/worker/protocol';
import { DEFAULT_SETTINGS } from '../../src/worker/settings';

const dataset: DatasetSummary = {
  trainCount: 60_000,
  testCount: 10_000,
  labelCounts: { train: new Array(10).fill(6000), test: new Array(10).fill(1000) },
  source: 'test',
  files: 9,
  downloadedBytes: 13_000_000,
  durationMs: 2000,
  samples: { indices: [], labels: [], bytes: new Uint8Array() },
};

const run = (actions: AppAction[], from: AppState = initialState()) => actions.reduce(reduce, from);

describe('reduce', () => {
  it('starts loading, tracks progress, then is ready with the data set', () => {
    expect(initialState().phase).toBe('loading');
    const loading = run([{ type: 'loadProgressed', loadedBytes: 10, totalBytes: 100 }]);
    expect(loading).toMatchObject({ phase: 'loading', progress: { loadedBytes: 10, totalBytes: 100 } });
    expect(run([{ type: 'loaded', dataset }], loading)).toMatchObject({ phase: 'ready', dataset, error: null });
  });

  it('goes to error with the worker’s error, and a retry starts over with a new attempt', () => {
    const error = { kind: 'data', file: 'train-labels.u8', expected: '60000 bytes', found: '10 bytes (truncated)' } as const;
    const failed = run([
      { type: 'loadProgressed', loadedBytes: 10, totalBytes: 100 },
      { type: 'failed', error },
    ]);
    expect(failed).toMatchObject({ phase: 'error', error });
    const retried = run([{ type: 'retryRequested' }], failed);
    expect(retried).toEqual({ ...initialState(), attempt: 1 });
  });

  it('ignores a progress event that arrives after the load finished or failed', () => {
    const ready = run([{ type: 'loaded', dataset }]);
    expect(run([{ type: 'loadProgressed', loadedBytes: 1, totalBytes: 2 }], ready)).toBe(ready);
    const failed = run([{ type: 'failed', error: { kind: 'worker', message: 'crashed' } }]);
    expect(run([{ type: 'loadProgressed', loadedBytes: 1, totalBytes: 2 }], failed).phase).toBe('error');
  });

  it('keeps the loaded data set when the worker crashes later', () => {
    const crashed = run([
      { type: 'loaded', dataset },
      { type: 'failed', error: { kind: 'worker', message: 'crashed' } },
    ]);
    expect(crashed.phase).toBe('error');
    expect(crashed.dataset).toBe(dataset);
  });

  const plan: TrainingPlan = {
    settings: DEFAULT_SETTINGS,
    backend: { name: 'wasm', reason: 'test' },
    summary: { preset: 'lenet5', label: 'LeNet-5', inputShape: [28, 28, 1], layers: [], totalParams: 44_426 },
    trainCount: 48_000,
    validationCount: 12_000,
    batchesPerEpoch: 750,
  };
  const evaluation = {
    count: 10_000,
    loss: 0.05,
    accuracy: 0.987,
    confusion: [],
    perClassAccuracy: [],
    durationMs: 1,
    stopped: false,
    epochsCompleted: 20,
  };
  const progress = {
    epoch: 1,
    batch: 10,
    batchesPerEpoch: 750,
    losses: [
      [1, 2.3],
      [2, 2.2],
    ] as [number, number][],
    loss: 2.2,
    accuracy: 0.2,
    imagesPerSecond: 1800,
    warmupMs: 30,
    elapsedMs: 400,
  };

  it('walks a run through training, paused, evaluating and done, collecting batch losses', () => {
    const ready = run([{ type: 'loaded', dataset }]);
    const training = run(
      [
        { type: 'trainingStarted', plan },
        { type: 'batchEnded', progress },
        { type: 'batchEnded', progress: { ...progress, losses: [[3, 2.1]] } },
      ],
      ready,
    );
    expect(training.phase).toBe('training');
    expect(training.batchLosses).toEqual([
      [1, 2.3],
      [2, 2.2],
      [3, 2.1],
    ]);
    expect(run([{ type: 'trainingPaused' }], training).phase).toBe('paused');
    expect(run([{ type: 'trainingPaused' }, { type: 'trainingResumed' }], training).phase).toBe('training');
    const done = run(
      [
        { type: 'evaluationStarted', stopped: false },
        { type: 'evaluated', evaluation },
      ],
      training,
    );
    expect(done).toMatchObject({ phase: 'done', evaluation });
    // A new run clears the previous one's curves and results.
    expect(run([{ type: 'trainingStarted', plan }], done)).toMatchObject({
      phase: 'training',
      batchLosses: [],
      epochs: [],
      evaluation: null,
    });
  });

  it('settles on done when Stop races the end of the run, and never goes back to training', () => {
    const training = run([
      { type: 'loaded', dataset },
      { type: 'trainingStarted', plan },
    ]);
    const stopping = run([{ type: 'stopRequested' }], training);
    expect(stopping.stopping).toBe(true);
    const done = run(
      [{ type: 'evaluationStarted', stopped: false }, { type: 'evaluated', evaluation }, { type: 'trainingResumed' }],
      stopping,
    );
    expect(done).toMatchObject({ phase: 'done', stopping: false });
  });

  it('goes to error when the worker fails mid-training, keeping the data set and the curves so far', () => {
    const failed = run([
      { type: 'loaded', dataset },
      { type: 'trainingStarted', plan },
      { type: 'batchEnded', progress },
      { type: 'failed', error: { kind: 'internal', message: 'WebGL context lost' } },
    ]);
    expect(failed).toMatchObject({ phase: 'error', dataset, batchLosses: progress.losses });
  });

  it('reports bad settings without leaving the ready state', () => {
    const ready = run([{ type: 'loaded', dataset }]);
    const refused = run([{ type: 'failed', error: { kind: 'settings', message: 'epochs must be ...' } }], ready);
    expect(refused.phase).toBe('ready');
    expect(refused.error).toEqual({ kind: 'settings', message: 'epochs must be ...' });
  });

  it('keeps the newest reading of the drawing and knows when one is still on its way', () => {
    const reading = (requestId: number) => ({ requestId, strokeCount: 1, input: null, probabilities: null });
    const asked = run([
      { type: 'predictRequested', requestId: 1 },
      { type: 'predictRequested', requestId: 2 },
    ]);
    expect(asked.lastPredictRequest).toBe(2);
    const answered = run(
      [
        { type: 'predicted', reading: reading(2) },
        { type: 'predicted', reading: reading(1) },
      ],
      asked,
    );
    expect(answered.reading?.requestId).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_RECOVERIES, initialState } from '../../src/ui/state/appState';
import type { ModelRecord } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { dataset, epoch, evaluation, plan, run } from './appStateFixtures';

describe('reduce', () => {
  it('starts loading, tracks progress, then is ready with the data set', () => {
    expect(initialState().phase).toBe('loading');
    const loading = run([{ type: 'loadProgressed', loadedBytes: 10, totalBytes: 100 }]);
    expect(loading).toMatchObject({ phase: 'loading', progress: { loadedBytes: 10, totalBytes: 100 } });
    expect(run([{ type: 'loaded', dataset }], loading)).toMatchObject({ phase: 'ready', dataset, error: null });
  });

  it('goes to error with the worker’s error, and a retry starts over with a new attempt', () => {
    const error = {
      kind: 'data',
      file: 'train-labels.u8',
      expected: '60000 bytes',
      found: '10 bytes (truncated)',
      problem: 'size',
    } as const;
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
    const reading = (requestId: number) => ({
      requestId,
      strokeCount: 1,
      input: null,
      probabilities: null,
      activations: null,
      verdict: null,
    });
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

  describe('faults and saved models', () => {
    const record: ModelRecord & { id: string; savedAt: string } = {
      id: 'm1',
      savedAt: '2026-11-27T10:42:00.000Z',
      name: 'LeNet-5',
      origin: 'trained',
      settings: DEFAULT_SETTINGS,
      summary: plan.summary,
      evaluation,
      epochs: [epoch(0), epoch(1)],
      weightBytes: 177_704,
    };
    /** Two epochs into a run, checkpointed after each. A function: the reducer runs inside the tests, not while they are collected. */
    const midRun = () =>
      run([
        { type: 'loaded', dataset },
        { type: 'trainingStarted', plan },
        { type: 'epochEnded', result: epoch(0) },
        { type: 'checkpointSaved', epoch: 0 },
        { type: 'batchEnded', progress: { ...progress, losses: [[1, 2.3]] } },
        { type: 'epochEnded', result: epoch(1) },
        { type: 'checkpointSaved', epoch: 1 },
        { type: 'batchEnded', progress: { ...progress, epoch: 2, losses: [[751, 0.5]] } },
      ]);

    it('a worker that dies mid-run: a fresh worker continues from the last checkpoint, and the page says so', () => {
      const training = midRun();
      const faulted = run([{ type: 'workerFaulted', message: 'The training worker stopped responding' }], training);
      expect(faulted).toMatchObject({ phase: 'training', attempt: training.attempt + 1, recovery: { action: 'resume' }, recoveries: 1 });
      expect(faulted.notice).toEqual({ cause: { message: 'The training worker stopped responding' }, outcome: 'resumed', epoch: 1 });
      // The resumed run keeps the curves up to the checkpoint and drops the batches it trains again.
      const resumed = run(
        [{ type: 'trainingStarted', plan: { ...plan, resumed: { fromEpoch: 1, history: [epoch(0), epoch(1)] } } }],
        faulted,
      );
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([0, 1]);
      expect(resumed.batchLosses).toEqual([[1, 2.3]]);
      expect(resumed).toMatchObject({ recovery: null, notice: faulted.notice, checkpointEpoch: 1 });
    });

    it('a lost WebGL context: the next workers avoid WebGL', () => {
      const lost = run([{ type: 'backendLost', backend: 'webgl', message: 'the WebGL context was lost' }], midRun());
      expect(lost).toMatchObject({ phase: 'training', recovery: { action: 'resume' }, avoidBackends: ['webgl'] });
      expect(lost.notice).toEqual({ cause: { message: 'the WebGL context was lost' }, lost: 'webgl', outcome: 'resumed', epoch: 1 });
    });

    it('without a checkpoint (storage failed) the run starts again rather than being lost', () => {
      const early = run([
        { type: 'loaded', dataset },
        { type: 'trainingStarted', plan },
      ]);
      expect(run([{ type: 'workerFaulted', message: 'x' }], early).recovery).toEqual({ action: 'train' });
    });

    it('after training, a fault brings the model in use back from this browser', () => {
      const done = run([
        { type: 'loaded', dataset },
        { type: 'modelChanged', source: 'trained', model: record },
      ]);
      const faulted = run([{ type: 'workerFaulted', message: 'The training worker crashed' }], done);
      expect(faulted).toMatchObject({ phase: 'loading', recovery: { action: 'restore', id: 'm1' }, model: done.model });
      const restored = run(
        [
          { type: 'loaded', dataset },
          { type: 'modelChanged', source: 'restored', model: record },
        ],
        faulted,
      );
      expect(restored).toMatchObject({ phase: 'done', recovery: null, recoveries: 0, evaluation, epochs: record.epochs });
    });

    it('gives up with the error after repeated faults without progress', () => {
      let state = midRun();
      for (let i = 0; i < MAX_RECOVERIES; i++) state = run([{ type: 'workerFaulted', message: 'crashed' }], state);
      expect(state.phase).toBe('training');
      state = run([{ type: 'workerFaulted', message: 'crashed' }], state);
      expect(state).toMatchObject({ phase: 'error', error: { kind: 'worker', message: 'crashed' } });
    });

    it('a failed saved-model operation or upload leaves the model in use and the phase', () => {
      const done = run([
        { type: 'loaded', dataset },
        { type: 'modelChanged', source: 'uploaded', model: { ...record, origin: 'uploaded' } },
      ]);
      const failed = run([{ type: 'failed', error: { kind: 'model', message: 'gone' } }], done);
      expect(failed).toMatchObject({ phase: 'done', model: done.model, modelError: { message: 'gone' } });
      const rejected = run([{ type: 'uploadRequested' }, { type: 'uploadRejected', message: 'bad json' }], done);
      expect(rejected).toMatchObject({ phase: 'done', model: done.model, uploading: false, uploadError: { message: 'bad json' } });
    });

    it('"Try again" after an error keeps the model in use by restoring it', () => {
      const done = run([
        { type: 'loaded', dataset },
        { type: 'modelChanged', source: 'trained', model: record },
      ]);
      const retried = run([{ type: 'failed', error: { kind: 'internal', message: 'x' } }, { type: 'retryRequested' }], done);
      expect(retried).toMatchObject({ phase: 'loading', model: done.model, recovery: { action: 'restore', id: 'm1' } });
    });
  });
});

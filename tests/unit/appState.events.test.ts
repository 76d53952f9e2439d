/**
 * The reducer, one event family at a time: a fresh page, a run's events arriving in and out of
 * order, the saved models, uploads, the Inside panel and the galleries' page cache.
 */
import { describe, expect, it } from 'vitest';
import { digitListKey, initialState, isRunning, reduce, type AppAction, type AppState, type Phase } from '../../src/ui/state/appState';
import type { DigitQuery, Reading } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, type SettingError } from '../../src/shared/settings';
import { batch, dataset, evaluation, midRun, plan, record, run, started, withModel } from './appStateFixtures';

const settingError: SettingError = {
  setting: 'epochs',
  message: 'epochs must be a whole number from 1 to 100; got "0"',
  said: { code: 'settingRange', values: { setting: 'epochs', raw: '0' } },
};

/** A page of a gallery as the worker lists it. */
const listed = (query: DigitQuery, offset: number, total = 100): Extract<AppAction, { type: 'digitsListed' }> => ({
  type: 'digitsListed',
  requestId: offset,
  query,
  offset,
  total,
  items: [{ split: 'test', index: offset, label: 7, predicted: 1, probabilities: null }],
  bytes: new Uint8Array(784),
});

describe('a fresh page', () => {
  it('is loading, with nothing trained, nothing pending and no error', () => {
    expect(initialState()).toEqual({
      phase: 'loading',
      progress: null,
      dataset: null,
      error: null,
      attempt: 0,
      settings: DEFAULT_SETTINGS,
      settingErrors: [],
      urlErrors: [],
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
    });
  });

  it('starts from the URL’s settings and shows the URL parameters that could not be used until the first edit', () => {
    const fromUrl = { ...DEFAULT_SETTINGS, epochs: 2 };
    const page = initialState(fromUrl, [settingError]);
    expect(page).toMatchObject({ settings: fromUrl, urlErrors: [settingError], settingErrors: [] });
    const edited = run([{ type: 'settingsChanged', settings: { ...fromUrl, epochs: 0 }, errors: [settingError] }], page);
    expect(edited).toMatchObject({ settings: { ...fromUrl, epochs: 0 }, settingErrors: [settingError], urlErrors: [] });
  });
});

describe('isRunning', () => {
  it('is true while a run owns the worker: training, paused or evaluating', () => {
    const phases: Phase[] = ['loading', 'ready', 'training', 'paused', 'evaluating', 'done', 'error'];
    expect(phases.filter(isRunning)).toEqual(['training', 'paused', 'evaluating']);
  });
});

describe('a run', () => {
  it('takes its backend and model summary from the plan, and starts without a model in use or an interrupted run to offer', () => {
    const offered = run([
      { type: 'loaded', dataset },
      { type: 'modelChanged', source: 'restored', model: record('m1') },
      { type: 'savedModelsListed', models: [], checkpoint: { settings: DEFAULT_SETTINGS, epoch: 3, savedAt: 'x' } },
      listed({ kind: 'mistakes' }, 0),
      { type: 'stopRequested' },
      { type: 'batchEnded', progress: batch([[1, 2]]) },
    ]);
    expect(offered.interrupted).not.toBeNull();
    const training = run([{ type: 'trainingStarted', plan }], offered);
    expect(training).toMatchObject({
      phase: 'training',
      plan,
      backend: plan.backend,
      modelSummary: plan.summary,
      model: null,
      interrupted: null,
      evaluation: null,
      batch: null,
      batchLosses: [],
      epochs: [],
      stopping: false,
      checkpointEpoch: null,
      digitLists: {},
    });
  });

  it('keeps each batch’s progress, and the losses of a continued run up to and including the checkpoint’s last step', () => {
    const state = run([
      { type: 'batchEnded', progress: batch([[749, 0.6]]) },
      { type: 'batchEnded', progress: batch([[750, 0.5]]) },
      { type: 'batchEnded', progress: batch([[751, 0.4]], 2) },
    ]);
    expect(state.batch).toEqual(batch([[751, 0.4]], 2));
    const resumed = run([{ type: 'trainingStarted', plan: { ...plan, resumed: { fromEpoch: 1, history: [] } } }], state);
    expect(resumed.batchLosses).toEqual([
      [749, 0.6],
      [750, 0.5],
    ]);
    expect(resumed.checkpointEpoch).toBe(1);
  });

  it('appends each epoch and remembers the last checkpoint', () => {
    const state = midRun();
    expect(state.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(state.checkpointEpoch).toBe(1);
  });

  it('pauses only while training, and evaluates, then is done with the previous galleries dropped', () => {
    const evaluating = run([{ type: 'evaluationStarted', stopped: false }], started());
    expect(evaluating.phase).toBe('evaluating');
    expect(run([{ type: 'trainingPaused' }], evaluating)).toBe(evaluating);
    const listedThenEvaluated = run(
      [listed({ kind: 'mistakes' }, 0), { type: 'stopRequested' }, { type: 'evaluated', evaluation }],
      evaluating,
    );
    expect(listedThenEvaluated).toMatchObject({ phase: 'done', evaluation, stopping: false, digitLists: {} });
    expect(run([{ type: 'trainingPaused' }], listedThenEvaluated)).toBe(listedThenEvaluated);
  });

  it('a failure mid-run ends a pending Stop and any recovery', () => {
    const failed = run([{ type: 'stopRequested' }, { type: 'failed', error: { kind: 'internal', message: 'x' } }], midRun());
    expect(failed).toMatchObject({ phase: 'error', stopping: false, recovery: null });
  });

  it('a saved-model operation failing mid-run leaves the run going', () => {
    const failed = run([{ type: 'failed', error: { kind: 'model', message: 'could not delete' } }], midRun());
    expect(failed).toMatchObject({ phase: 'training', model: null, modelError: { message: 'could not delete' } });
  });

  it('describes the model and the backend as the worker reports them', () => {
    const backend = { name: 'cpu', trainer: 'tfjs', reason: 'no WebGL, no WASM' } as const;
    const state = run([
      { type: 'modelDescribed', summary: plan.summary },
      { type: 'backendSelected', backend },
    ]);
    expect(state).toMatchObject({ modelSummary: plan.summary, backend, phase: 'loading' });
  });
});

describe('the model in use', () => {
  it('a model trained here joins the run’s own curves and leaves the phase to the run', () => {
    const evaluating = run([{ type: 'evaluationStarted', stopped: false }], midRun());
    const trained = run([{ type: 'modelChanged', source: 'trained', model: record('m2') }], evaluating);
    expect(trained).toMatchObject({ phase: 'evaluating', model: { source: 'trained', record: record('m2') }, recovery: null });
    expect(trained.epochs).toBe(evaluating.epochs);
    expect(trained.batchLosses).toBe(evaluating.batchLosses);
    expect(trained.plan).toBe(plan);
  });

  it('a restored or uploaded model brings its own results, replacing the last run’s curves', () => {
    for (const source of ['restored', 'uploaded'] as const) {
      const replaced = run([{ type: 'modelChanged', source, model: record('m3') }], midRun());
      expect(replaced).toMatchObject({
        phase: 'done',
        evaluation,
        epochs: record().epochs,
        batchLosses: [],
        batch: null,
        plan: null,
        modelSummary: record().summary,
        model: { source },
      });
    }
  });

  it('lists the saved models, and offers an interrupted run only while no run is going', () => {
    const checkpoint = { settings: DEFAULT_SETTINGS, epoch: 3, savedAt: '2026-11-27T10:42:00.000Z' };
    const saved = [{ ...record('m1'), id: 'm1' }];
    const listedModels = { type: 'savedModelsListed', models: saved, checkpoint } as const;
    expect(run([listedModels], withModel())).toMatchObject({ savedModels: saved, interrupted: checkpoint });
    const training = started();
    const paused = run([{ type: 'trainingPaused' }], training);
    const evaluating = run([{ type: 'evaluationStarted', stopped: true }], training);
    for (const state of [training, paused, evaluating]) {
      expect(run([listedModels], state)).toMatchObject({ savedModels: saved, interrupted: null });
    }
  });

  it('an upload: checking, then refused with the reason alone, then a model that clears the refusal', () => {
    const said = { code: 'notJson', values: { file: 'm.json', detail: 'x' } } as const;
    const checking = run([{ type: 'uploadRejected', message: 'earlier' }, { type: 'uploadRequested' }], withModel());
    expect(checking).toMatchObject({ uploading: true, uploadError: null });
    const refused = run([{ type: 'uploadRejected', message: 'm.json is not valid JSON: x', said }], checking);
    expect(refused.uploading).toBe(false);
    expect(refused.uploadError).toEqual({ message: 'm.json is not valid JSON: x', said });
    const accepted = run(
      [
        { type: 'uploadRequested' },
        { type: 'failed', error: { kind: 'model', message: 'an earlier delete failed' } },
        { type: 'modelChanged', source: 'uploaded', model: record('m4') },
      ],
      refused,
    );
    expect(accepted).toMatchObject({ uploading: false, uploadError: null, modelError: null, phase: 'done' });
  });

  it('a storage failure keeps the sentence (and its code), nothing else of the event', () => {
    const said = { code: 'noStorage', values: {} } as const;
    const warned = run([{ type: 'storageFailed', message: 'Models will not be kept', said }]);
    expect(warned.storageWarning).toEqual({ message: 'Models will not be kept', said });
    expect(run([{ type: 'storageFailed', message: 'full' }]).storageWarning).toEqual({ message: 'full' });
  });

  it('a notice stays until dismissed', () => {
    const noticed = run([{ type: 'workerFaulted', message: 'crashed' }], withModel());
    expect(noticed.notice).not.toBeNull();
    expect(run([{ type: 'loaded', dataset }], noticed).notice).toBe(noticed.notice);
    expect(run([{ type: 'noticeDismissed' }], noticed).notice).toBeNull();
  });
});

describe('the drawing and the Inside panel', () => {
  const reading = (requestId: number, strokeCount = 1): Reading => ({
    requestId,
    strokeCount,
    input: null,
    probabilities: null,
    activations: null,
    verdict: null,
  });

  it('an answer replaces a reading unless it is older: the same request answered again replaces it', () => {
    const first = run([{ type: 'predicted', reading: reading(3, 1) }]);
    const again = run([{ type: 'predicted', reading: reading(3, 2) }], first);
    expect(again.reading).toEqual(reading(3, 2));
    expect(run([{ type: 'predicted', reading: reading(2) }], again).reading).toBe(again.reading);
  });

  it('never lowers the newest request number', () => {
    expect(
      run([
        { type: 'predictRequested', requestId: 5 },
        { type: 'predictRequested', requestId: 4 },
      ]).lastPredictRequest,
    ).toBe(5);
  });

  it('shows the filters, the digit chosen and the worker’s answer for it, without the request id', () => {
    const filters = [
      { name: 'conv1', shape: [5, 5, 1, 6], kernel: new Float32Array(150), bias: new Float32Array(6), activation: 'tanh' },
    ] satisfies AppState['filters'];
    const pixels = new Float32Array(784);
    const activations = [{ name: 'conv1', type: 'Conv2D', shape: [24, 24, 6], values: new Float32Array(3456) }];
    const state = run([
      { type: 'filtersChanged', filters, epoch: 2 },
      { type: 'inspectRequested', digit: { split: 'test', index: 42 } },
      { type: 'digitInspected', requestId: 9, split: 'test', index: 42, label: 7, pixels, activations },
    ]);
    expect(state.filters).toBe(filters);
    expect(state.filtersEpoch).toBe(2);
    expect(state.inspecting).toEqual({ split: 'test', index: 42 });
    expect(state.inspected).toEqual({ split: 'test', index: 42, label: 7, pixels, activations });
    expect(run([{ type: 'inspectRequested', digit: null }], state).inspecting).toBeNull();
  });
});

describe('the galleries’ pages', () => {
  it('one key per query and page', () => {
    expect(digitListKey({ kind: 'mistakes' }, 0)).toBe('mistakes @0');
    expect(digitListKey({ kind: 'cell', truth: 7, predicted: 1 }, 48)).toBe('cell 7 1 @48');
    expect(digitListKey({ kind: 'class', split: 'train', label: 3 }, 24)).toBe('class train 3 @24');
  });

  it('keeps each page under its key, a page listed again replacing the old copy', () => {
    const query = { kind: 'cell', truth: 7, predicted: 1 } as const;
    const state = run([listed(query, 0, 10), listed(query, 24, 10), listed(query, 0, 12)]);
    expect(Object.keys(state.digitLists)).toEqual(['cell 7 1 @24', 'cell 7 1 @0']);
    const page = listed(query, 0, 12);
    expect(state.digitLists['cell 7 1 @0']).toEqual({ query, offset: 0, total: 12, items: page.items, bytes: page.bytes });
  });

  it('keeps the 24 pages used last, dropping the oldest', () => {
    const page = (i: number) => listed({ kind: 'class', split: 'test', label: i % 10 }, i * 24);
    let state = run(Array.from({ length: 24 }, (_, i) => page(i)));
    expect(Object.keys(state.digitLists)).toHaveLength(24);
    // Page 0 is shown again: it becomes the newest, so page 1 is the oldest.
    state = run([page(0), page(24)], state);
    const keys = Object.keys(state.digitLists);
    expect(keys).toHaveLength(24);
    expect(keys).not.toContain(digitListKey(page(1).query, 24));
    expect(keys.slice(-2)).toEqual([digitListKey(page(0).query, 0), digitListKey(page(24).query, 24 * 24)]);
  });

  it('drops every page when the model changes: they were the previous model’s answers', () => {
    const withPages = run([listed({ kind: 'mistakes' }, 0)], withModel());
    for (const source of ['trained', 'restored', 'uploaded'] as const) {
      expect(run([{ type: 'modelChanged', source, model: record('m5') }], withPages).digitLists).toEqual({});
    }
  });
});

describe('events that change nothing', () => {
  it('a pong and the files of a download leave the state as it is', () => {
    const state = withModel();
    expect(reduce(state, { type: 'pong' })).toBe(state);
    expect(reduce(state, { type: 'modelFilesReady', files: [] })).toBe(state);
  });

  it('an event of an unknown type is a bug and throws, rather than being ignored', () => {
    expect(() => reduce(initialState(), { type: 'trainingExploded' } as unknown as AppAction)).toThrow('unhandled variant');
  });
});

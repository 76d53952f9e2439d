/**
 * The worker's session logic driven without a worker: a `post` that records events, data behind a
 * fake fetch (a tiny set for loading, the real MNIST files for training); loading on the CPU
 * backend, training on WASM with the project's kernels, as in the browser.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeReading } from '../../src/data/verdict';
import { loadMnist } from '../../src/data/mnistLoader';
import { createDataset } from '../../src/worker/dataset';
import { createTrainerSession, toAppError } from '../../src/worker/trainer';
import type { WorkerEvent } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../src/shared/settings';
import { BASE_URL, TINY_COUNTS, makeTinyDataset, sharedRealData, tinyIO, useWasm } from './fixtures';
import { expectFailed, watchFailures } from './session';

/** The run's one `evaluated` event. */
function evaluationOf(events: WorkerEvent[]) {
  const evaluated = events.find((e) => e.type === 'evaluated');
  if (evaluated?.type !== 'evaluated') throw new Error(`no evaluation: ${JSON.stringify(events.at(-1))}`);
  return evaluated;
}

/** Unit tests train on the CPU backend. */
async function cpuBackend() {
  await tf.setBackend('cpu');
  return { name: 'cpu', trainer: 'tfjs', reason: 'unit test' } as const;
}

/** A trainer over the tiny data set (which it is told to expect instead of the official counts). */
function tinyTrainer(files = makeTinyDataset().files) {
  const events: WorkerEvent[] = [];
  const io = tinyIO(files);
  let requests = 0;
  const countingIO = { ...io, fetch: ((input, init) => (requests++, io.fetch(input, init))) as typeof fetch };
  let clock = 0;
  const trainer = createTrainerSession(
    watchFailures((event) => events.push(event)),
    {
      io: countingIO,
      selectBackend: cpuBackend,
      now: () => (clock += 10),
      expectedCounts: TINY_COUNTS,
    },
  );
  return { trainer, events, requests: () => requests };
}

describe('createTrainerSession: loading', () => {
  it('loads the data, posts throttled progress, then `loaded` with samples of each class', async () => {
    const { trainer, events } = tinyTrainer();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    const progress = events.filter((e) => e.type === 'loadProgressed');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.loadedBytes).toBe(progress.at(-1)!.totalBytes);
    const loaded = events.at(-1)!;
    expect(loaded.type).toBe('loaded');
    if (loaded.type !== 'loaded') return;
    expect(loaded.dataset).toMatchObject({ trainCount: 30, testCount: 10, files: 6 });
    // The tiny set has 3 digits a class: all of them, in class order.
    expect(loaded.dataset.samples.labels).toEqual([
      0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9,
    ]);
    expect(loaded.dataset.samples.indices.slice(0, 3)).toEqual([0, 10, 20]);
    const data = await loadMnist(tinyIO(makeTinyDataset().files), { baseUrl: BASE_URL, expectedCounts: TINY_COUNTS });
    const first = loaded.dataset.samples.bytes.subarray(0, 784);
    expect(Array.from(first)).toEqual(Array.from(data.train.images.subarray(0, 784), (p) => Math.round(p * 255)));
  });

  it('answers a second `load` from memory, without downloading again', async () => {
    const { trainer, events, requests } = tinyTrainer();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    const before = requests();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(requests()).toBe(before);
    expect(events.filter((e) => e.type === 'loaded')).toHaveLength(2);
  });

  it('posts `failed` naming the file when the data is bad, and can load again after', async () => {
    expectFailed();
    const files = makeTinyDataset().files;
    const good = files.get('test-labels.u8')!;
    files.set('test-labels.u8', good.subarray(0, 4));
    const { trainer, events } = tinyTrainer(files);
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(events.at(-1)).toEqual({
      type: 'failed',
      error: { kind: 'data', file: 'test-labels.u8', expected: '10 bytes', found: '4 bytes (truncated)', problem: 'size' },
    });
    files.set('test-labels.u8', good);
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(events.at(-1)!.type).toBe('loaded');
  });

  it("a worker's early load: the session shares it, leaves `loaded` to the dataset's owner, and starts no backend before it ends", async () => {
    // trainer.worker.ts starts the load before the session exists and says `loaded` itself.
    const events: WorkerEvent[] = [];
    const order: string[] = [];
    const io = tinyIO(makeTinyDataset().files);
    let requests = 0;
    const dataset = createDataset((event) => events.push(event), {
      io: { ...io, fetch: ((input, init) => (requests++, io.fetch(input, init))) as typeof fetch },
      expectedCounts: TINY_COUNTS,
    });
    const early = dataset.load(BASE_URL).then(() => order.push('loaded'));
    const trainer = createTrainerSession(
      watchFailures((event) => events.push(event)),
      {
        dataset,
        selectBackend: () => {
          order.push('backend');
          return cpuBackend();
        },
      },
    );
    const describe = trainer.handle({ type: 'describeModel', model: 'lenet5', activation: 'tanh', backend: 'cpu' });
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    await Promise.all([early, describe]);
    expect(order).toEqual(['loaded', 'backend']);
    expect(events.filter((e) => e.type === 'loaded')).toEqual([]);
    expect(events.some((e) => e.type === 'modelDescribed')).toBe(true);
    const requestsForOneLoad = requests;
    await dataset.load(BASE_URL);
    expect(requests).toBe(requestsForOneLoad);
  });

  it('starts the backend once for commands that arrive together, and tries again after a failed start', async () => {
    // A fresh worker after a fault gets load, describeModel and useSavedModel at once: two
    // overlapping tf.setBackend() calls left the first caller on a backend not yet initialized.
    const events: WorkerEvent[] = [];
    const starts: string[] = [];
    let failNext = false;
    const trainer = createTrainerSession(
      watchFailures((event) => events.push(event)),
      {
        io: tinyIO(makeTinyDataset().files),
        selectBackend: async (choice) => {
          starts.push(choice);
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (failNext) {
            failNext = false;
            throw new Error('no backend (test)');
          }
          await tf.setBackend('cpu');
          return { name: 'cpu', trainer: 'tfjs', reason: 'unit test' } as const;
        },
        expectedCounts: TINY_COUNTS,
      },
    );
    const describe = { type: 'describeModel', model: 'lenet5', activation: 'tanh', backend: 'cpu' } as const;
    await Promise.all([trainer.handle(describe), trainer.handle(describe), trainer.handle(describe)]);
    expect(starts).toEqual(['cpu']);
    expect(events.filter((e) => e.type === 'backendSelected')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'modelDescribed')).toHaveLength(3);

    failNext = true;
    expectFailed();
    await trainer.handle({ ...describe, backend: 'wasm' });
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { message: 'no backend (test)' } });
    await trainer.handle({ ...describe, backend: 'wasm' });
    expect(starts).toEqual(['cpu', 'wasm', 'wasm']);
    expect(events.at(-1)!.type).toBe('modelDescribed');
  });

  it('maps unexpected exceptions to an internal error with their message', () => {
    expect(toAppError(new TypeError('boom'))).toEqual({ kind: 'internal', message: 'boom' });
    expect(toAppError('plain')).toEqual({ kind: 'internal', message: 'plain' });
  });
});

describe('createTrainerSession: training on real MNIST digits (WASM backend)', () => {
  const data = sharedRealData();
  const quick: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 2, trainSize: 500, batchSize: 50, backend: 'wasm' };

  /** A loaded trainer and its events; `onEvent` may send commands as events arrive. */
  async function loadedTrainer(onEvent?: (event: WorkerEvent, trainer: ReturnType<typeof createTrainerSession>) => void) {
    const events: WorkerEvent[] = [];
    const trainer = createTrainerSession(
      watchFailures((event) => {
        events.push(event);
        onEvent?.(event, trainer);
      }),
      { dataset: data, selectBackend: useWasm },
    );
    // The file's shared data set (loaded once; `loaded` itself is tested above, on the tiny one).
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    events.length = 0;
    return { trainer, events };
  }

  beforeAll(async () => {
    await useWasm();
  });

  it('posts trainingStarted, then batch and epoch events in order, then exactly one evaluation', async () => {
    const { trainer, events } = await loadedTrainer();
    await trainer.handle({ type: 'train', settings: quick });
    const types = events.map((e) => e.type).filter((t) => t !== 'backendSelected');
    expect(types[0]).toBe('trainingStarted');
    // The class digits are read again by every new model (none here: measured as null); the run joins the history.
    expect(types.slice(-6)).toEqual([
      'evaluationStarted',
      'evaluated',
      'modelChanged',
      'filtersChanged',
      'classDigitsMeasured',
      'runsListed',
    ]);
    expect(types.filter((t) => t === 'evaluated')).toHaveLength(1);
    const epochs = events.flatMap((e) => (e.type === 'epochEnded' ? [e.result] : []));
    // Epoch 0 is the untrained model (the curves start at chance), then one result per epoch.
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(epochs[0]!.valAccuracy).toBeLessThan(0.3);
    // Batch events come between the epoch results: 8 batches of 50 from 400 training digits.
    const batches = events.flatMap((e) => (e.type === 'batchEnded' ? [e.progress] : []));
    expect(batches.every((b) => b.batchesPerEpoch === 8)).toBe(true);
    expect(batches.flatMap((b) => b.losses.map(([step]) => step))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const started = events[types.indexOf('trainingStarted') + (events[0]!.type === 'backendSelected' ? 1 : 0)]!;
    expect(started).toMatchObject({ type: 'trainingStarted', plan: { trainCount: 400, validationCount: 100, batchesPerEpoch: 8 } });
    const evaluated = evaluationOf(events);
    expect(evaluated.evaluation.count).toBe(10_000);
    expect(evaluated.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(evaluated.evaluation.stopped).toBe(false);
  });

  it('keeps the tensor count flat from epoch to epoch and the same seed gives the same losses', async () => {
    const a = await loadedTrainer();
    await a.trainer.handle({ type: 'train', settings: { ...quick, epochs: 3 } });
    const counts = a.events.flatMap((e) => (e.type === 'epochEnded' && e.result.epoch > 0 ? [e.result.numTensors] : []));
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    const b = await loadedTrainer();
    await b.trainer.handle({ type: 'train', settings: { ...quick, epochs: 3 } });
    const losses = (events: WorkerEvent[]) =>
      events.flatMap((e) => (e.type === 'batchEnded' ? e.progress.losses.map(([, loss]) => loss) : []));
    expect(losses(b.events)).toEqual(losses(a.events));
  });

  it('pauses and resumes between batches, and Stop ends cleanly with the model evaluated', async () => {
    let paused = false;
    const { trainer, events } = await loadedTrainer((event, t) => {
      if (event.type === 'batchEnded' && event.progress.epoch === 1 && !paused) {
        paused = true;
        void t.handle({ type: 'pause' });
      }
      if (event.type === 'trainingPaused') setTimeout(() => void t.handle({ type: 'resume' }), 20);
      if (event.type === 'batchEnded' && event.progress.epoch === 2) void t.handle({ type: 'stop' });
    });
    await trainer.handle({ type: 'train', settings: { ...quick, epochs: 5 } });
    const types = events.map((e) => e.type);
    expect(types).toContain('trainingPaused');
    expect(types.indexOf('trainingResumed')).toBeGreaterThan(types.indexOf('trainingPaused'));
    const evaluated = evaluationOf(events);
    expect(evaluated.evaluation).toMatchObject({ stopped: true, epochsCompleted: 1 });
    expect(evaluated.evaluation.accuracy).toBeGreaterThan(0.3);
  });

  it('refuses settings out of range with a message naming the setting and its range', async () => {
    expectFailed();
    const { trainer, events } = await loadedTrainer();
    await trainer.handle({ type: 'train', settings: { ...quick, epochs: 0 } });
    expect(events.at(-1)).toEqual({
      type: 'failed',
      error: {
        kind: 'settings',
        message: 'epochs must be a whole number from 1 to 100; got "0"',
        said: { code: 'settingRange', values: { setting: 'epochs', raw: '0' } },
      },
    });
  });

  it('learns: 2,000 real training digits give at least 90% on the test digits', async () => {
    const { trainer, events } = await loadedTrainer();
    await trainer.handle({
      type: 'train',
      settings: { ...DEFAULT_SETTINGS, trainSize: 2000, validationSplit: 0, epochs: 4, batchSize: 32, backend: 'wasm' },
    });
    const evaluated = evaluationOf(events);
    console.log(`2,000 digits, 4 epochs, WASM: test accuracy ${(evaluated.evaluation.accuracy * 100).toFixed(2)}%`);
    expect(evaluated.evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('reads a drawing: preprocessed input always, probabilities only once a model exists', async () => {
    const { trainer, events } = await loadedTrainer();
    const seven: [number, number][][] = [
      [
        [60, 60],
        [200, 60],
        [120, 230],
      ],
    ];
    await trainer.handle({ type: 'predict', requestId: 1, strokes: seven });
    const before = events.at(-1)!;
    if (before.type !== 'predicted') throw new Error('no reading');
    expect(before.reading).toMatchObject({ requestId: 1, strokeCount: 1, probabilities: null });
    expect(before.reading.input!.pixels).toHaveLength(784);
    await trainer.handle({ type: 'predict', requestId: 2, strokes: [] });
    expect(events.at(-1)).toEqual({
      type: 'predicted',
      reading: { requestId: 2, strokeCount: 0, input: null, probabilities: null, activations: null, verdict: null },
    });
    expect(before.reading.verdict).toBeNull();

    await trainer.handle({ type: 'train', settings: quick });
    await trainer.handle({ type: 'predict', requestId: 3, strokes: seven });
    const after = events.at(-1)!;
    if (after.type !== 'predicted') throw new Error('no reading');
    expect(after.reading.probabilities).toHaveLength(10);
    expect(after.reading.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The verdict is the pure judgeReading of what was sent.
    expect(after.reading.verdict).toEqual(judgeReading(after.reading.input!, after.reading.probabilities!));
  });
});

/**
 * Never losing a trained model, in the worker's session logic (WASM in Node, real MNIST digits,
 * IndexedDB from fake-indexeddb): every trained model is saved and comes back in a new session;
 * a run interrupted after an epoch continues from its checkpoint to the very weights the
 * uninterrupted run reaches; a model downloaded uploads back with the same predictions; bad files
 * and failing storage get messages and the model in use stays.
 */
import * as tf from '@tensorflow/tfjs';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../src/model/modelStore';
import type { Checkpoint, LibraryStore } from '../../src/worker/library';
import type { ModelFile, ModelRecord, RunRecord, WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import { createTrainerSession } from '../../src/worker/trainer';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../src/shared/settings';
import { BASE_URL, engineBackend, engineModule, sharedRealData, useWasm } from './fixtures';
import { expectFailed, watchFailures } from './session';

const data = sharedRealData();
const quick: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 2, trainSize: 500, batchSize: 50, backend: 'wasm' };
const SEVEN: [number, number][][] = [
  [
    [60, 60],
    [200, 60],
    [120, 230],
  ],
];

const newStore = (factory = new IDBFactory()): LibraryStore => openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory });

/** A session with its data loaded, its events recorded, and a `send` that waits for the command to finish. */
async function session(store: LibraryStore | null, trainer: 'tfjs' | 'engine' = 'tfjs') {
  const events: WorkerEvent[] = [];
  const session = createTrainerSession(
    watchFailures((event) => events.push(event)),
    { dataset: data, selectBackend: trainer === 'engine' ? engineBackend : useWasm, engineModule, store },
  );
  const send = (command: WorkerCommand) => session.handle(command);
  await send({ type: 'load', dataUrl: BASE_URL });
  const of = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const last = <T extends WorkerEvent['type']>(type: T) => of(type).at(-1);
  const read = async (requestId: number) => {
    await send({ type: 'predict', requestId, strokes: SEVEN });
    return last('predicted')!.reading.probabilities;
  };
  return { events, send, of, last, read };
}

/** The store, keeping a copy of every checkpoint written: what IndexedDB held at each moment of a run. */
function keepingCheckpoints(store: LibraryStore) {
  const saved: Checkpoint[] = [];
  const spying: LibraryStore = {
    ...store,
    putCheckpoint: async (checkpoint) => {
      saved.push(structuredClone(checkpoint));
      await store.putCheckpoint(checkpoint);
    },
  };
  return { spying, saved };
}

/** Bytes of a saved model's weights. */
async function savedWeights(store: LibraryStore, id: string) {
  const saved = await store.get(id);
  return new Float32Array(saved!.artifacts.weightData);
}

beforeAll(async () => {
  await useWasm();
});

describe('saved models', () => {
  it('saves the trained model with its settings, results and date; a new session restores it with the same predictions', async () => {
    const factory = new IDBFactory();
    const store = newStore(factory);
    const first = await session(store);
    await first.send({ type: 'train', settings: quick });
    const changed = first.last('modelChanged')!;
    expect(changed.source).toBe('trained');
    expect(changed.model.id).toEqual(expect.any(String));
    expect(changed.model).toMatchObject({
      origin: 'trained',
      settings: quick,
      name: 'LeNet-5 (seed notebook, 28x28), tanh, 2 epochs, 500 digits',
    });
    expect(changed.model.evaluation.accuracy).toBe(first.last('evaluated')!.evaluation.accuracy);
    expect(changed.model.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    const listed = first.last('savedModelsListed')!;
    expect(listed.models.map((m) => m.id)).toEqual([changed.model.id]);
    expect(listed.checkpoint).toBeNull(); // the run ended: nothing to continue
    const expected = await first.read(1);

    // A reload: a new session over the same IndexedDB.
    const second = await session(newStore(factory));
    expect(second.last('savedModelsListed')!.models[0]).toMatchObject({ id: changed.model.id, savedAt: changed.model.savedAt });
    await second.send({ type: 'useSavedModel', id: changed.model.id!, backend: 'wasm' });
    expect(second.last('modelChanged')).toMatchObject({
      source: 'restored',
      model: { id: changed.model.id, evaluation: changed.model.evaluation },
    });
    expect(await second.read(2)).toEqual(expected);

    await second.send({ type: 'deleteSavedModel', id: changed.model.id! });
    expect(second.last('savedModelsListed')!.models).toEqual([]);
    expect(await second.read(3)).toEqual(expected); // deleting does not take the model in use away
  });

  it('Stop saves the model trained so far', async () => {
    const store = newStore();
    const events: WorkerEvent[] = [];
    const trainer = createTrainerSession(
      watchFailures((event) => {
        events.push(event);
        if (event.type === 'batchEnded' && event.progress.epoch === 2) void trainer.handle({ type: 'stop' });
      }),
      { dataset: data, selectBackend: useWasm, store },
    );
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    await trainer.handle({ type: 'train', settings: { ...quick, epochs: 4 } });
    const changed = events.findLast((e) => e.type === 'modelChanged');
    if (changed?.type !== 'modelChanged') throw new Error('no modelChanged');
    expect(changed.model.evaluation).toMatchObject({ stopped: true, epochsCompleted: 1 });
    expect((await store.list()).map((m) => m.name)).toEqual(['LeNet-5 (seed notebook, 28x28), tanh, 1 epoch, 500 digits']);
  });
});

describe('the engine', () => {
  it('Train, Stop, Train, Train: the same tensors and the same engine memory after each run (nothing leaks)', async () => {
    const events: WorkerEvent[] = [];
    let stopAt = 2;
    const trainer = createTrainerSession(
      watchFailures((event) => {
        events.push(event);
        if (event.type === 'batchEnded' && event.progress.epoch === stopAt) void trainer.handle({ type: 'stop' });
      }),
      { dataset: data, selectBackend: engineBackend, engineModule, store: newStore() },
    );
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    const after: { tensors: number; engineBytes: number | null }[] = [];
    for (const stop of [0, 2, 0]) {
      stopAt = stop;
      await trainer.handle({ type: 'train', settings: { ...quick, epochs: 3 } });
      const epochs = events.filter((e) => e.type === 'epochEnded');
      after.push({ tensors: tf.memory().numTensors, engineBytes: epochs.at(-1)!.result.wasmMemoryBytes });
    }
    expect(events.filter((e) => e.type === 'evaluated').map((e) => e.evaluation.stopped)).toEqual([false, true, false]);
    expect(after[1]).toEqual(after[0]);
    expect(after[2]).toEqual(after[0]);
    expect(after[0]!.engineBytes).toBeGreaterThan(0);
  });
});

describe('checkpoints', () => {
  it.each(['tfjs', 'engine'] as const)(
    '%s: continues an interrupted run from its last epoch to the same weights, bit for bit, as the uninterrupted run',
    async (trainer) => {
      const settings = { ...quick, epochs: 3 };
      const wholeStore = newStore();
      const whole = await session(wholeStore, trainer);
      await whole.send({ type: 'train', settings });
      const wholeId = whole.last('modelChanged')!.model.id!;
      // It learned: the untrained model reads about 10% of the test digits.
      expect(whole.last('evaluated')!.evaluation.accuracy).toBeGreaterThan(0.6);

      // The same run, whose worker "dies" after epoch 2: what IndexedDB holds then is all that is left.
      const factory = new IDBFactory();
      const store = newStore(factory);
      const { spying, saved } = keepingCheckpoints(store);
      const doomed = await session(spying, trainer);
      await doomed.send({ type: 'train', settings });
      expect(doomed.of('checkpointSaved').map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      await store.putCheckpoint(saved[2]!);

      const resumed = await session(newStore(factory), trainer);
      expect(resumed.last('savedModelsListed')!.checkpoint).toMatchObject({ epoch: 2, settings });
      await resumed.send({ type: 'resumeCheckpoint' });
      const started = resumed.last('trainingStarted')!;
      expect(started.plan.resumed!.fromEpoch).toBe(2);
      expect(started.plan.resumed!.history.map((e) => e.epoch)).toEqual([0, 1, 2]);
      // Only epoch 3 is trained again, with the global batch numbers continuing.
      expect(resumed.of('epochEnded').map((e) => e.result.epoch)).toEqual([3]);
      expect(resumed.of('batchEnded')[0]!.progress.losses[0]![0]).toBe(2 * started.plan.batchesPerEpoch + 1);
      const resumedId = resumed.last('modelChanged')!.model.id!;
      expect(await savedWeights(newStore(factory), resumedId)).toEqual(await savedWeights(wholeStore, wholeId));
      expect(resumed.last('evaluated')!.evaluation.accuracy).toBe(whole.last('evaluated')!.evaluation.accuracy);
      expect(await newStore(factory).getCheckpoint()).toBeNull();
    },
  );
});

describe('interrupted runs', () => {
  it('a run that ended its last epoch but died before the test evaluation: resuming only evaluates and saves', async () => {
    const factory = new IDBFactory();
    const store = newStore(factory);
    const { spying, saved } = keepingCheckpoints(store);
    const first = await session(spying);
    await first.send({ type: 'train', settings: quick });
    await store.putCheckpoint(saved.at(-1)!); // as if the worker had died right after its last checkpoint

    const resumed = await session(newStore(factory));
    await resumed.send({ type: 'resumeCheckpoint' });
    expect(resumed.of('batchEnded')).toEqual([]);
    expect(resumed.of('epochEnded')).toEqual([]);
    expect(resumed.last('evaluated')!.evaluation).toMatchObject({ stopped: false, epochsCompleted: 2 });
    expect(resumed.last('evaluated')!.evaluation.accuracy).toBe(first.last('evaluated')!.evaluation.accuracy);
    expect(resumed.last('modelChanged')!.model.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
  });

  it('ignores a checkpoint whose settings are out of range (an older version, a damaged record)', async () => {
    const factory = new IDBFactory();
    const store = newStore(factory);
    const first = await session(store);
    await first.send({ type: 'train', settings: quick });
    const checkpoint = {
      settings: { ...quick, epochs: 0 },
      epoch: 1,
      history: [],
      weights: [],
      optimizer: { weights: [], accBeta: null },
      savedAt: '',
    };
    await store.putCheckpoint(checkpoint);
    const next = await session(newStore(factory));
    expect(next.last('savedModelsListed')!.checkpoint).toBeNull();
  });

  it('says so when there is nothing to continue', async () => {
    expectFailed();
    const s = await session(newStore());
    await s.send({ type: 'resumeCheckpoint' });
    expect(s.last('failed')!.error).toEqual({
      kind: 'internal',
      message: 'there is no interrupted run to continue',
      said: { code: 'noCheckpoint', values: {} },
    });
  });
});

describe('model files', () => {
  async function trainedSession() {
    const trained = await session(newStore());
    await trained.send({ type: 'train', settings: quick });
    await trained.send({ type: 'downloadModel' });
    const files = trained.last('modelFilesReady')!.files;
    return { trained, files, expected: await trained.read(1) };
  }
  // One trained session for the whole block: every upload here is refused and must leave that
  // session's model as it was (each test checks it), or goes to a session of its own.
  let shared: ReturnType<typeof trainedSession> | null = null;
  const trainedOnce = () => (shared ??= trainedSession());

  /** Copies, as the UI sends transferred buffers: each upload gets its own. */
  const copy = (files: ModelFile[]) => files.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) }));

  it('a downloaded model uploads back: same predictions, same test accuracy, saved as uploaded', async () => {
    const { trained, files, expected } = await trainedOnce();
    expect(files.map((f) => f.name)).toEqual(['lenet-lab-model.json', 'lenet-lab-model.weights.bin']);
    expect(files[1]!.bytes.byteLength).toBe(44_426 * 4);

    const other = await session(newStore());
    await other.send({ type: 'uploadModel', files: copy(files), backend: 'wasm' });
    const changed = other.last('modelChanged')!;
    expect(changed.source).toBe('uploaded');
    expect(changed.model).toMatchObject({
      origin: 'uploaded',
      settings: null,
      name: 'LeNet-5 (seed notebook, 28x28), tanh, 2 epochs, 500 digits',
    });
    expect(changed.model.evaluation.accuracy).toBe(trained.last('evaluated')!.evaluation.accuracy);
    expect(other.last('savedModelsListed')!.models[0]!.id).toBe(changed.model.id);
    expect(await other.read(2)).toEqual(expected);
  });

  it.each([
    [
      'malformed JSON',
      (files: ModelFile[]) => [{ name: 'model.json', bytes: new TextEncoder().encode('{"modelTopology": ').buffer }, files[1]!],
      /model\.json is not valid JSON/,
    ],
    ['no weights file', (files: ModelFile[]) => [files[0]!], /lenet-lab-model\.weights\.bin.*was not chosen/],
    [
      'a short weights file',
      (files: ModelFile[]) => [files[0]!, { name: files[1]!.name, bytes: files[1]!.bytes.slice(0, 1000) }],
      /1,000 bytes.*177,704 bytes/,
    ],
  ])('%s: a specific message, and the model in use stays', async (_, edit, message) => {
    const { trained, files, expected } = await trainedOnce();
    const before = trained.last('modelChanged');
    await trained.send({ type: 'uploadModel', files: edit(copy(files)), backend: 'wasm' });
    expect(trained.last('uploadRejected')!.message).toMatch(message);
    expect(trained.last('modelChanged')).toBe(before);
    expect(await trained.read(2)).toEqual(expected);
  });

  it('a model that is not a 28x28x1 -> 10 classifier is refused, and the model in use stays', async () => {
    const { trained, files, expected } = await trainedOnce();
    const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as {
      modelTopology: { config: { layers: { config: Record<string, unknown> }[] } };
    };
    const output = json.modelTopology.config.layers.at(-1)!.config;
    output.units = 5;
    const bytes = new TextEncoder().encode(JSON.stringify(json)).buffer;
    await trained.send({ type: 'uploadModel', files: [{ name: 'model.json', bytes }, copy(files)[1]!], backend: 'wasm' });
    expect(trained.last('uploadRejected')!.message).toMatch(/28x28x1 digits in and 10 classes out|do not fit/);
    expect(await trained.read(2)).toEqual(expected);
  });
});

describe('when storage fails', () => {
  it('training completes and the model stays in use; one message says saving failed', async () => {
    const failing = newStore();
    const quota = () =>
      Promise.reject(
        new (class extends Error {
          override name = 'ModelStoreError';
        })('storage is full'),
      );
    const store: LibraryStore = { ...failing, putCheckpoint: quota, add: quota };
    const s = await session(store);
    await s.send({ type: 'train', settings: quick });
    expect(s.of('storageFailed')).toHaveLength(1);
    expect(s.of('storageFailed')[0]!.message).toContain('storage is full');
    expect(s.last('modelChanged')!.model.id).toBeNull();
    expect(await s.read(1)).toHaveLength(10);
  });
});

/**
 * Every setting trains, in the worker's session logic (WASM in Node, IndexedDB from fake-indexeddb):
 * each preset x optimizer x activation learns in a short run on real MNIST digits, and the same run
 * interrupted after epoch 1 and continued from its checkpoint ends on the very same weights, bit for
 * bit, whatever the optimizer's state (Adam's moments and beta powers, RMSprop's mean squares and
 * moments, SGD's step count alone). The learning rate is the one in the settings, and
 * `backend=cpu` trains.
 *
 * The data is MNIST's first 500 training and 500 test digits, cut from public/data and written
 * again by the generator's own code: the real loader and real digits, without evaluating 10,000
 * test digits at the end of each of the 21 runs.
 */
import * as tf from '@tensorflow/tfjs';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildManifest, buildSplit } from '../../scripts/mnist-sprites.mjs';
import { IMAGE_SIZE, PIXELS_PER_IMAGE, type SplitName } from '../../src/data/mnist';
import type { LoaderIO } from '../../src/data/mnistLoader';
import { extractTiles } from '../../src/data/sprite';
import { openModelStore } from '../../src/model/modelStore';
import { selectBackend } from '../../src/worker/backends';
import type { Checkpoint, LibraryStore } from '../../src/worker/library';
import type { ModelRecord, RunRecord, WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import { createTrainerSession, type TrainerSessionOptions } from '../../src/worker/trainer';
import { DEFAULT_SETTINGS, type Activation, type ModelPreset, type OptimizerName, type TrainSettings } from '../../src/shared/settings';
import { BASE_URL, decodeGrayPngWithPngjs, tinyIO, useWasm } from './fixtures';
import { watchFailures } from './session';

// backends.ts imports the WASM binaries' URLs from Vite; in Node they are the files in node_modules.
const { wasmFile } = vi.hoisted(() => ({
  wasmFile: (name: string) => ({ default: join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), name) }),
}));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url', () => wasmFile('tfjs-backend-wasm.wasm'));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url', () => wasmFile('tfjs-backend-wasm-simd.wasm'));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url', () =>
  wasmFile('tfjs-backend-wasm-threaded-simd.wasm'),
);

const COUNTS: Record<SplitName, number> = { train: 500, test: 500 };

/** MNIST's first digits of each split (the first sprite of public/data), as a data set of their own. */
async function firstDigits(): Promise<Map<string, Uint8Array>> {
  const split = async (name: SplitName) => {
    const sprite = await decodeGrayPngWithPngjs(readFileSync(`public/data/${name}-images-0.png`));
    const pixels = new Uint8Array(COUNTS[name] * PIXELS_PER_IMAGE);
    extractTiles(sprite, sprite.width / IMAGE_SIZE, COUNTS[name], pixels, 0);
    return buildSplit(name, pixels, readFileSync(`public/data/${name}-labels.u8`).subarray(0, COUNTS[name]));
  };
  const [train, test] = [await split('train'), await split('test')];
  const files = new Map<string, Uint8Array>([...train.files, ...test.files].map(([name, bytes]) => [name, new Uint8Array(bytes)]));
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(buildManifest({ train: train.entry, test: test.entry }))));
  return files;
}

const PRESETS: ModelPreset[] = ['lenet5', 'lenet5-classic'];
const OPTIMIZERS: OptimizerName[] = ['adam', 'sgd', 'rmsprop'];
const ACTIVATIONS: Activation[] = ['tanh', 'relu'];

/** A learning rate in range at which each optimizer learns within a few dozen steps. */
const LEARNING_RATE: Record<OptimizerName, number> = { adam: 0.003, sgd: 0.2, rmsprop: 0.001 };

/** 400 training digits and 100 for validation, in batches of 25: 16 steps an epoch, 48 in all. */
const short: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 3, trainSize: 500, batchSize: 25, backend: 'wasm' };

let io: LoaderIO;

/** A session with its data loaded and its events recorded; every checkpoint written is kept as it was. */
async function session(
  store = openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory: new IDBFactory() }),
  select: TrainerSessionOptions['selectBackend'] = useWasm,
) {
  const events: WorkerEvent[] = [];
  const checkpoints: Checkpoint[] = [];
  const keeping: LibraryStore = {
    ...store,
    putCheckpoint: async (checkpoint) => {
      checkpoints.push(structuredClone(checkpoint));
      await store.putCheckpoint(checkpoint);
    },
  };
  const trainer = createTrainerSession(
    watchFailures((event) => events.push(event)),
    { io, selectBackend: select, store: keeping, expectedCounts: COUNTS },
  );
  const send = (command: WorkerCommand) => trainer.handle(command);
  await send({ type: 'load', dataUrl: BASE_URL });
  const of = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  return {
    store,
    checkpoints,
    send,
    of,
    epochs: () => of('epochEnded').map((e) => e.result),
    losses: () => of('batchEnded').flatMap((e) => e.progress.losses),
    /** The trained model's weights as saved, byte for byte. */
    savedWeights: async () => new Uint8Array((await store.get(of('modelChanged').at(-1)!.model.id!))!.artifacts.weightData),
  };
}

beforeAll(async () => {
  io = tinyIO(await firstDigits());
  await useWasm();
});

describe('every preset x optimizer x activation', () => {
  const combinations = PRESETS.flatMap((model) =>
    OPTIMIZERS.flatMap((optimizer) => ACTIVATIONS.map((activation) => ({ model, optimizer, activation }))),
  );

  for (const { model, optimizer, activation } of combinations) {
    // Continued from a checkpoint: every optimizer on both presets and both activations, in 6 of the 12.
    const resumes = (model === 'lenet5') === (activation === 'tanh');
    const title = resumes
      ? 'the loss falls; continued from its epoch 1 checkpoint, the run ends on the same weights bit for bit'
      : 'the loss falls';
    it(`${model}, ${optimizer}, ${activation}: ${title}`, async () => {
      const settings: TrainSettings = { ...short, model, optimizer, activation, learningRate: LEARNING_RATE[optimizer] };
      const whole = await session();
      await whole.send({ type: 'train', settings });
      const epochs = whole.epochs();
      expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      const curve = `training loss by epoch: ${epochs.map((e) => e.loss.toFixed(3)).join(', ')}`;
      const [first, last] = [epochs[1]!.loss, epochs[3]!.loss];
      expect(last, curve).toBeLessThan(Math.log(10)); // chance
      expect(last, curve).toBeLessThan(0.8 * first);
      expect(whole.of('evaluated')[0]!.evaluation.accuracy).toBeGreaterThan(0.4);
      if (!resumes) return;

      // The same run, its worker gone after epoch 1: a new session continues from that checkpoint.
      expect(whole.checkpoints.map((c) => c.epoch)).toEqual([0, 1, 2, 3]);
      const store = openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory: new IDBFactory() });
      await store.putCheckpoint(whole.checkpoints[1]!);
      const resumed = await session(store);
      await resumed.send({ type: 'resumeCheckpoint' });
      expect(resumed.of('trainingStarted')[0]!.plan.resumed!.fromEpoch).toBe(1);
      expect(resumed.losses()).toEqual(whole.losses().slice(whole.of('trainingStarted')[0]!.plan.batchesPerEpoch));
      expect(await resumed.savedWeights()).toEqual(await whole.savedWeights());
    });
  }
});

describe('the Quick demo: varied handwriting (styles=1), a falling learning rate (schedule=linear)', () => {
  it('trains on rewritten digits, learns, and continues from a checkpoint bit for bit', async () => {
    const settings: TrainSettings = { ...short, activation: 'relu', learningRate: 0.003, schedule: 'linear' };
    const plain = await session();
    await plain.send({ type: 'train', settings });
    const varied = await session();
    await varied.send({ type: 'train', settings: { ...settings, styles: 1 } });
    // Same weights, same order; the first step's digits differ, so its loss does (losses are [step, loss]).
    const [[, plainFirst], [, variedFirst]] = [plain.losses()[0]!, varied.losses()[0]!];
    expect(variedFirst).not.toBe(plainFirst);
    const epochs = varied.epochs();
    expect(epochs[3]!.loss).toBeLessThan(0.8 * epochs[1]!.loss);
    const evaluation = varied.of('evaluated')[0]!.evaluation;
    expect(evaluation.accuracy).toBeGreaterThan(0.4);
    // The reliability curve covers every test digit.
    expect(evaluation.reliability!.bins.reduce((a, b) => a + b.count, 0)).toBe(COUNTS.test);
    expect(evaluation.reliability!.bins.reduce((a, b) => a + b.correct, 0)).toBe(Math.round(evaluation.accuracy * COUNTS.test));

    const store = openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory: new IDBFactory() });
    await store.putCheckpoint(varied.checkpoints[1]!);
    const resumed = await session(store);
    await resumed.send({ type: 'resumeCheckpoint' });
    expect(resumed.losses()).toEqual(varied.losses().slice(varied.of('trainingStarted')[0]!.plan.batchesPerEpoch));
    expect(await resumed.savedWeights()).toEqual(await varied.savedWeights());
  });
});

describe('the learning rate', () => {
  it('falls over the run on the linear schedule: SGD steps of the same gradient shrink by the schedule', async () => {
    // Two runs of two steps from the same weights on the same digits: constant, and linear (second step at 1 - 0.9 / 2 of the rate).
    const run = async (schedule: 'constant' | 'linear') => {
      const s = await session();
      await s.send({
        type: 'train',
        settings: {
          ...short,
          optimizer: 'sgd',
          learningRate: 0.05,
          schedule,
          epochs: 2,
          trainSize: 100,
          validationSplit: 0,
          batchSize: 100,
        },
      });
      const flat = (epoch: number) => Float64Array.from(s.checkpoints[epoch]!.weights.flatMap((w) => Array.from(w.data)));
      return [flat(0), flat(1), flat(2)] as const;
    };
    const constant = await run('constant');
    const linear = await run('linear');
    // The first step is the same; the second is the same gradient (same weights) at 0.55 of the rate.
    expect(linear[1]).toEqual(constant[1]);
    let off = 0;
    linear[1].forEach((w1, i) => {
      const [stepConstant, stepLinear] = [constant[2][i]! - w1, linear[2][i]! - w1];
      if (Math.abs(stepLinear - 0.55 * stepConstant) > 2 ** -20 * Math.max(Math.abs(w1), 1e-3)) off++;
    });
    expect(off).toBe(0);
  });

  /** The model's weights, in one array, before and after a run of one SGD step at `learningRate`. */
  async function oneStep(learningRate: number) {
    const s = await session();
    // 100 digits, none held out, one batch: one step.
    await s.send({
      type: 'train',
      settings: { ...short, optimizer: 'sgd', learningRate, epochs: 1, trainSize: 100, validationSplit: 0, batchSize: 100 },
    });
    expect(s.losses()).toHaveLength(1);
    const flat = (epoch: number) => Float64Array.from(s.checkpoints[epoch]!.weights.flatMap((w) => Array.from(w.data)));
    return { before: flat(0), after: flat(1) };
  }

  it('is the one in the settings: twice the rate, twice the step (SGD, one batch, from the same weights)', async () => {
    const a = await oneStep(0.05);
    const b = await oneStep(0.1);
    expect(b.before).toEqual(a.before);
    let changed = 0;
    let off = 0;
    a.before.forEach((w0, i) => {
      const [wa, wb] = [a.after[i]!, b.after[i]!];
      if (wa !== w0) changed++;
      // Each new weight is rounded to float32 once: the steps agree to 1.5 units in the last place.
      if (Math.abs(wb - w0 - 2 * (wa - w0)) > 2 ** -21 * Math.max(Math.abs(w0), Math.abs(wa), Math.abs(wb))) off++;
    });
    expect(changed).toBeGreaterThan(0.9 * a.before.length);
    expect(off).toBe(0);
  });
});

describe('backend=cpu', () => {
  it('trains on the CPU backend the worker selects, and evaluates', async () => {
    const s = await session(undefined, (choice, avoid) => selectBackend(choice, avoid));
    // The CPU backend is slow (its Conv2DBackpropFilter most of all): 50 digits, 2 steps; 50 for validation.
    await s.send({
      type: 'train',
      settings: { ...short, backend: 'cpu', epochs: 1, trainSize: 100, validationSplit: 0.5, batchSize: 25, learningRate: 0.01 },
    });
    expect(s.of('backendSelected').map((e) => e.backend.name)).toEqual(['cpu']);
    expect(tf.getBackend()).toBe('cpu');
    const [untrained, trained] = s.epochs();
    expect(trained!.wasmMemoryBytes).toBeNull(); // read only on WASM
    expect(trained!.valLoss).toBeLessThan(untrained!.valLoss!);
    expect(s.of('evaluated')[0]!.evaluation.count).toBe(COUNTS.test);
  });
});

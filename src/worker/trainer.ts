/**
 * The worker's session logic, independent of `self`: it takes a `post` function, the loader's
 * I/O and a backend selector, so unit tests drive it directly in Node. trainer.worker.ts wires it
 * to the real worker.
 *
 * Training is a loop of our own rather than model.fit(): it shuffles with a seeded generator (the
 * same seed gives the same run), stops and pauses between any two batches, and reads each batch's
 * loss once, when it posts it.
 */
import * as tf from '@tensorflow/tfjs';
import { DataFileError } from '../data/dataFileError';
import { NUM_CLASSES, OFFICIAL_COUNTS, PIXELS_PER_IMAGE, manifestFiles, type SplitName } from '../data/mnist';
import { loadMnist, type LoaderIO, type MnistData } from '../data/mnistLoader';
import { mulberry32, shuffleInPlace } from '../data/random';
import { firstIndicesPerClass, pixelsToBytes } from '../data/sprite';
import { preprocessStrokes } from '../data/drawing';
import { buildLeNet5, summarize } from '../model/lenet5';
import { batchTensors, createBatchBuffers, createOptimizer, evaluate, perClassAccuracy, predictDigit, trainStep } from '../model/training';
import {
  BATCH_EVENT_INTERVAL_MS,
  SAMPLES_PER_CLASS,
  assertNever,
  type AppError,
  type BackendInfo,
  type DatasetSummary,
  type WorkerCommand,
  type WorkerEvent,
} from './protocol';
import { splitSizes, validateSettings, type BackendChoice, type TrainSettings } from './settings';

export type Post = (event: WorkerEvent, transfer?: Transferable[]) => void;

/** Training digits evaluated for epoch 0 (the untrained model): enough for a steady starting point. */
const INITIAL_SAMPLE = 2000;

/** Progress events at most this often: enough for a smooth bar, few enough not to flood the UI. */
const PROGRESS_INTERVAL_MS = 50;

export interface Trainer {
  handle(command: WorkerCommand): Promise<void>;
}

export interface TrainerOptions {
  io: LoaderIO;
  selectBackend: (choice: BackendChoice) => Promise<BackendInfo>;
  now?: () => number;
  /** Digit counts the manifest must declare (tests use a tiny data set). */
  expectedCounts?: Record<SplitName, number>;
}

/** Lets queued messages (pause, stop) in between batches: a macrotask, without setTimeout's clamping. */
function yieldToEvents(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Creates the worker-side session: owns the data set, the backend and the model. */
export function createTrainer(post: Post, options: TrainerOptions): Trainer {
  const now = options.now ?? (() => performance.now());
  let data: MnistData | null = null;
  let summary: DatasetSummary | null = null;
  let loading: Promise<void> | null = null;
  let backend: { choice: BackendChoice; info: BackendInfo } | null = null;
  let model: tf.LayersModel | null = null;
  /** Set while a run is going: how the loop learns of pause and stop. */
  let run: { stopRequested: boolean; paused: boolean; resume: (() => void) | null } | null = null;

  async function load(dataUrl: string): Promise<void> {
    const started = now();
    let lastProgress = -Infinity;
    data = await loadMnist(options.io, {
      baseUrl: dataUrl,
      expectedCounts: options.expectedCounts ?? OFFICIAL_COUNTS,
      onProgress: (loadedBytes, totalBytes) => {
        const t = now();
        if (t - lastProgress < PROGRESS_INTERVAL_MS && loadedBytes < totalBytes) return;
        lastProgress = t;
        post({ type: 'loadProgressed', loadedBytes, totalBytes });
      },
    });
    summary = summarizeData(data, now() - started);
  }

  async function ensureBackend(choice: BackendChoice): Promise<BackendInfo> {
    if (backend?.choice !== choice) {
      backend = { choice, info: await options.selectBackend(choice) };
      post({ type: 'backendSelected', backend: backend.info });
    }
    return backend.info;
  }

  async function train(settings: TrainSettings): Promise<void> {
    const errors = validateSettings(settings);
    if (errors.length > 0) throw new SettingsError(errors.map((e) => e.message).join('; '));
    if (!data) throw new Error('the data set is not loaded yet');
    const trainImages = data.train.images;
    const labels = data.train.labels;
    const info = await ensureBackend(settings.backend);

    model?.dispose();
    model = buildLeNet5({ preset: settings.model, activation: settings.activation, seed: settings.seed });
    const optimizer = createOptimizer(settings.optimizer, settings.learningRate);
    const sizes = splitSizes(settings);
    const batchesPerEpoch = Math.ceil(sizes.train / settings.batchSize);
    post({
      type: 'trainingStarted',
      plan: {
        settings,
        backend: info,
        summary: summarize(model, settings.model),
        trainCount: sizes.train,
        validationCount: sizes.validation,
        batchesPerEpoch,
      },
    });

    const state = { stopRequested: false, paused: false, resume: null as (() => void) | null };
    run = state;
    const random = mulberry32(settings.seed);
    const order = Int32Array.from({ length: sizes.train }, (_, i) => i);
    const buffers = createBatchBuffers(settings.batchSize);
    let step = 0;
    let epochsCompleted = 0;
    let warmupMs = 0;
    let elapsedMs = 0;
    let steadyImages = 0;
    let steadyMs = 0;
    try {
      // Epoch 0 is the untrained model, so the curves start where learning starts (about 10%).
      const initial = await evaluate(model, trainImages, labels, 0, Math.min(sizes.train, INITIAL_SAMPLE), 500, yieldToEvents);
      const initialValidation =
        sizes.validation > 0 ? await evaluate(model, trainImages, labels, sizes.train, sizes.validation, 500, yieldToEvents) : null;
      post({
        type: 'epochEnded',
        result: {
          epoch: 0,
          epochs: settings.epochs,
          loss: initial.loss,
          accuracy: initial.accuracy,
          valLoss: initialValidation?.loss ?? null,
          valAccuracy: initialValidation?.accuracy ?? null,
          durationMs: 0,
          imagesPerSecond: 0,
          numTensors: tf.memory().numTensors,
        },
      });
      for (let epoch = 1; epoch <= settings.epochs && !state.stopRequested; epoch++) {
        shuffleInPlace(order, random);
        const epochStarted = elapsedMs;
        let lossSum = 0;
        let correct = 0;
        let seen = 0;
        let pending: [number, number][] = [];
        let lastPost = -Infinity;
        for (let batch = 0; batch < batchesPerEpoch; batch++) {
          if (state.paused) {
            post({ type: 'trainingPaused' });
            await new Promise<void>((resolve) => (state.resume = resolve));
            state.resume = null;
            if (!state.stopRequested) post({ type: 'trainingResumed' });
          }
          if (state.stopRequested) break;
          const started = now();
          const start = batch * settings.batchSize;
          const count = Math.min(settings.batchSize, sizes.train - start);
          const { x, y } = batchTensors(trainImages, labels, order, start, count, buffers);
          const result = trainStep(model, optimizer, x, y);
          x.dispose();
          y.dispose();
          const [batchLoss, batchCorrect] = await Promise.all([result.loss.data(), result.correct.data()]);
          result.loss.dispose();
          result.correct.dispose();
          const batchMs = now() - started;
          elapsedMs += batchMs;
          if (step === 0) warmupMs = batchMs;
          else {
            steadyImages += count;
            steadyMs += batchMs;
          }
          step++;
          lossSum += batchLoss[0]! * count;
          correct += batchCorrect[0]!;
          seen += count;
          pending.push([step, batchLoss[0]!]);
          const t = now();
          if (t - lastPost >= BATCH_EVENT_INTERVAL_MS || batch === batchesPerEpoch - 1) {
            lastPost = t;
            post({
              type: 'batchEnded',
              progress: {
                epoch,
                batch: batch + 1,
                batchesPerEpoch,
                losses: pending,
                loss: lossSum / seen,
                accuracy: correct / seen,
                imagesPerSecond: steadyMs > 0 ? (steadyImages / steadyMs) * 1000 : (count / batchMs) * 1000,
                warmupMs,
                elapsedMs,
              },
            });
            pending = [];
          }
          await yieldToEvents();
        }
        if (seen < sizes.train) break; // stopped mid-epoch: no epoch result for a partial epoch
        const validation =
          sizes.validation > 0 ? await evaluate(model, trainImages, labels, sizes.train, sizes.validation, 500, yieldToEvents) : null;
        epochsCompleted = epoch;
        const durationMs = elapsedMs - epochStarted;
        post({
          type: 'epochEnded',
          result: {
            epoch,
            epochs: settings.epochs,
            loss: lossSum / seen,
            accuracy: correct / seen,
            valLoss: validation?.loss ?? null,
            valAccuracy: validation?.accuracy ?? null,
            durationMs,
            imagesPerSecond: (seen / durationMs) * 1000,
            numTensors: tf.memory().numTensors,
          },
        });
      }
    } finally {
      optimizer.dispose();
      run = null;
    }

    const stopped = epochsCompleted < settings.epochs;
    post({ type: 'evaluationStarted', stopped });
    const started = now();
    const test = await evaluate(model, data.test.images, data.test.labels, 0, data.test.count, 500, yieldToEvents);
    post({
      type: 'evaluated',
      evaluation: {
        count: test.count,
        loss: test.loss,
        accuracy: test.accuracy,
        confusion: test.confusion,
        perClassAccuracy: perClassAccuracy(test.confusion),
        durationMs: now() - started,
        stopped,
        epochsCompleted,
      },
    });
  }

  return {
    async handle(command) {
      try {
        switch (command.type) {
          case 'load': {
            if (!summary) {
              // A second `load` (say, a remount) waits for the first instead of downloading again.
              loading ??= load(command.dataUrl).finally(() => {
                loading = null;
              });
              await loading;
            }
            if (summary) {
              const samples = { ...summary.samples, bytes: summary.samples.bytes.slice() };
              post({ type: 'loaded', dataset: { ...summary, samples } }, [samples.bytes.buffer]);
            }
            return;
          }
          case 'describeModel': {
            // Shapes and counts do not depend on the backend: build on whichever runs, then free it.
            await ensureBackend(command.backend);
            const described = buildLeNet5({ preset: command.model, activation: command.activation, seed: 0 });
            post({ type: 'modelDescribed', summary: summarize(described, command.model) });
            described.dispose();
            return;
          }
          case 'train':
            if (run) return; // one run at a time; the UI disables Train meanwhile
            await train(command.settings);
            return;
          case 'pause':
            if (run) run.paused = true;
            return;
          case 'resume':
            if (run) {
              run.paused = false;
              run.resume?.();
            }
            return;
          case 'stop':
            if (run) {
              run.stopRequested = true;
              run.resume?.();
            }
            return;
          case 'predict': {
            // Between two batches while training: the class watches the probe digit's answer change.
            const input = preprocessStrokes(command.strokes);
            const probabilities = input && model ? await predictDigit(model, input.pixels) : null;
            post({
              type: 'predicted',
              reading: { requestId: command.requestId, strokeCount: command.strokes.length, input, probabilities },
            });
            return;
          }
          default:
            return assertNever(command);
        }
      } catch (error) {
        post({ type: 'failed', error: toAppError(error) });
      }
    },
  };
}

class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

function summarizeData(data: MnistData, durationMs: number): DatasetSummary {
  const { train, test, manifest } = data;
  const indices = firstIndicesPerClass(train.labels, NUM_CLASSES, SAMPLES_PER_CLASS);
  const bytes = new Uint8Array(indices.length * PIXELS_PER_IMAGE);
  indices.forEach((index, i) => {
    const digit = train.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    bytes.set(pixelsToBytes(digit), i * PIXELS_PER_IMAGE);
  });
  const files = manifestFiles(manifest);
  return {
    trainCount: train.count,
    testCount: test.count,
    labelCounts: { train: manifest.splits.train.labelCounts, test: manifest.splits.test.labelCounts },
    source: manifest.source,
    files: files.length,
    downloadedBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    durationMs,
    samples: { indices, labels: indices.map((i) => train.labels[i]!), bytes },
  };
}

/** Maps anything thrown to the protocol's error shape. */
export function toAppError(error: unknown): AppError {
  if (error instanceof DataFileError) return { kind: 'data', file: error.file, expected: error.expected, found: error.found };
  if (error instanceof SettingsError) return { kind: 'settings', message: error.message };
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
}

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
import {
  artifactsToFiles,
  artifactsToModel,
  filesToArtifacts,
  modelToArtifacts,
  ModelFileError,
  type ModelFile,
} from '../model/modelFiles';
import { batchTensors, createBatchBuffers, createOptimizer, evaluate, perClassAccuracy, trainStep } from '../model/training';
import { convFilters, layerActivations } from '../model/inspect';
import { cell, mistakes, ofClass, type Answers } from '../data/digitQueries';
import { captureOptimizer, captureWeights, restoreOptimizer, restoreWeights } from '../model/trainingState';
import {
  BackendLostError,
  backendContextLost,
  CONTEXT_LOST_MESSAGE,
  loseBackendContext,
  watchBackend,
  type BackendWatch,
} from './contextLoss';
import { ModelStoreError } from '../model/modelStore';
import { readLibrary, storageSaying, trainedModelName, type Checkpoint, type LibraryStore } from './library';
import {
  BATCH_EVENT_INTERVAL_MS,
  SAMPLES_PER_CLASS,
  assertNever,
  type AppError,
  type BackendInfo,
  type BackendName,
  type DatasetSummary,
  type DigitItem,
  type DigitQuery,
  type EpochResult,
  type ModelRecord,
  type ModelSource,
  type Said,
  type TestFault,
  type WorkerCommand,
  type WorkerEvent,
} from '../shared/protocol';
import { splitSizes, validateSettings, type BackendChoice, type TrainSettings } from '../shared/settings';

export type Post = (event: WorkerEvent, transfer?: Transferable[]) => void;

/** Training digits evaluated for epoch 0 (the untrained model): enough for a steady starting point. */
const INITIAL_SAMPLE = 2000;

/** Progress events at most this often: enough for a smooth bar, few enough not to flood the UI. */
const PROGRESS_INTERVAL_MS = 50;

/** Digits evaluated per chunk: each chunk is one wait, between which pause, stop and ping get in. */
const EVAL_CHUNK = 500;

/** Base name of downloaded model files: lenet-lab-model.json and lenet-lab-model.weights.bin. */
const DOWNLOAD_NAME = 'lenet-lab-model';

/** The `testFault` run loses the WebGL context at this batch of epoch 2 (epoch 1 when there is only one). */
const FAULT_AT_BATCH = 3;

export interface Trainer {
  handle(command: WorkerCommand): Promise<void>;
}

export interface TrainerOptions {
  io: LoaderIO;
  /** Starts a backend, never one of `avoid` (backends this session lost). */
  selectBackend: (choice: BackendChoice, avoid: readonly BackendName[]) => Promise<BackendInfo>;
  /** Saved models and the checkpoint; null where the browser gives the page no storage. */
  store?: LibraryStore | null;
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

/** Creates the worker-side session: owns the data set, the backend, the model in use and its storage. */
export function createTrainer(post: Post, options: TrainerOptions): Trainer {
  const now = options.now ?? (() => performance.now());
  const store = options.store ?? null;
  let data: MnistData | null = null;
  let summary: DatasetSummary | null = null;
  let loading: Promise<void> | null = null;
  /**
   * The backend chosen last, as the promise of its start: commands that arrive while it starts
   * (a fresh worker gets `load`, `describeModel` and `useSavedModel` at once) share it. Two
   * overlapping tf.setBackend() calls left the first caller on a backend not yet initialized.
   */
  let backend: { choice: BackendChoice; info: Promise<BackendInfo> } | null = null;
  /** Backends this worker must not use: the UI passes the ones a previous worker lost. */
  let avoid: BackendName[] = [];
  let model: tf.LayersModel | null = null;
  /** What is known of the model in use beyond its weights (null while a run trains it). */
  let inUse: (ModelRecord & { id: string | null; savedAt: string }) | null = null;
  /** Set while a run is going: how the loop learns of pause and stop. */
  let run: { stopRequested: boolean; paused: boolean; resume: (() => void) | null } | null = null;
  /** Storage failures are reported once per worker, not once per epoch. */
  let storageReported = false;
  /** The model in use's answers on the test digits, for the galleries (computed when first needed). */
  let answers: Answers | null = null;

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

  /** The data set, waiting for a load in progress (a command sent right after `load` arrives before it ends). */
  async function loadedData(): Promise<MnistData> {
    if (loading) await loading;
    if (!data) throw new SaidError('the data set is not loaded yet', 'notLoaded');
    return data;
  }

  function ensureBackend(choice: BackendChoice): Promise<BackendInfo> {
    if (backend?.choice !== choice) {
      // After the previous start has settled, never beside it.
      const previous = backend?.info.catch(() => undefined);
      const info = (previous ?? Promise.resolve()).then(async () => {
        const selected = await options.selectBackend(choice, avoid);
        post({ type: 'backendSelected', backend: selected });
        return selected;
      });
      const entry = { choice, info };
      backend = entry;
      // A start that failed is not kept: the next command tries again.
      info.catch(() => {
        if (backend === entry) backend = null;
      });
    }
    return backend.info;
  }

  function reportStorage(error: unknown): void {
    if (storageReported) return;
    storageReported = true;
    post({ type: 'storageFailed', ...storageSaying(error) });
  }

  async function postLibrary(): Promise<void> {
    if (!store) return;
    try {
      post({ type: 'savedModelsListed', ...(await readLibrary(store)) });
    } catch (error) {
      reportStorage(error);
    }
  }

  /** The convolution filters of `trained` after `epoch` epochs, for the Filters view. */
  async function postFilters(trained: tf.LayersModel, epoch: number | null): Promise<void> {
    post({ type: 'filtersChanged', filters: await convFilters(trained), epoch });
  }

  /** The model in use's answers on the test digits, from the last test evaluation or computed now. */
  async function testAnswers(): Promise<Answers | null> {
    if (!model) return null;
    if (!answers) {
      const { test } = await loadedData();
      const evaluated = model;
      const result = await watchBackend().race(evaluate(evaluated, test.images, test.labels, 0, test.count, EVAL_CHUNK, yieldToEvents));
      if (model === evaluated) answers = result; // unless the model changed meanwhile
      return result;
    }
    return answers;
  }

  async function queryDigits(query: DigitQuery, offset: number, count: number) {
    const split = query.kind === 'class' ? query.split : 'test';
    const set = (await loadedData())[split];
    const known = split === 'test' ? (query.kind === 'class' ? answers : await testAnswers()) : null;
    let indices: number[];
    if (query.kind === 'class') indices = ofClass(set.labels, query.label);
    else if (!known) indices = [];
    else if (query.kind === 'mistakes') indices = mistakes(set.labels, known);
    else indices = cell(set.labels, known, query.truth, query.predicted);
    const page = indices.slice(offset, offset + count);
    const bytes = new Uint8Array(page.length * PIXELS_PER_IMAGE);
    const items: DigitItem[] = page.map((index, i) => {
      bytes.set(pixelsToBytes(set.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE)), i * PIXELS_PER_IMAGE);
      return {
        split,
        index,
        label: set.labels[index]!,
        predicted: known ? known.predictions[index]! : null,
        probabilities: known ? Array.from(known.probabilities.subarray(index * NUM_CLASSES, (index + 1) * NUM_CLASSES)) : null,
      };
    });
    return { total: indices.length, items, bytes };
  }

  /** Makes `next` the model in use, saving it first where it is not saved yet (the caller posts the new list). */
  async function adopt(
    next: tf.LayersModel,
    source: ModelSource,
    record: ModelRecord,
    saved: { id: string; savedAt: string } | null,
    nextAnswers: Answers | null,
  ) {
    let identity = saved;
    if (!identity && store) {
      try {
        identity = await store.add(record, await modelToArtifacts(next));
      } catch (error) {
        reportStorage(error);
      }
    }
    if (model !== next) model?.dispose();
    model = next;
    answers = nextAnswers;
    inUse = { ...record, id: identity?.id ?? null, savedAt: identity?.savedAt ?? new Date().toISOString() };
    post({ type: 'modelChanged', source, model: inUse });
    await postFilters(next, record.epochs.at(-1)?.epoch ?? null);
  }

  async function saveCheckpoint(
    trained: tf.LayersModel,
    checkpoint: Omit<Checkpoint, 'weights' | 'optimizer' | 'savedAt'>,
    optimizer: tf.Optimizer,
    watch: BackendWatch,
  ) {
    if (!store) return;
    const weights = await watch.race(captureWeights(trained));
    const optimizerState = await watch.race(captureOptimizer(optimizer));
    try {
      await store.putCheckpoint({
        ...checkpoint,
        history: checkpoint.history.slice(),
        weights,
        optimizer: optimizerState,
        savedAt: new Date().toISOString(),
      });
      post({ type: 'checkpointSaved', epoch: checkpoint.epoch });
    } catch (error) {
      reportStorage(error);
    }
  }

  /** Trains from scratch, or from a checkpoint: the same shuffles and optimizer state, so the same run. */
  async function train(settings: TrainSettings, from: Checkpoint | null, testFault?: TestFault): Promise<void> {
    const errors = validateSettings(settings);
    if (errors.length > 0) throw new SettingsError(errors.map((e) => e.message).join('; '), errors[0]!.said);
    const { train: trainSet, test: testSet } = await loadedData();
    const trainImages = trainSet.images;
    const labels = trainSet.labels;
    const info = await ensureBackend(settings.backend);
    const watch = watchBackend();

    model?.dispose();
    inUse = null;
    answers = null;
    const trained = buildLeNet5({ preset: settings.model, activation: settings.activation, seed: settings.seed });
    model = trained;
    const optimizer = createOptimizer(settings.optimizer, settings.learningRate);
    if (from) {
      restoreWeights(trained, from.weights);
      await restoreOptimizer(optimizer, from.optimizer);
    }
    const sizes = splitSizes(settings);
    const batchesPerEpoch = Math.ceil(sizes.train / settings.batchSize);
    const modelSummary = summarize(trained, settings.model);
    post({
      type: 'trainingStarted',
      plan: {
        settings,
        backend: info,
        summary: modelSummary,
        trainCount: sizes.train,
        validationCount: sizes.validation,
        batchesPerEpoch,
        resumed: from ? { fromEpoch: from.epoch, history: from.history } : null,
      },
    });

    const state = { stopRequested: false, paused: false, resume: null as (() => void) | null };
    run = state;
    const random = mulberry32(settings.seed);
    const order = Int32Array.from({ length: sizes.train }, (_, i) => i);
    const startEpoch = from?.epoch ?? 0;
    // Replays the shuffles of the epochs already done, so epoch k sees the order it would have seen.
    for (let epoch = 1; epoch <= startEpoch; epoch++) shuffleInPlace(order, random);
    const history: EpochResult[] = from ? from.history.slice() : [];
    const buffers = createBatchBuffers(settings.batchSize);
    const faultEpoch = testFault === 'lose-webgl-context' ? Math.min(2, settings.epochs) : -1;
    let step = startEpoch * batchesPerEpoch;
    let epochsCompleted = startEpoch;
    let batchesRun = 0;
    let warmupMs = 0;
    let elapsedMs = 0;
    let steadyImages = 0;
    let steadyMs = 0;
    const memory = () => ({ numTensors: tf.memory().numTensors, tensorBytes: tf.memory().numBytes, wasmMemoryBytes: wasmMemoryBytes() });
    try {
      if (!from) {
        // Epoch 0 is the untrained model, so the curves start where learning starts (about 10%).
        const initial = await watch.race(
          evaluate(trained, trainImages, labels, 0, Math.min(sizes.train, INITIAL_SAMPLE), EVAL_CHUNK, yieldToEvents),
        );
        const initialValidation =
          sizes.validation > 0
            ? await watch.race(evaluate(trained, trainImages, labels, sizes.train, sizes.validation, EVAL_CHUNK, yieldToEvents))
            : null;
        const result: EpochResult = {
          epoch: 0,
          epochs: settings.epochs,
          loss: initial.loss,
          accuracy: initial.accuracy,
          valLoss: initialValidation?.loss ?? null,
          valAccuracy: initialValidation?.accuracy ?? null,
          durationMs: 0,
          imagesPerSecond: 0,
          ...memory(),
        };
        history.push(result);
        // Saved before it is announced: a worker lost in between never shows an epoch it cannot resume from.
        await saveCheckpoint(trained, { settings, epoch: 0, history }, optimizer, watch);
        post({ type: 'epochEnded', result });
        await watch.race(postFilters(trained, 0));
      }
      for (let epoch = startEpoch + 1; epoch <= settings.epochs && !state.stopRequested; epoch++) {
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
          if (epoch === faultEpoch && batch === FAULT_AT_BATCH) loseBackendContext();
          const started = now();
          const start = batch * settings.batchSize;
          const count = Math.min(settings.batchSize, sizes.train - start);
          const { x, y } = batchTensors(trainImages, labels, order, start, count, buffers);
          const result = trainStep(trained, optimizer, x, y);
          x.dispose();
          y.dispose();
          const [batchLoss, batchCorrect] = await watch.race(Promise.all([result.loss.data(), result.correct.data()]));
          result.loss.dispose();
          result.correct.dispose();
          // A lost context can still hand back numbers: they are garbage, and this batch must not count.
          if (watch.lost()) throw new BackendLostError(CONTEXT_LOST_MESSAGE);
          const batchMs = now() - started;
          elapsedMs += batchMs;
          if (batchesRun === 0) warmupMs = batchMs;
          else {
            steadyImages += count;
            steadyMs += batchMs;
          }
          batchesRun++;
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
          sizes.validation > 0
            ? await watch.race(evaluate(trained, trainImages, labels, sizes.train, sizes.validation, EVAL_CHUNK, yieldToEvents))
            : null;
        epochsCompleted = epoch;
        const durationMs = elapsedMs - epochStarted;
        const result: EpochResult = {
          epoch,
          epochs: settings.epochs,
          loss: lossSum / seen,
          accuracy: correct / seen,
          valLoss: validation?.loss ?? null,
          valAccuracy: validation?.accuracy ?? null,
          durationMs,
          imagesPerSecond: (seen / durationMs) * 1000,
          ...memory(),
        };
        history.push(result);
        await saveCheckpoint(trained, { settings, epoch, history }, optimizer, watch);
        post({ type: 'epochEnded', result });
        await watch.race(postFilters(trained, epoch));
      }
    } finally {
      optimizer.dispose();
      run = null;
    }

    const stopped = epochsCompleted < settings.epochs;
    post({ type: 'evaluationStarted', stopped });
    const { evaluation, testAnswers: trainedAnswers } = await evaluateTest(trained, testSet, watch);
    answers = trainedAnswers; // before `evaluated`: the galleries ask for them as soon as it arrives
    const finished = { ...evaluation, stopped, epochsCompleted };
    post({ type: 'evaluated', evaluation: finished });
    const record: ModelRecord = {
      name: trainedModelName(settings, epochsCompleted),
      origin: 'trained',
      settings,
      summary: modelSummary,
      evaluation: finished,
      epochs: history,
      weightBytes: weightBytes(trained),
    };
    await adopt(trained, 'trained', record, null, trainedAnswers);
    // The run is over and its model saved: nothing is left to resume.
    await store?.clearCheckpoint().catch(reportStorage);
    await postLibrary();
  }

  async function evaluateTest(evaluated: tf.LayersModel, testSet: MnistData['test'], watch: BackendWatch = watchBackend()) {
    const started = now();
    const test = await watch.race(evaluate(evaluated, testSet.images, testSet.labels, 0, testSet.count, EVAL_CHUNK, yieldToEvents));
    const evaluation = {
      count: test.count,
      loss: test.loss,
      accuracy: test.accuracy,
      confusion: test.confusion,
      perClassAccuracy: perClassAccuracy(test.confusion),
      durationMs: now() - started,
    };
    return { evaluation, testAnswers: test };
  }

  async function restoreSaved(id: string, choice: BackendChoice): Promise<void> {
    if (!store) throw new SaidError('this browser gives the page no storage', 'noStorage');
    const saved = await store.get(id);
    if (!saved) {
      await postLibrary();
      throw new SaidError('that saved model is no longer in this browser (deleted in another tab?)', 'savedModelGone');
    }
    await ensureBackend(choice);
    const restored = await artifactsToModel(saved.artifacts);
    const { id: savedId, savedAt, ...record } = saved.meta;
    await adopt(restored, 'restored', record, { id: savedId, savedAt }, null);
    await postLibrary();
  }

  async function upload(files: ModelFile[], choice: BackendChoice): Promise<void> {
    if (run) {
      post({
        type: 'uploadRejected',
        message: 'Stop the training first: the model being trained is the model in use until it ends.',
        said: { code: 'uploadWhileTraining', values: {} },
      });
      return;
    }
    let uploaded: tf.LayersModel;
    let name: string;
    try {
      const { artifacts, metadata, jsonName } = filesToArtifacts(files);
      await ensureBackend(choice);
      uploaded = await artifactsToModel(artifacts);
      const lenetLab = metadata?.lenetLab as { name?: unknown } | undefined;
      name = typeof lenetLab?.name === 'string' ? lenetLab.name : jsonName;
    } catch (error) {
      if (!(error instanceof ModelFileError)) throw error;
      post({ type: 'uploadRejected', message: error.message, said: error.said });
      return;
    }
    try {
      const { evaluation, testAnswers: uploadedAnswers } = await evaluateTest(uploaded, (await loadedData()).test);
      const record: ModelRecord = {
        name,
        origin: 'uploaded',
        settings: null,
        summary: summarize(uploaded, null),
        evaluation: { ...evaluation, stopped: false, epochsCompleted: 0 },
        epochs: [],
        weightBytes: weightBytes(uploaded),
      };
      await adopt(uploaded, 'uploaded', record, null, uploadedAnswers);
      await postLibrary();
    } catch (error) {
      uploaded.dispose();
      post({
        type: 'uploadRejected',
        message: `The uploaded model cannot be used: ${errorMessage(error)}`,
        said: { code: 'uploadUnusable', values: { detail: errorMessage(error) } },
      });
    }
  }

  async function download(): Promise<void> {
    if (!model) throw new SaidError('there is no model to download yet', 'noModel');
    const metadata = { lenetLab: { name: inUse?.name ?? null, savedAt: inUse?.savedAt ?? null, settings: inUse?.settings ?? null } };
    const files = artifactsToFiles(await modelToArtifacts(model), DOWNLOAD_NAME, metadata);
    post(
      { type: 'modelFilesReady', files },
      files.map((f) => f.bytes),
    );
  }

  return {
    async handle(command) {
      try {
        switch (command.type) {
          case 'load': {
            avoid = command.avoidBackends ?? [];
            void postLibrary();
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
            await train(command.settings, null, command.testFault);
            return;
          case 'resumeCheckpoint': {
            if (run) return;
            const checkpoint = store ? await store.getCheckpoint() : null;
            if (!checkpoint) throw new SaidError('there is no interrupted run to continue', 'noCheckpoint');
            await train(checkpoint.settings, checkpoint);
            return;
          }
          case 'discardCheckpoint':
            await store?.clearCheckpoint();
            await postLibrary();
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
            const activations = input && model ? await watchBackend().race(layerActivations(model, input.pixels)) : null;
            const probabilities = activations ? Array.from(activations.at(-1)!.values) : null;
            post({
              type: 'predicted',
              reading: { requestId: command.requestId, strokeCount: command.strokes.length, input, probabilities, activations },
            });
            return;
          }
          case 'inspectDigit': {
            const set = (await loadedData())[command.split];
            if (!model || command.index < 0 || command.index >= set.count) return;
            const pixels = set.images.slice(command.index * PIXELS_PER_IMAGE, (command.index + 1) * PIXELS_PER_IMAGE);
            const activations = await watchBackend().race(layerActivations(model, pixels));
            post({
              type: 'digitInspected',
              requestId: command.requestId,
              split: command.split,
              index: command.index,
              label: set.labels[command.index]!,
              pixels,
              activations,
            });
            return;
          }
          case 'queryDigits': {
            const { total, items, bytes } = await queryDigits(command.query, command.offset, command.count);
            post(
              { type: 'digitsListed', requestId: command.requestId, query: command.query, offset: command.offset, total, items, bytes },
              [bytes.buffer],
            );
            return;
          }
          case 'useSavedModel':
            if (run) return;
            await restoreSaved(command.id, command.backend);
            return;
          case 'deleteSavedModel':
            await store?.delete(command.id);
            if (inUse?.id === command.id) inUse = { ...inUse, id: null };
            await postLibrary();
            return;
          case 'downloadModel':
            await download();
            return;
          case 'uploadModel':
            await upload(command.files, command.backend);
            return;
          case 'ping':
            post({ type: 'pong' });
            return;
          default:
            return assertNever(command);
        }
      } catch (error) {
        if (error instanceof BackendLostError || backendContextLost()) {
          post({ type: 'backendLost', backend: 'webgl', message: CONTEXT_LOST_MESSAGE, said: { code: 'contextLost', values: {} } });
          return;
        }
        const appError = toAppError(error);
        // Saved-model operations fail on their own: the model in use and the page carry on.
        const onSavedModel = ['useSavedModel', 'deleteSavedModel', 'downloadModel', 'discardCheckpoint'].includes(command.type);
        post({
          type: 'failed',
          error: onSavedModel && appError.kind !== 'data' ? { ...appError, kind: 'model' } : appError,
        });
      }
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bytes of the model's weights as stored (float32). */
function weightBytes(model: tf.LayersModel): number {
  return model.weights.reduce((sum, w) => sum + w.shape.reduce((n: number, d) => n * (d ?? 1), 1) * 4, 0);
}

/** The WASM backend's linear memory: it only grows, so a leak there shows as growth epoch after epoch. */
function wasmMemoryBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** An error the worker words itself: its English message and the code other languages word it by. */
class SaidError extends Error {
  readonly said: Said;
  constructor(message: string, code: Said['code'], values: Said['values'] = {}) {
    super(message);
    this.said = { code, values };
  }
}

class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    message: string,
    readonly said: Said,
  ) {
    super(message);
  }
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
  if (error instanceof DataFileError) {
    return { kind: 'data', file: error.file, expected: error.expected, found: error.found, problem: error.problem };
  }
  if (error instanceof SettingsError) return { kind: 'settings', message: error.message, said: error.said };
  if (error instanceof ModelStoreError || error instanceof SaidError) return { kind: 'internal', message: error.message, said: error.said };
  return { kind: 'internal', message: errorMessage(error) };
}

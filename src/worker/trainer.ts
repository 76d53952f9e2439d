/**
 * The worker's session, independent of `self`: it takes a `post` function, the loader's I/O and a
 * backend selector, so unit tests drive it directly in Node. trainer.worker.ts wires it to the real
 * worker. This file owns the backend (dataset.ts the data set) and routes each command; the parts own the
 * rest: trainingRun.ts the run, modelInUse.ts the model in use and its files, galleries.ts the
 * pages of digits, inspection.ts a drawing's or a digit's every layer. They share only the
 * `Session` (session.ts) and the model in use.
 */
import { DataFileError } from '../data/dataFileError';
import type { SplitName } from '../data/mnist';
import type { LoaderIO, MnistData } from '../data/mnistLoader';
import { wasmSimdSupported } from '../engine/engine';
import { buildLeNet5, summarize } from '../model/lenet5';
import { ModelStoreError } from '../model/modelStore';
import { assertNever, type AppError, type BackendInfo, type BackendName, type WorkerCommand } from '../shared/protocol';
import type { BackendChoice } from '../shared/settings';
import { backendContextLost, BackendLostError, CONTEXT_LOST_MESSAGE } from './contextLoss';
import { queryDigits } from './galleries';
import { inspectDigit, readDrawing } from './inspection';
import { readCheckpoint, readLibrary, storageSaying, type LibraryStore } from './library';
import { announceLoaded, createDataset, type Dataset } from './dataset';
import { createModelInUse } from './modelInUse';
import { errorMessage, SaidError, SettingsError, type Post, type Session } from './session';
import type { EngineCandidate } from './backends';
import { measureEngine, measureTfjs } from './steppers';
import { prepareStylesHelper } from './batches';
import { createTrainingRun } from './trainingRun';
import { createClassSet } from './classSet';
import { teachClassDigits } from './teaching';
import { createExplaining } from './explaining';
import { createRunHistory } from './runHistory';

export type { Post } from './session';

export interface TrainerSession {
  handle(command: WorkerCommand): Promise<void>;
}

/** Where the data set comes from: loader I/O (the session makes its own Dataset), or a Dataset already loading. */
export type DataSource = { io: LoaderIO; expectedCounts?: Record<SplitName, number> } | { dataset: Dataset };

export type TrainerSessionOptions = DataSource & {
  /** Starts a backend, never one of `avoid` (backends this session lost); `engine`: the engine, where there is one. */
  selectBackend: (choice: BackendChoice, avoid: readonly BackendName[], engine: EngineCandidate | null) => Promise<BackendInfo>;
  /** Compiles the LeNet Lab engine; without it, tfjs trains. */
  engineModule?: () => Promise<WebAssembly.Module>;
  /** Saved models and the checkpoint; null where the browser gives the page no storage. */
  store?: LibraryStore | null;
  now?: () => number;
};

const startStylesHelper = (data: MnistData) => prepareStylesHelper(data.train);

/** Creates the worker-side session: owns the data set and the backend, and routes the commands. */
export function createTrainerSession(post: Post, options: TrainerSessionOptions): TrainerSession {
  const now = options.now ?? (() => performance.now());
  const store = options.store ?? null;
  const dataset =
    'dataset' in options ? options.dataset : createDataset(post, { io: options.io, now, expectedCounts: options.expectedCounts });
  /**
   * The backend chosen last, as the promise of its start: commands that arrive while it starts
   * (a fresh worker gets `load`, `describeModel` and `useSavedModel` at once) share it. Two
   * overlapping tf.setBackend() calls left the first caller on a backend not yet initialized.
   */
  let backend: { choice: BackendChoice; info: Promise<BackendInfo> } | null = null;
  /** Backends this worker must not use: the UI passes the ones a previous worker lost. */
  let avoid: BackendName[] = [];
  /** Storage failures are reported once per worker, not once per epoch. */
  let storageReported = false;
  /** The `no-wasm-simd` test fault: this worker acts as in a browser without WebAssembly SIMD. */
  let pretendNoSimd = false;
  let engine: Promise<WebAssembly.Module> | null = null;

  function engineModule(): Promise<WebAssembly.Module> {
    if (!options.engineModule) return Promise.reject(new Error('this session has no training engine'));
    engine ??= options.engineModule();
    // A module that failed to load is not kept: the next run tries again.
    engine.catch(() => (engine = null));
    return engine;
  }

  /** The engine as a candidate for selectBackend, or null where this session has none. */
  function engineCandidate(): EngineCandidate | null {
    if (!options.engineModule) return null;
    return {
      simd: wasmSimdSupported() && !pretendNoSimd,
      measureEngine: async () => measureEngine(await engineModule()),
      measureWebGl: () => measureTfjs(() => buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 1 })),
    };
  }

  function ensureBackend(choice: BackendChoice): Promise<BackendInfo> {
    if (backend?.choice !== choice) {
      // After the previous start has settled, never beside it.
      // A backend starts after the data set has loaded: its start (and the engine's calibration)
      // on the worker's one thread would otherwise delay the page's first "ready".
      const previous = Promise.all([backend?.info.catch(() => undefined), dataset.settled()]);
      const info = previous.then(async () => {
        const selected = await options.selectBackend(choice, avoid, engineCandidate());
        post({ type: 'backendSelected', backend: selected });
        // The Varied-handwriting helper, started now rather than at the Train click (batches.ts).
        setTimeout(() => void dataset.loaded().then(startStylesHelper, () => undefined), 0);
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

  const session: Session = {
    post,
    now,
    store,
    loadedData: () => dataset.loaded(),
    ensureBackend,
    engineModule,
    reportStorage,
    postLibrary,
    training: () => training.active(),
    modelUpdated: async (model, epoch) => {
      // A new model in use (not a run's epoch): the last learning step's copy is of the old one.
      if (epoch === undefined) explaining.forget();
      await classSet.measure(model, epoch ?? null);
    },
    runFinished: (run) => runs.add(run),
  };
  const models = createModelInUse(session);
  const training = createTrainingRun(session, models);
  const classSet = createClassSet(session, models);
  const explaining = createExplaining(session, models);
  const runs = createRunHistory(session);

  return {
    async handle(command) {
      try {
        switch (command.type) {
          case 'load': {
            avoid = command.avoidBackends ?? [];
            pretendNoSimd = command.testFault === 'no-wasm-simd';
            const library = postLibrary();
            // Shares a load under way. In the worker, the entry starts it and says `loaded` itself, as
            // soon as it is true, whether or not this session (tfjs and all) has been evaluated yet.
            const summary = await dataset.load(command.dataUrl);
            if (!('dataset' in options)) announceLoaded(post, summary);
            // Handled means both said: the data set and the saved models (never slower than the data).
            await library;
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
            if (training.active()) return; // one run at a time; the UI disables Train meanwhile
            await training.train(command.settings, null, command.testFault);
            return;
          case 'resumeCheckpoint': {
            if (training.active()) return;
            const checkpoint = store ? await readCheckpoint(store) : null;
            if (!checkpoint) throw new SaidError('there is no interrupted run to continue', 'noCheckpoint');
            await training.train(checkpoint.settings, checkpoint);
            return;
          }
          case 'discardCheckpoint':
            await store?.clearCheckpoint();
            await postLibrary();
            return;
          case 'pause':
            training.pause();
            return;
          case 'resume':
            training.resume();
            return;
          case 'stop':
            training.stop();
            return;
          case 'predict':
            await readDrawing(session, models, command.requestId, command.strokes);
            return;
          case 'inspectDigit':
            await inspectDigit(session, models, command.requestId, command.split, command.index);
            return;
          case 'queryDigits': {
            const { total, items, bytes } = await queryDigits(session, models, command.query, command.offset, command.count);
            post(
              { type: 'digitsListed', requestId: command.requestId, query: command.query, offset: command.offset, total, items, bytes },
              [bytes.buffer],
            );
            return;
          }
          case 'useSavedModel':
            if (training.active()) return;
            await models.restoreSaved(command.id, command.backend);
            return;
          case 'deleteSavedModel':
            await store?.delete(command.id);
            models.forgetSaved(command.id);
            await postLibrary();
            return;
          case 'downloadModel':
            await models.download();
            return;
          case 'uploadModel':
            await models.upload(command.files, command.backend);
            return;
          case 'ping':
            post({ type: 'pong' });
            return;
          case 'listClassDigits':
            await classSet.list();
            return;
          case 'addClassDigit':
            await classSet.add(command.strokes, command.label);
            return;
          case 'deleteClassDigit':
            await classSet.remove(command.id);
            return;
          case 'clearClassDigits':
            await classSet.clear();
            return;
          case 'exportClassDigits':
            await classSet.exportFile();
            return;
          case 'importClassDigits':
            await classSet.importFiles(command.files);
            return;
          case 'teachClassDigits':
            if (training.active()) return;
            await teachClassDigits(session, models, classSet, training);
            return;
          case 'explainDigit':
            await explaining.explain(command.requestId, command.pixels, command.target);
            return;
          case 'takeLearningStep':
            await explaining.take(command.requestId, command.pixels, command.label, command.optimizer, command.learningRate);
            return;
          case 'applyLearningStep':
            await explaining.apply(command.requestId);
            return;
          case 'keepLearningStep':
            await explaining.keep(command.requestId);
            return;
          case 'listRuns':
            await runs.list();
            return;
          case 'pinRun':
            await runs.pin(command.id);
            return;
          case 'deleteRun':
            await runs.remove(command.id);
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
        // A class-digit command refused before it changed anything: said beside the class digits, the page carries on.
        if (CLASS_COMMANDS.includes(command.type) && error instanceof SaidError && appError.kind === 'internal') {
          post({ type: 'failed', error: { ...appError, kind: 'class' } });
          return;
        }
        // Evidence maps and learning steps fail on their own: the model in use and the page carry on.
        if (STEP_COMMANDS.includes(command.type) && appError.kind === 'internal') {
          post({ type: 'failed', error: { ...appError, kind: 'step' } });
          return;
        }
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

const CLASS_COMMANDS: WorkerCommand['type'][] = [
  'listClassDigits',
  'addClassDigit',
  'deleteClassDigit',
  'clearClassDigits',
  'exportClassDigits',
  'importClassDigits',
  'teachClassDigits',
];

const STEP_COMMANDS: WorkerCommand['type'][] = ['explainDigit', 'takeLearningStep', 'applyLearningStep', 'keepLearningStep'];

/** Maps anything thrown to the protocol's error shape. */
export function toAppError(error: unknown): AppError {
  if (error instanceof DataFileError) {
    return { kind: 'data', file: error.file, expected: error.expected, found: error.found, problem: error.problem };
  }
  if (error instanceof SettingsError) return { kind: 'settings', message: error.message, said: error.said };
  if (error instanceof ModelStoreError || error instanceof SaidError) return { kind: 'internal', message: error.message, said: error.said };
  return { kind: 'internal', message: errorMessage(error) };
}

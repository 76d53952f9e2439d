/**
 * The model in use and what is known of it: its record (name, settings, results, saved id), its
 * answers on the test digits (for the galleries), and the operations that change it: adopt a
 * trained model, restore a saved one, take an upload, hand out a download. It owns `model`,
 * `inUse` and `answers`; everything else comes through the session.
 */
import * as tf from '@tensorflow/tfjs';
import type { Answers } from '../data/digitQueries';
import type { MnistData } from '../data/mnistLoader';
import { convFilters } from '../model/inspect';
import { summarize } from '../model/lenet5';
import {
  artifactsToFiles,
  artifactsToModel,
  filesToArtifacts,
  modelToArtifacts,
  ModelFileError,
  type ModelFile,
} from '../model/modelFiles';
import { evaluate, perClassAccuracy, type Evaluation } from '../model/training';
import { reliability } from '../data/verdict';
import type { ModelRecord, ModelSource } from '../shared/protocol';
import type { BackendChoice } from '../shared/settings';
import { watchBackend, type BackendWatch } from './contextLoss';
import { EVAL_CHUNK, SaidError, errorMessage, weightBytes, yieldToEvents, type Session } from './session';

/** Base name of downloaded model files: lenet-lab-model.json and lenet-lab-model.weights.bin. */
const DOWNLOAD_NAME = 'lenet-lab-model';

export type ModelInUse = ReturnType<typeof createModelInUse>;

export function createModelInUse(session: Session) {
  const { post, now } = session;
  let model: tf.LayersModel | null = null;
  /** What is known of the model in use beyond its weights (null while a run trains it). */
  let inUse: (ModelRecord & { id: string | null; savedAt: string }) | null = null;
  /** The model in use's answers on the test digits, for the galleries (computed when first needed). */
  let answers: Answers | null = null;

  /** The convolution filters of `trained` after `epoch` epochs, for the Filters view. */
  async function postFilters(trained: tf.LayersModel, epoch: number | null): Promise<void> {
    post({ type: 'filtersChanged', filters: await convFilters(trained), epoch });
  }

  /** The model in use's answers on the test digits, from the last test evaluation or computed now. */
  async function testAnswers(): Promise<Answers | null> {
    if (!model) return null;
    if (!answers) {
      const { test } = await session.loadedData();
      const evaluated = model;
      const result = await watchBackend().race(evaluate(evaluated, test.images, test.labels, 0, test.count, EVAL_CHUNK, yieldToEvents));
      if (model === evaluated) answers = result; // unless the model changed meanwhile
      return result;
    }
    return answers;
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
    if (!identity && session.store) {
      try {
        identity = await session.store.add(record, await modelToArtifacts(next));
      } catch (error) {
        session.reportStorage(error);
      }
    }
    if (model !== next) model?.dispose();
    model = next;
    answers = nextAnswers;
    inUse = { ...record, id: identity?.id ?? null, savedAt: identity?.savedAt ?? new Date().toISOString() };
    post({ type: 'modelChanged', source, model: inUse });
    await postFilters(next, record.epochs.at(-1)?.epoch ?? null);
    await session.modelUpdated(next);
  }

  /** The model on the test set; `evaluator` gives the same from elsewhere (the engine that trained it). */
  async function evaluateTest(
    evaluated: tf.LayersModel,
    testSet: MnistData['test'],
    watch: BackendWatch = watchBackend(),
    evaluator: () => Promise<Evaluation> = () =>
      evaluate(evaluated, testSet.images, testSet.labels, 0, testSet.count, EVAL_CHUNK, yieldToEvents),
  ) {
    const started = now();
    const test = await watch.race(evaluator());
    const evaluation = {
      count: test.count,
      loss: test.loss,
      accuracy: test.accuracy,
      confusion: test.confusion,
      perClassAccuracy: perClassAccuracy(test.confusion),
      reliability: reliability(test.probabilities, testSet.labels, test.count),
      durationMs: now() - started,
    };
    return { evaluation, testAnswers: test };
  }

  async function restoreSaved(id: string, choice: BackendChoice): Promise<void> {
    const { store } = session;
    if (!store) throw new SaidError('this browser gives the page no storage', 'noStorage');
    const saved = await store.get(id);
    if (!saved) {
      await session.postLibrary();
      throw new SaidError('that saved model is no longer in this browser (deleted in another tab?)', 'savedModelGone');
    }
    await session.ensureBackend(choice);
    const restored = await artifactsToModel(saved.artifacts);
    const { id: savedId, savedAt, ...record } = saved.meta;
    await adopt(restored, 'restored', record, { id: savedId, savedAt }, null);
    await session.postLibrary();
  }

  async function upload(files: ModelFile[], choice: BackendChoice): Promise<void> {
    if (session.training()) {
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
      await session.ensureBackend(choice);
      uploaded = await artifactsToModel(artifacts);
      const lenetLab = metadata?.lenetLab as { name?: unknown } | undefined;
      name = typeof lenetLab?.name === 'string' ? lenetLab.name : jsonName;
    } catch (error) {
      if (!(error instanceof ModelFileError)) throw error;
      post({ type: 'uploadRejected', message: error.message, said: error.said });
      return;
    }
    try {
      const { evaluation, testAnswers: uploadedAnswers } = await evaluateTest(uploaded, (await session.loadedData()).test);
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
      await session.postLibrary();
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
    /** The model in use, or the one a run is training; null before either. */
    current: () => model,
    /** What is known of the model in use (null while a run trains, and before any model). */
    record: () => inUse,
    /** Its answers on the test digits if known, without computing them. */
    knownAnswers: () => answers,
    testAnswers,
    /** A run starts: its fresh model is the one in use from now on, with nothing known of it yet. */
    startTraining(trained: tf.LayersModel): void {
      model?.dispose();
      inUse = null;
      answers = null;
      model = trained;
    },
    /** The run's answers on the test digits, known before the run's model is adopted. */
    setAnswers(known: Answers): void {
      answers = known;
    },
    /** A saved model was deleted: if it is the one in use, the model in use is no longer saved. */
    forgetSaved(id: string): void {
      if (inUse?.id === id) inUse = { ...inUse, id: null };
    },
    adopt,
    evaluateTest,
    postFilters,
    restoreSaved,
    upload,
    download,
  };
}

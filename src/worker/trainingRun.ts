/**
 * The training run: the loop over epochs and batches, pause, resume and stop between any two
 * batches, a checkpoint after every epoch, and at the end the test evaluation and the trained
 * model handed to the model in use. It owns `run`, the state of the run under way.
 *
 * Training is a loop of our own rather than model.fit(): it shuffles with a seeded generator (the
 * same seed gives the same run), stops and pauses between any two batches, and reads each batch's
 * loss once, when it posts it.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace } from '../data/random';
import { buildLeNet5, summarize } from '../model/lenet5';
import { captureWeights, restoreWeights, type NamedArray } from '../model/trainingState';
import { BATCH_EVENT_INTERVAL_MS, type EpochResult, type ModelRecord, type TestFault } from '../shared/protocol';
import { INITIAL_SAMPLE, splitSizes, validateSettings, type TrainSettings } from '../shared/settings';
import { BackendLostError, CONTEXT_LOST_MESSAGE, loseBackendContext, watchBackend, type BackendWatch } from './contextLoss';
import { trainedModelName, type Checkpoint } from './library';
import type { ModelInUse } from './modelInUse';
import { SettingsError, weightBytes, yieldToEvents, type Session } from './session';
import { engineStepper, tfjsStepper, type Stepper } from './steppers';
import { teachingBatches, type TeachDigits } from './batches';

/** The `testFault` run loses the WebGL context at this batch of epoch 2 (epoch 1 when there is only one). */
const FAULT_AT_BATCH = 3;

export type TrainingRun = ReturnType<typeof createTrainingRun>;

/**
 * A teaching run (teaching.ts): the model in use's weights trained further on MNIST plus the class
 * digits, each repeated `copies` times an epoch. It saves no checkpoint (a short run; the model it
 * started from stays saved) and leaves an interrupted run's checkpoint alone.
 */
export interface TeachJob {
  weights: NamedArray[];
  digits: TeachDigits;
  copies: number;
  /** The name the taught model is saved under. */
  name: string;
}

export function createTrainingRun(session: Session, models: ModelInUse) {
  const { post, now } = session;
  /** Set while a run is going: how the loop learns of pause and stop. */
  let run: { stopRequested: boolean; paused: boolean; resume: (() => void) | null } | null = null;

  async function saveCheckpoint(
    trained: tf.LayersModel,
    checkpoint: Omit<Checkpoint, 'weights' | 'optimizer' | 'savedAt'>,
    stepper: Stepper,
    watch: BackendWatch,
  ) {
    const { store } = session;
    if (!store) return;
    const weights = await watch.race(captureWeights(trained));
    const optimizerState = await stepper.optimizerState();
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
      session.reportStorage(error);
    }
  }

  /** Trains from scratch, or from a checkpoint: the same shuffles and optimizer state, so the same run. */
  async function train(settings: TrainSettings, from: Checkpoint | null, testFault?: TestFault, teach?: TeachJob): Promise<void> {
    const { store } = session;
    const errors = validateSettings(settings);
    if (errors.length > 0) throw new SettingsError(errors.map((e) => e.message).join('; '), errors[0]!.said);
    const { train: trainSet, test: testSet } = await session.loadedData();
    const info = await session.ensureBackend(settings.backend);
    const watch = watchBackend();

    const trained = buildLeNet5({ preset: settings.model, activation: settings.activation, seed: settings.seed });
    models.startTraining(trained);
    if (from) restoreWeights(trained, from.weights);
    if (teach) restoreWeights(trained, teach.weights);
    const sizes = splitSizes(settings);
    // Order indices past the MNIST digits are the class digits' copies (teachingBatches).
    const trainCount = sizes.train + (teach ? teach.digits.labels.length * teach.copies : 0);
    const digits = teach ? { batches: teachingBatches(trainSet, sizes.train, teach.digits, settings), count: trainCount } : null;
    const stepper =
      info.trainer === 'engine'
        ? engineStepper(await session.engineModule(), trained, settings, trainSet, from?.optimizer ?? null, digits)
        : await tfjsStepper(trained, settings, trainSet, from?.optimizer ?? null, watch, digits);
    const batchesPerEpoch = Math.ceil(trainCount / settings.batchSize);
    const modelSummary = summarize(trained, settings.model);
    post({
      type: 'trainingStarted',
      plan: {
        settings,
        backend: info,
        summary: modelSummary,
        trainCount,
        validationCount: sizes.validation,
        batchesPerEpoch,
        resumed: from ? { fromEpoch: from.epoch, history: from.history } : null,
        ...(teach ? { teaching: { classDigits: teach.digits.labels.length, copies: teach.copies } } : {}),
      },
    });

    const state = { stopRequested: false, paused: false, resume: null as (() => void) | null };
    run = state;
    const random = mulberry32(settings.seed);
    const order = Int32Array.from({ length: trainCount }, (_, i) => i);
    const startEpoch = from?.epoch ?? 0;
    // Replays the shuffles of the epochs already done, so epoch k sees the order it would have seen.
    for (let epoch = 1; epoch <= startEpoch; epoch++) shuffleInPlace(order, random);
    const history: EpochResult[] = from ? from.history.slice() : [];
    const faultEpoch = testFault === 'lose-webgl-context' ? Math.min(2, settings.epochs) : -1;
    let step = startEpoch * batchesPerEpoch;
    let epochsCompleted = startEpoch;
    let batchesRun = 0;
    let warmupMs = 0;
    let elapsedMs = 0;
    let steadyImages = 0;
    let steadyMs = 0;
    const memory = () => ({
      numTensors: tf.memory().numTensors,
      tensorBytes: tf.memory().numBytes,
      wasmMemoryBytes: stepper.memoryBytes(),
    });
    try {
      if (!from) {
        // Epoch 0 is the untrained model, so the curves start where learning starts (about 10%): a
        // sample of each split says that as well as all of them (an untrained model is near 10%
        // everywhere), and the whole validation split cost the Quick demo 0.3-0.9 s at its start.
        const initial = await stepper.evaluate(0, Math.min(sizes.train, INITIAL_SAMPLE));
        const initialValidation =
          sizes.validation > 0 ? await stepper.evaluate(sizes.train, Math.min(sizes.validation, INITIAL_SAMPLE)) : null;
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
        if (!teach) await saveCheckpoint(trained, { settings, epoch: 0, history }, stepper, watch);
        post({ type: 'epochEnded', result });
        await watch.race(models.postFilters(trained, 0));
        await watch.race(session.modelUpdated(trained, 0));
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
            stepper.sync();
            post({ type: 'trainingPaused' });
            await new Promise<void>((resolve) => (state.resume = resolve));
            state.resume = null;
            if (!state.stopRequested) post({ type: 'trainingResumed' });
          }
          if (state.stopRequested) break;
          if (epoch === faultEpoch && batch === FAULT_AT_BATCH) loseBackendContext();
          const started = now();
          const start = batch * settings.batchSize;
          const count = Math.min(settings.batchSize, trainCount - start);
          const { loss: batchLoss, correct: batchCorrect } = await stepper.step(order, start, count, step + 1);
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
          lossSum += batchLoss * count;
          correct += batchCorrect;
          seen += count;
          pending.push([step, batchLoss]);
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
        // The weights reach the tfjs model: the checkpoint, the filters and the model kept after a stop read them there.
        stepper.sync();
        if (seen < trainCount) break; // stopped mid-epoch: no epoch result for a partial epoch
        const validation = sizes.validation > 0 ? await stepper.evaluate(sizes.train, sizes.validation) : null;
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
        if (!teach) await saveCheckpoint(trained, { settings, epoch, history }, stepper, watch);
        post({ type: 'epochEnded', result });
        await watch.race(models.postFilters(trained, epoch));
        await watch.race(session.modelUpdated(trained, epoch));
      }
    } finally {
      stepper.dispose();
      run = null;
    }

    const stopped = epochsCompleted < settings.epochs;
    post({ type: 'evaluationStarted', stopped });
    const { evaluation, testAnswers: trainedAnswers } = await models.evaluateTest(trained, testSet, watch, () =>
      stepper.evaluateTest(testSet),
    );
    models.setAnswers(trainedAnswers); // before `evaluated`: the galleries ask for them as soon as it arrives
    const finished = { ...evaluation, stopped, epochsCompleted };
    post({ type: 'evaluated', evaluation: finished });
    const record: ModelRecord = {
      name: teach?.name ?? trainedModelName(settings, epochsCompleted),
      origin: 'trained',
      settings,
      summary: modelSummary,
      evaluation: finished,
      epochs: history,
      weightBytes: weightBytes(trained),
      ...(teach ? { classDigits: teach.digits.labels.length } : {}),
    };
    await models.adopt(trained, 'trained', record, null, trainedAnswers);
    await session.runFinished({
      name: record.name,
      settings,
      trainer: info.trainer === 'engine' ? 'engine' : `tfjs ${info.name}`,
      trainCount,
      epochs: history,
      evaluation: finished,
      ...(teach ? { classDigits: teach.digits.labels.length } : {}),
    });
    // The run is over and its model saved: nothing is left to resume (a teaching run had no checkpoint).
    if (!teach) await store?.clearCheckpoint().catch(session.reportStorage);
    await session.postLibrary();
  }

  return {
    /** True while a run trains its epochs (its test evaluation and saving come after). */
    active: () => run !== null,
    train,
    pause(): void {
      if (run) run.paused = true;
    },
    resume(): void {
      if (run) {
        run.paused = false;
        run.resume?.();
      }
    },
    stop(): void {
      if (run) {
        run.stopRequested = true;
        run.resume?.();
      }
    },
  };
}

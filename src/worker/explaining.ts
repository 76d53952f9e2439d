/**
 * "Why did it say that?" in the worker (issue 18): the evidence map of a digit for the model in use
 * (or the one a run is training, between two batches), and one step of learning taken on a copy of
 * the model in use, which the person may apply and keep. It owns the copy of the last step taken.
 */
import type * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import { evidenceMap } from '../model/evidence';
import { readWithLabel, takeLearningStep } from '../model/learningStep';
import { SETTING_SPECS } from '../shared/settings';
import type { ModelRecord, OptimizerName } from '../shared/protocol';
import { watchBackend } from './contextLoss';
import type { ModelInUse } from './modelInUse';
import { SaidError, type Session } from './session';

const NO_MODEL = 'there is no model yet: train one, or use a saved one';
const STEP_GONE = 'the model in use has changed since this step was taken: take it again';

/** Refuses pixels that are not a 28x28 digit in [0, 1], and a digit that is not 0-9. */
function checkDigit(pixels: Float32Array, digit: number): void {
  if (!(pixels instanceof Float32Array) || pixels.length !== PIXELS_PER_IMAGE || !pixels.every((v) => v >= 0 && v <= 1)) {
    throw new Error(`a digit is ${PIXELS_PER_IMAGE} pixels between 0 and 1`);
  }
  if (!Number.isInteger(digit) || digit < 0 || digit >= NUM_CLASSES) throw new Error(`${digit} is not a digit from 0 to 9`);
}

/** A saved model's record without its identity in the store: the copy is saved under a new one. */
function withoutIdentity({ id, savedAt, ...record }: ModelRecord & { id: string | null; savedAt: string }): ModelRecord {
  void id;
  void savedAt;
  return record;
}

export type Explaining = ReturnType<typeof createExplaining>;

export function createExplaining(session: Session, models: ModelInUse) {
  const { post, now } = session;
  /** The last step taken: its copy of the model, what it was taken on, and the model it was copied from. */
  let step: {
    requestId: number;
    copy: tf.LayersModel;
    from: tf.LayersModel;
    pixels: Float32Array;
    label: number;
    optimizer: OptimizerName;
    name: string;
  } | null = null;

  function forgetStep(): void {
    step?.copy.dispose();
    step = null;
  }

  /** The step `requestId`, if it is still the last one and the model in use is still the one it was copied from. */
  function currentStep(requestId: number) {
    if (!step || step.requestId !== requestId || step.from !== models.current()) {
      throw new SaidError(STEP_GONE, 'stepGone');
    }
    return step;
  }

  return {
    async explain(requestId: number, pixels: Float32Array, target: number): Promise<void> {
      checkDigit(pixels, target);
      const model = models.current();
      if (!model) throw new SaidError(NO_MODEL, 'stepNoModel');
      const started = now();
      const evidence = await watchBackend().race(evidenceMap(model, pixels, target));
      post({ type: 'digitExplained', requestId, evidence, durationMs: now() - started }, [evidence.attributions.buffer]);
    },

    async take(requestId: number, pixels: Float32Array, label: number, optimizer: OptimizerName, learningRate: number): Promise<void> {
      checkDigit(pixels, label);
      const { min, max } = SETTING_SPECS.learningRate;
      if (!(learningRate >= min && learningRate <= max) || !SETTING_SPECS.optimizer.options.includes(optimizer)) {
        throw new Error(`a learning step needs an optimizer and a learning rate from ${min} to ${max}`);
      }
      if (session.training()) throw new SaidError('a run is training this model: take the step when it has finished', 'stepWhileTraining');
      const model = models.current();
      const record = models.record();
      if (!model || !record) throw new SaidError(NO_MODEL, 'stepNoModel');
      const taking = takeLearningStep(model, pixels, label, optimizer, learningRate);
      // Where the backend is lost first, the step may still finish: its copy is freed then.
      const { copy, numbers } = await watchBackend()
        .race(taking)
        .catch((error: unknown) => {
          void taking.then(({ copy: late }) => late.dispose()).catch(() => {});
          throw error;
        });
      forgetStep();
      step = { requestId, copy, from: model, pixels, label, optimizer, name: `${record.name}, one ${optimizer} step on a ${label}` };
      post({ type: 'learningStepTaken', requestId, numbers });
    },

    async apply(requestId: number): Promise<void> {
      const { copy, pixels, label } = currentStep(requestId);
      const { probabilities, loss } = await watchBackend().race(readWithLabel(copy, pixels, label));
      post({ type: 'learningStepApplied', requestId, probabilities, loss });
    },

    /** The copy becomes the model in use, saved as a new model with its own test results; the old one stays saved. */
    async keep(requestId: number): Promise<void> {
      if (session.training()) throw new SaidError('a run is training this model: take the step when it has finished', 'stepWhileTraining');
      const taken = currentStep(requestId);
      const { copy, name } = taken;
      const inUse = models.record();
      if (!inUse) throw new SaidError(NO_MODEL, 'stepNoModel');
      const record: ModelRecord = withoutIdentity(inUse);
      // Taken out before the wait: a second click finds no step to keep.
      step = null;
      let evaluated: Awaited<ReturnType<ModelInUse['evaluateTest']>>;
      try {
        evaluated = await models.evaluateTest(copy, (await session.loadedData()).test);
      } catch (error) {
        copy.dispose();
        throw error;
      }
      // A run started or another model was chosen meanwhile: that one stays in use.
      if (session.training() || models.current() !== taken.from) {
        copy.dispose();
        throw new SaidError(STEP_GONE, 'stepGone');
      }
      const { evaluation, testAnswers } = evaluated;
      const learningSteps = { count: (record.learningSteps?.count ?? 0) + 1, optimizer: taken.optimizer, label: taken.label };
      await models.adopt(
        copy,
        'trained',
        {
          ...record,
          name,
          learningSteps,
          evaluation: { ...evaluation, stopped: record.evaluation.stopped, epochsCompleted: record.evaluation.epochsCompleted },
        },
        null,
        testAnswers,
      );
      await session.postLibrary();
    },

    /** A new model is in use: the step's copy is of the old one. */
    forget: forgetStep,
  };
}

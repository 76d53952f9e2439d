/**
 * "Teach it our handwriting" (issue 17): the model in use trained a little further on MNIST plus
 * the class digits (repeated and lightly changed, so that 50 digits matter among 48,000), the held-out
 * class digits kept out, then the before and after a teacher needs: the held-out class digits (did
 * it learn the class's handwriting, not just memorise it?) and MNIST's test set (did it forget
 * MNIST?). The taught model is saved as a new model; the one it started from stays saved.
 */
import type * as tf from '@tensorflow/tfjs';
import { heldOutIds, TEACH_SHARE, teachingCopies, type ClassMeasurement } from '../data/classDigits';
import { PIXELS_PER_IMAGE } from '../data/mnist';
import { bytesToPixels } from '../data/sprite';
import type { Activation, ModelPreset } from '../model/lenet5';
import { captureWeights } from '../model/trainingState';
import type { ModelRecord, TeachFigures } from '../shared/protocol';
import { DEFAULT_SETTINGS, PRESETS, splitSizes, type TrainSettings } from '../shared/settings';
import type { ClassSet } from './classSet';
import type { ModelInUse } from './modelInUse';
import { SaidError, type Session } from './session';
import type { TrainingRun } from './trainingRun';

/**
 * How a teaching run trains: `epochs` (each sees the MNIST training digits once and the class
 * digits, repeated, as `share` of them) with Adam at `learningRate`, falling linearly to a tenth:
 * small, so MNIST is not forgotten. Chosen with tests/profile/teach.profile.ts (it sets these to
 * compare others, and share 0 for its control: the same run without the class digits).
 */
export const TEACHING = { epochs: 2, learningRate: 0.0005, share: TEACH_SHARE };

/** The settings a teaching run continues a model with: its own where known, the Quick demo's otherwise (an upload). */
export function teachSettings(base: TrainSettings): TrainSettings {
  return {
    ...base,
    epochs: TEACHING.epochs,
    learningRate: TEACHING.learningRate,
    schedule: 'linear',
    optimizer: 'adam',
    // Another shuffle than the run that made the model.
    seed: (base.seed + 1) % 2 ** 31,
  };
}

/** The settings a model was trained with; for an uploaded one, the Quick demo's with its own preset and activation. */
function baseSettings(model: tf.LayersModel, record: ModelRecord): TrainSettings {
  if (record.settings) return record.settings;
  const quick = PRESETS.find((p) => p.id === 'quick')!.settings;
  const preset: ModelPreset = model.layers.some((l) => l.getClassName() === 'ZeroPadding2D') ? 'lenet5-classic' : 'lenet5';
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
  const activation: Activation = String(conv?.getConfig().activation) === 'relu' ? 'relu' : 'tanh';
  return { ...DEFAULT_SETTINGS, ...quick, model: preset, activation };
}

const figures = (measurement: ClassMeasurement | null, mnist: number): TeachFigures => ({
  heldOut: measurement?.heldOut ?? { count: 0, correct: 0 },
  taught: measurement
    ? { count: measurement.all.count - measurement.heldOut.count, correct: measurement.all.correct - measurement.heldOut.correct }
    : { count: 0, correct: 0 },
  mnist,
});

/** Teaches the model in use the class digits, as a training run the page shows like any other; posts `taught`. */
export async function teachClassDigits(session: Session, models: ModelInUse, classSet: ClassSet, training: TrainingRun): Promise<void> {
  const model = models.current();
  const record = models.record();
  if (!model || !record) throw new SaidError('There is no model to teach yet: train one, or use a saved one.', 'classNoModel');
  const digits = await classSet.all();
  const held = heldOutIds(digits);
  const taught = digits.filter((d) => !held.has(d.id));
  if (taught.length === 0) {
    throw new SaidError('Add some class digits first: teaching needs digits to learn from.', 'classSetEmpty');
  }
  const settings = teachSettings(baseSettings(model, record));
  const before = figures(await classSet.measure(model), record.evaluation.accuracy);
  const copies = teachingCopies(taught.length, splitSizes(settings).train, TEACHING.share);
  const pixels = new Float32Array(taught.length * PIXELS_PER_IMAGE);
  taught.forEach((d, i) => pixels.set(bytesToPixels(d.bytes), i * PIXELS_PER_IMAGE));
  const name = `${record.name} + our class digits (${taught.length})`;
  const from = { id: record.id, name: record.name };
  await training.train(settings, null, undefined, {
    weights: await captureWeights(model),
    digits: { pixels, labels: Uint8Array.from(taught, (d) => d.label) },
    copies,
    name,
  });
  const result = models.record();
  const after = figures(await classSet.measure(), result?.evaluation.accuracy ?? NaN);
  session.post({
    type: 'taught',
    result: {
      from,
      model: { id: result?.id ?? null, name: result?.name ?? name },
      copies,
      epochs: result?.evaluation.epochsCompleted ?? 0,
      stopped: result?.evaluation.stopped ?? false,
      before,
      after,
    },
  });
}

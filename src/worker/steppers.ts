/**
 * What the training run steps with: tfjs (the model and a tfjs optimizer, on the chosen backend)
 * or the LeNet Lab engine (src/engine), behind one small interface, so the run's loop, its
 * checkpoints and its events do not care which. The engine keeps the weights and the optimizer's
 * state in its own memory while it trains; `sync` copies the weights to the tfjs model (at epoch
 * ends, stop and the end of the run), and its checkpoints hold the optimizer's state in tfjs's
 * own format, so a run saved by one can continue on the other.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import type { Pixels } from '../data/sprite';
import { mulberry32 } from '../data/random';
import type { MnistData } from '../data/mnistLoader';
import { createEngine, ENGINE_MAX_BATCH, type Engine, type EngineOptimizer } from '../engine/engine';
import type { ModelPreset } from '../model/lenet5';
import {
  batchTensors,
  createBatchBuffers,
  ADAM_DEFAULTS,
  RMSPROP_DEFAULTS,
  createOptimizer,
  evaluate,
  evaluateProbabilities,
  trainStep,
  type Evaluation,
  type OptimizerName,
} from '../model/training';
import { captureOptimizer, restoreOptimizer, type NamedArray, type OptimizerState } from '../model/trainingState';
import { learningRateAt, stepsOf, type TrainSettings } from '../shared/settings';
import { batchesFor, type BatchSource } from './batches';
import type { BackendWatch } from './contextLoss';
import { EVAL_CHUNK, yieldToEvents } from './session';

/** What a run's epochs draw from when it is not the settings' training split: a teaching run's batches and their count. */
export interface RunDigits {
  batches: BatchSource;
  /** Digits in an epoch (its order's length): the learning-rate schedule's steps follow from it. */
  count: number;
}

export interface Stepper {
  /** Optimizer step number `step` on digits order[start .. start + count): the batch's mean loss and number correct. */
  step(order: Int32Array, start: number, count: number, step: number): Promise<{ loss: number; correct: number }>;
  /** Loss, accuracy and answers on training digits [first, first + count) (validation, epoch 0). */
  evaluate(first: number, count: number): Promise<Evaluation>;
  /** The same on the test set. */
  evaluateTest(test: MnistData['test']): Promise<Evaluation>;
  /** Brings the tfjs model's weights up to date with the steps taken. */
  sync(): void;
  /** The optimizer's state in tfjs's format (for a checkpoint). */
  optimizerState(): Promise<OptimizerState>;
  /** Bytes of the stepper's own WebAssembly memory, or null (it only grows: a leak shows as growth). */
  memoryBytes(): number | null;
  dispose(): void;
}

/**
 * tfjs steps: trainStep on the model, reading each batch's loss once; the optimizer's state from a
 * checkpoint (`from`); the digits from `digits` (a teaching run's own), or as the settings say.
 */
export async function tfjsStepper(
  model: tf.LayersModel,
  settings: TrainSettings,
  train: MnistData['train'],
  from: OptimizerState | null,
  watch: BackendWatch,
  digits: RunDigits | null = null,
): Promise<Stepper> {
  const batches = digits?.batches ?? batchesFor(train, settings);
  const optimizer = createOptimizer(settings.optimizer, settings.learningRate);
  if (from) await restoreOptimizer(optimizer, from);
  const buffers = createBatchBuffers(settings.batchSize);
  const steps = stepsOf(settings, digits?.count);
  return {
    async step(order, start, count, step) {
      const batch = await batches.next(order, start, count, step);
      setLearningRate(optimizer, learningRateAt(settings, step, steps));
      const { x, y } = batchTensors(batch.images, batch.labels, batch.order, batch.start, count, buffers);
      const result = trainStep(model, optimizer, x, y);
      x.dispose();
      y.dispose();
      try {
        const [loss, correct] = await watch.race(Promise.all([result.loss.data(), result.correct.data()]));
        return { loss: loss[0]!, correct: correct[0]! };
      } finally {
        result.loss.dispose();
        result.correct.dispose();
      }
    },
    evaluate: (first, count) => watch.race(evaluate(model, train.images, train.labels, first, count, EVAL_CHUNK, yieldToEvents)),
    evaluateTest: (test) => watch.race(evaluate(model, test.images, test.labels, 0, test.count, EVAL_CHUNK, yieldToEvents)),
    sync: () => {},
    optimizerState: () => watch.race(captureOptimizer(optimizer)),
    memoryBytes: () => wasmBackendBytes(),
    dispose: () => {
      optimizer.dispose();
      batches.dispose();
    },
  };
}

/**
 * Sets a tfjs optimizer's learning rate for the next step: SGD keeps it as a tensor too (its
 * setLearningRate), Adam and RMSprop read the field at each step. (Not `instanceof`: tfjs's
 * optimizers answer it by duck typing, so an Adam optimizer "is" an SGDOptimizer.)
 */
function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const fields = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (fields.learningRate === learningRate) return;
  if (typeof fields.setLearningRate === 'function') fields.setLearningRate(learningRate);
  else fields.learningRate = learningRate;
}

/** The engine's optimizer for the settings, with the Keras defaults createOptimizer gives tfjs's. */
export function engineOptimizer(name: OptimizerName, learningRate: number): EngineOptimizer {
  switch (name) {
    case 'adam':
      return { name, learningRate, ...ADAM_DEFAULTS };
    case 'sgd':
      return { name, learningRate };
    case 'rmsprop':
      return { name, learningRate, ...RMSPROP_DEFAULTS };
  }
}

/** The names tfjs gives an optimizer's variables: Adam's m and v, RMSprop's mean squares and moments. */
const SLOT_NAMES: Record<OptimizerName, [string, string] | null> = { adam: ['m', 'v'], rmsprop: ['rms', 'momentum'], sgd: null };

/**
 * Engine steps: the model's current weights (fresh, or restored from a checkpoint) and the
 * optimizer's state (`from`) go into the engine once; every step after that runs there.
 */
export function engineStepper(
  module: WebAssembly.Module,
  model: tf.LayersModel,
  settings: TrainSettings,
  train: MnistData['train'],
  from: OptimizerState | null,
  digits: RunDigits | null = null,
): Stepper {
  const batches = digits?.batches ?? batchesFor(train, settings);
  const engine: Engine = createEngine(module, {
    preset: settings.model satisfies ModelPreset,
    activation: settings.activation,
    maxBatch: Math.min(ENGINE_MAX_BATCH, Math.max(settings.batchSize, EVAL_CHUNK)),
  });
  // read() hands back the variable itself: its name is the one tfjs's optimizers give their slots.
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  engine.setWeights(variables.map((v) => v.dataSync() as Float32Array));
  const steps = stepsOf(settings, digits?.count);
  const slots = SLOT_NAMES[settings.optimizer];
  let iterations = 0;
  if (from) {
    const [iteration, ...rest] = from.weights;
    iterations = iteration?.data[0] ?? 0;
    if (slots) {
      const n = variables.length;
      if (rest.length !== 2 * n) throw new Error(`the checkpoint's optimizer has ${rest.length} variables; this model needs ${2 * n}`);
      engine.setOptimizerState({
        first: rest.slice(0, n).map((w) => w.data),
        second: rest.slice(n).map((w) => w.data),
        accBeta: from.accBeta,
      });
    }
  }
  const predict = (images: Pixels, first: number) => (start: number, n: number) => engine.predict(images, first + start, n);
  return {
    async step(order, start, count, step) {
      const batch = await batches.next(order, start, count, step);
      const optimizer = engineOptimizer(settings.optimizer, learningRateAt(settings, step, steps));
      const result = engine.trainBatch(batch.images, batch.labels, batch.order, batch.start, count, optimizer);
      iterations++;
      return result;
    },
    // The bytes, not `images`: see Pixels.
    evaluate: (first, count) => evaluateProbabilities(predict(train.bytes, first), train.labels, first, count, EVAL_CHUNK, yieldToEvents),
    evaluateTest: (test) => evaluateProbabilities(predict(test.bytes, 0), test.labels, 0, test.count, EVAL_CHUNK, yieldToEvents),
    sync() {
      const tensors = engine.getWeights().map((values, i) => tf.tensor(values, variables[i]!.shape));
      model.setWeights(tensors);
      tf.dispose(tensors);
    },
    async optimizerState() {
      const state = engine.getOptimizerState();
      const weights: NamedArray[] = [{ name: 'iter', shape: [], data: Float32Array.of(iterations) }];
      if (slots) {
        const named = (arrays: Float32Array[], slot: string) =>
          arrays.map((data, i) => ({ name: `${variables[i]!.name}/${slot}`, shape: variables[i]!.shape.slice(), data }));
        weights.push(...named(state.first, slots[0]), ...named(state.second, slots[1]));
      }
      return { weights, accBeta: settings.optimizer === 'adam' ? state.accBeta : null };
    },
    memoryBytes: () => engine.memoryBytes(),
    dispose: () => batches.dispose(),
  };
}

/** The WASM backend's linear memory: it only grows, so a leak there shows as growth epoch after epoch. */
function wasmBackendBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.buffer.byteLength ?? null;
}

/** Images a second the engine trains the seed preset: the median of 12 batches of 64 made-up digits, timed once the code is warm. */
export function measureEngine(module: WebAssembly.Module): number {
  const engine = createEngine(module, { preset: 'lenet5', activation: 'tanh', maxBatch: 64 });
  const random = mulberry32(1);
  engine.setWeights(
    engine.shapes.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * 0.2)),
  );
  const images = Float32Array.from({ length: 64 * PIXELS_PER_IMAGE }, () => (random() < 0.8 ? 0 : random()));
  const labels = Uint8Array.from({ length: 64 }, (_, i) => i % NUM_CLASSES);
  const order = Int32Array.from({ length: 64 }, (_, i) => i);
  const adam = engineOptimizer('adam', 0.001);
  // Warmed up first: the browser runs a new module's first calls on its baseline compiler and swaps
  // in optimized code once they are hot (in the background). Timed after one batch, the rate was
  // about half the training's (7,000-8,500 against 13,000-19,000 images/s on the test machine).
  const warmUntil = performance.now() + CALIBRATION_WARM_MS;
  for (let b = 0; b < CALIBRATION_WARM_BATCHES.max && (b < CALIBRATION_WARM_BATCHES.min || performance.now() < warmUntil); b++)
    engine.trainBatch(images, labels, order, 0, 64, adam);
  // Each batch timed on its own, the median kept: the page is busiest just after loading (charts
  // warming up, the offline copy being saved), and a batch the system paused says nothing of the rate.
  const times: number[] = [];
  for (let b = 0; b < 12; b++) {
    const started = performance.now();
    engine.trainBatch(images, labels, order, 0, 64, adam);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = (times[5]! + times[6]!) / 2;
  return Math.round((64 * 1000) / Math.max(median, 0.01));
}

/** The calibration's warm-up: at least 8 batches, and up to 40 within 150 ms (a fast device is warm sooner). */
const CALIBRATION_WARM_MS = 150;
const CALIBRATION_WARM_BATCHES = { min: 8, max: 40 };

/** Images a second tfjs trains the seed preset on the current backend (WebGL): two batches to warm up, three timed. */
export async function measureTfjs(build: () => tf.LayersModel): Promise<number> {
  const model = build();
  const optimizer = createOptimizer('adam', 0.001);
  const x = tf.randomUniform([64, IMAGE_SIZE, IMAGE_SIZE, 1]) as tf.Tensor4D;
  const y = tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: 64 }, (_, i) => i % NUM_CLASSES),
        'int32',
      ),
      NUM_CLASSES,
    )
    .toFloat() as tf.Tensor2D;
  const once = async () => {
    const { loss, correct } = trainStep(model, optimizer, x, y);
    await loss.data();
    tf.dispose([loss, correct]);
  };
  try {
    await once();
    await once();
    const started = performance.now();
    for (let b = 0; b < 3; b++) await once();
    return Math.round((3 * 64 * 1000) / (performance.now() - started));
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

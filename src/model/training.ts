/**
 * The training step and the evaluation, in tfjs and nothing else: the worker's session calls them
 * with batches it fills from the data set. Each returns tensors or plain numbers and leaves no
 * tensor behind (the caller disposes what it is handed).
 */
import * as tf from '@tensorflow/tfjs';
import { NUM_CLASSES, PIXELS_PER_IMAGE, IMAGE_SIZE } from '../data/mnist';
import { fillBatch, type Pixels } from '../data/sprite';
import { FUSED_ADAM, type FusedAdamAttrs } from './wasmKernels';

import { ADAM_DEFAULTS, RMSPROP_DEFAULTS, type OptimizerName } from './optimizerDefaults';

export { ADAM_DEFAULTS, RMSPROP_DEFAULTS, type OptimizerName };

/** Keras' optimizers with Keras' defaults (Adam: beta 0.9 / 0.999, epsilon 1e-7; RMSprop: rho 0.9). */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return new FusedAdamOptimizer(learningRate, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, RMSPROP_DEFAULTS.decay, RMSPROP_DEFAULTS.momentum, RMSPROP_DEFAULTS.epsilon);
  }
}

/** tf.train.adam's state, private in its class: the moments of each variable and beta1^t, beta2^t. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * tf.train.adam, with its update run as one kernel per variable where that kernel is registered
 * (wasm: ~170 small kernels a step become 10). Same state, same arithmetic rounded the same way,
 * so the same weights bit for bit; elsewhere it is tf.train.adam itself.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(FUSED_ADAM, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    tf.tidy(() => {
      named.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        // Created as tf.train.adam creates them, so getWeights() and setWeights() see the same state.
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const attrs: FusedAdamAttrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel<tf.Tensor[]>(
            FUSED_ADAM,
            { value, gradient, m, v, accBeta1: state.accBeta1, accBeta2: state.accBeta2 },
            attrs as unknown as tf.NamedAttrMap,
          );
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** Keras' clipping of probabilities before the logarithm. */
const EPSILON = 1e-7;

/** Mean categorical cross-entropy of predicted probabilities against one-hot labels (Keras' loss). */
export function crossEntropy(oneHot: tf.Tensor2D, probabilities: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probabilities, EPSILON, 1 - EPSILON))), -1))));
}

/**
 * One optimizer step on a batch. Returns the batch's mean loss and its count of correct answers
 * as scalars, so the caller decides when to read them (a read waits for the device).
 * @param x [batch, 28, 28, 1] pixels  @param y [batch, 10] one-hot
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const loss = optimizer.minimize(() => {
    // On wasm the first convolution's input gradient costs as much as the rest of conv1's backward pass.
    const probabilities = (tf.getBackend() === 'wasm' ? applyForTraining(model, x) : model.apply(x, { training: true })) as tf.Tensor2D;
    correct = tf.keep(tf.tidy(() => tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(probabilities, -1), tf.argMax(y, -1)), 'float32'))));
    return crossEntropy(y, probabilities);
  }, true)!;
  return { loss, correct: correct! };
}

/** tfjs-layers' activations that are one tfjs op each (the others go through the layer as usual). */
const ACTIVATION_OPS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
};

/**
 * The model's output in training mode, as `model.apply(x, {training: true})` gives it, except that
 * a Conv2D layer before any trainable weight (LeNet's conv1) runs as an unfused convolution. Its
 * input is data, and tfjs-layers' fused convolution (used for activations it cannot fuse, tanh
 * included) computes the gradient of its input eagerly, whether anyone asks for it or not; the
 * unfused ops compute it only when asked. Same layers, same weights, same values.
 * @param x [batch, height, width, channels]
 */
export function applyForTraining(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  if (!(model instanceof tf.Sequential)) return model.apply(x, { training: true }) as tf.Tensor;
  let output = x;
  let inputIsData = true;
  for (const layer of model.layers) {
    output = (inputIsData && unfusedConv2D(layer, output)) || (layer.apply(output, { training: true }) as tf.Tensor);
    if (layer.trainableWeights.length > 0) inputIsData = false;
  }
  return output;
}

/** A Conv2D layer's output as tfjs-layers computes it for unfusable activations, or undefined for any other layer or setup. */
function unfusedConv2D(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor | undefined {
  if (layer.getClassName() !== 'Conv2D' || x.rank !== 4) return undefined;
  const config = layer.getConfig();
  const activation = ACTIVATION_OPS[String(config.activation)];
  const [kernel, bias, ...rest] = layer.trainableWeights.map((w) => w.read());
  const padding = config.padding;
  if (
    activation === undefined ||
    config.dataFormat !== 'channelsLast' ||
    (padding !== 'valid' && padding !== 'same') ||
    kernel?.rank !== 4 ||
    (bias !== undefined && bias.rank !== 1) ||
    rest.length > 0
  ) {
    return undefined;
  }
  const strides = config.strides as [number, number];
  const dilations = config.dilationRate as [number, number];
  return tf.tidy(() => {
    const convolved = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding, 'NHWC', dilations);
    return activation(bias === undefined ? convolved : tf.add(convolved, bias));
  });
}

/** Reusable host buffers for one batch: filled in place, so a training run allocates them once. */
export interface BatchBuffers {
  x: Float32Array;
  y: Float32Array;
}

export function createBatchBuffers(batchSize: number): BatchBuffers {
  return { x: new Float32Array(batchSize * PIXELS_PER_IMAGE), y: new Float32Array(batchSize * NUM_CLASSES) };
}

/** Makes tensors of the digits order[start .. start + count). The caller disposes both. */
export function batchTensors(
  images: Pixels,
  labels: Uint8Array,
  order: ArrayLike<number>,
  start: number,
  count: number,
  buffers: BatchBuffers,
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  fillBatch(images, labels, order, start, count, buffers.x, buffers.y, NUM_CLASSES);
  return {
    x: tf.tensor4d(buffers.x.subarray(0, count * PIXELS_PER_IMAGE), [count, IMAGE_SIZE, IMAGE_SIZE, 1]),
    y: tf.tensor2d(buffers.y.subarray(0, count * NUM_CLASSES), [count, NUM_CLASSES]),
  };
}

export interface Evaluation {
  count: number;
  loss: number;
  accuracy: number;
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  /** The predicted class of each digit evaluated, in order. */
  predictions: Uint8Array;
  /** The 10 probabilities of each digit evaluated, in order (count x 10). */
  probabilities: Float32Array;
}

/**
 * Evaluates the model on digits [first, first + count) in batches: mean loss, accuracy, confusion
 * matrix and every prediction. `onBatch` runs between batches (to yield to other messages).
 */
export async function evaluate(
  model: tf.LayersModel,
  images: Float32Array,
  labels: Uint8Array,
  first: number,
  count: number,
  batchSize = 500,
  onBatch: () => Promise<void> = async () => {},
): Promise<Evaluation> {
  const buffers = createBatchBuffers(Math.min(batchSize, count));
  const order = Int32Array.from({ length: count }, (_, i) => first + i);
  const predict = async (start: number, n: number) => {
    const { x, y } = batchTensors(images, labels, order, start, n, buffers);
    y.dispose();
    const output = model.predict(x) as tf.Tensor2D;
    x.dispose();
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  };
  return evaluateProbabilities(predict, labels, first, count, batchSize, onBatch);
}

/**
 * The evaluation from any source of probabilities (the tfjs model, the LeNet Lab engine's forward
 * pass): `predict(start, n)` gives the probabilities of digits first + start .. first + start + n
 * (n x 10). The loss is Keras' clipped cross-entropy, as crossEntropy computes it; a tie goes to
 * the first class, as tf.argMax gives it.
 */
export async function evaluateProbabilities(
  predict: (start: number, n: number) => Float32Array | Promise<Float32Array>,
  labels: Uint8Array,
  first: number,
  count: number,
  batchSize = 500,
  onBatch: () => Promise<void> = async () => {},
): Promise<Evaluation> {
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const predictions = new Uint8Array(count);
  const probabilities = new Float32Array(count * NUM_CLASSES);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const batch = await predict(start, n);
    probabilities.set(batch, start * NUM_CLASSES);
    for (let i = 0; i < n; i++) {
      const truth = labels[first + start + i]!;
      let guess = 0;
      for (let j = 1; j < NUM_CLASSES; j++) if (batch[i * NUM_CLASSES + j]! > batch[i * NUM_CLASSES + guess]!) guess = j;
      lossSum -= Math.log(Math.min(Math.max(batch[i * NUM_CLASSES + truth]!, EPSILON), 1 - EPSILON));
      predictions[start + i] = guess;
      confusion[truth]![guess]!++;
      if (truth === guess) correct++;
    }
    await onBatch();
  }
  return { count, loss: lossSum / count, accuracy: correct / count, confusion, predictions, probabilities };
}

/** Accuracy of each class: the confusion matrix's diagonal over its row sums (NaN for an empty row). */
export function perClassAccuracy(confusion: number[][]): number[] {
  return confusion.map((row, digit) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[digit]! / total;
  });
}

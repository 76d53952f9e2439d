/**
 * One step of learning on one digit, on a copy of the model: its probabilities and loss, the
 * gradients of conv1's filters and of the output layer, and the update the optimizer makes (a fresh
 * optimizer: its first step). The copy keeps the step; the model it was copied from is untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import { artifactsToModel, modelToArtifacts } from './modelFiles';
import { createOptimizer, crossEntropy } from './training';
import type { OptimizerName } from './optimizerDefaults';

export interface LearningStepNumbers {
  label: number;
  optimizer: OptimizerName;
  learningRate: number;
  /** Before the step: the 10 probabilities and the loss, -log(p[label]). */
  probabilities: number[];
  loss: number;
  /** The first convolution: its kernel before the step, the loss's gradient, and the optimizer's change (after - before). */
  conv1: {
    name: string;
    /** [height, width, in channels, filters], row-major as tfjs stores it. */
    shape: [number, number, number, number];
    kernel: Float32Array;
    gradient: Float32Array;
    update: Float32Array;
  };
  /** The output layer: its inputs h, p - y, and the kernel's gradient [inputs, 10] (= h_j (p_k - y_k)). */
  output: {
    name: string;
    inputs: Float32Array;
    delta: number[];
    kernelGradient: Float32Array;
  };
}

/** The model's first Conv2D layer and last (Dense) layer, or an error naming what is missing. */
function stepLayers(model: tf.LayersModel): { conv1: tf.layers.Layer; output: tf.layers.Layer } {
  const conv1 = model.layers.find((layer) => layer.getClassName() === 'Conv2D');
  const output = model.layers.at(-1);
  if (!conv1 || !output || output.getClassName() !== 'Dense' || !(model instanceof tf.Sequential)) {
    throw new Error('one step of learning needs a sequential model with a convolution first and a dense output layer');
  }
  return { conv1, output };
}

/**
 * Copies `model` and takes one optimizer step on the copy for one digit and its true label.
 * @param pixels 28x28 values in [0, 1]
 * @returns the copy (the caller owns it) and the numbers of the step
 */
export async function takeLearningStep(
  model: tf.LayersModel,
  pixels: Float32Array,
  label: number,
  optimizerName: OptimizerName,
  learningRate: number,
): Promise<{ copy: tf.LayersModel; numbers: LearningStepNumbers }> {
  if (pixels.length !== PIXELS_PER_IMAGE) throw new Error(`a learning step needs ${PIXELS_PER_IMAGE} pixels, not ${pixels.length}`);
  stepLayers(model);
  const copy = await artifactsToModel(await modelToArtifacts(model));
  const optimizer = createOptimizer(optimizerName, learningRate);
  /** Every tensor made here, freed however the step ends. */
  const made: tf.Tensor[] = [];
  try {
    const { conv1, output } = stepLayers(copy);
    const [conv1Kernel] = conv1.trainableWeights;
    const [outputKernel] = output.trainableWeights;
    const x = tf.tensor4d(pixels, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d([label], 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D);
    made.push(x, y);
    const kernelBefore = (await conv1Kernel!.read().data<'float32'>()).slice();
    const { probabilities, hidden } = tf.tidy(() => {
      let h: tf.Tensor = x;
      for (const layer of copy.layers.slice(0, -1)) h = layer.apply(h) as tf.Tensor;
      return { hidden: h, probabilities: output.apply(h) as tf.Tensor };
    });
    made.push(probabilities, hidden);
    const variables = copy.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value: loss, grads } = tf.variableGrads(() => crossEntropy(y, copy.apply(x) as tf.Tensor2D), variables);
    made.push(loss, ...Object.values(grads));
    const conv1Gradient = grads[(conv1Kernel!.read() as tf.Variable).name]!;
    const outputGradient = grads[(outputKernel!.read() as tf.Variable).name]!;
    const [p, h, lossValue, gConv1, gOutput] = await Promise.all([
      probabilities.data<'float32'>(),
      hidden.data<'float32'>(),
      loss.data<'float32'>(),
      conv1Gradient.data<'float32'>(),
      outputGradient.data<'float32'>(),
    ]);
    optimizer.applyGradients(grads);
    const kernelAfter = await conv1Kernel!.read().data<'float32'>();
    const update = new Float32Array(kernelAfter.length);
    for (let i = 0; i < update.length; i++) update[i] = kernelAfter[i]! - kernelBefore[i]!;
    const probabilityList = Array.from(p);
    return {
      copy,
      numbers: {
        label,
        optimizer: optimizerName,
        learningRate,
        probabilities: probabilityList,
        loss: lossValue[0]!,
        conv1: {
          name: conv1.name,
          shape: conv1Kernel!.shape as [number, number, number, number],
          kernel: kernelBefore,
          gradient: gConv1,
          update,
        },
        output: {
          name: output.name,
          inputs: h,
          delta: probabilityList.map((value, k) => value - (k === label ? 1 : 0)),
          kernelGradient: gOutput,
        },
      },
    };
  } catch (error) {
    copy.dispose();
    throw error;
  } finally {
    tf.dispose(made);
    optimizer.dispose();
  }
}

/** What `model` makes of one digit with its label: the 10 probabilities and the loss. */
export async function readWithLabel(
  model: tf.LayersModel,
  pixels: Float32Array,
  label: number,
): Promise<{ probabilities: number[]; loss: number }> {
  const [probabilities, loss] = tf.tidy(() => {
    const p = model.predict(tf.tensor4d(pixels, [1, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor2D;
    const y = tf.oneHot(tf.tensor1d([label], 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D;
    return [p, crossEntropy(y, p)];
  });
  const [p, l] = await Promise.all([probabilities.data<'float32'>(), loss.data<'float32'>()]);
  tf.dispose([probabilities, loss]);
  return { probabilities: Array.from(p), loss: l[0]! };
}

/**
 * Looking inside the model for teaching: every layer's output for one digit, and the
 * convolution filters' weights, as plain arrays the UI draws. One multi-output model per model in
 * use gives all the layers' outputs in a single pass (the same layers, the same weights).
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../data/mnist';

/** One layer's output for one digit (no batch dimension), e.g. conv1: [24, 24, 6]. */
export interface LayerActivation {
  name: string;
  /** Keras class name: Conv2D, MaxPooling2D, Dense, ... */
  type: string;
  shape: number[];
  /** Row-major, channels last (as tfjs stores it). */
  values: Float32Array;
}

/** A Conv2D layer's kernels and biases. */
export interface ConvFilters {
  name: string;
  /** [height, width, in channels, out channels]. */
  shape: [number, number, number, number];
  /** Row-major over `shape` (as tfjs stores it). */
  kernel: Float32Array;
  bias: Float32Array;
  /** 'tanh', 'relu', ...: what the explainer applies after the sum. */
  activation: string;
}

const inspectors = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** A model with the same layers whose outputs are every layer's output (made once per model). */
function inspector(model: tf.LayersModel): tf.LayersModel {
  let made = inspectors.get(model);
  if (!made) {
    made = tf.model({ inputs: model.inputs, outputs: model.layers.map((layer) => layer.output as tf.SymbolicTensor) });
    inspectors.set(model, made);
  }
  return made;
}

/**
 * Every layer's output for one 28x28 digit, in layer order; the last is the 10 probabilities.
 * @param pixels 28x28 values in [0, 1]
 */
export async function layerActivations(model: tf.LayersModel, pixels: Float32Array): Promise<LayerActivation[]> {
  const outputs = tf.tidy(() => {
    const result = inspector(model).predict(tf.tensor4d(pixels, [1, IMAGE_SIZE, IMAGE_SIZE, 1]));
    return Array.isArray(result) ? result : [result];
  });
  const values = await Promise.all(outputs.map((output) => output.data<'float32'>()));
  const activations = model.layers.map((layer, i) => ({
    name: layer.name,
    type: layer.getClassName(),
    shape: outputs[i]!.shape.slice(1),
    values: values[i]!,
  }));
  tf.dispose(outputs);
  return activations;
}

/** Every Conv2D layer's weights, in layer order. */
export async function convFilters(model: tf.LayersModel): Promise<ConvFilters[]> {
  const convs = model.layers.filter((layer) => layer.getClassName() === 'Conv2D');
  return Promise.all(
    convs.map(async (layer) => {
      const [kernel, bias] = layer.getWeights();
      return {
        name: layer.name,
        shape: kernel!.shape as [number, number, number, number],
        kernel: (await kernel!.data()) as Float32Array,
        bias: bias ? ((await bias.data()) as Float32Array) : new Float32Array(kernel!.shape[3]!),
        activation: String(layer.getConfig().activation),
      };
    }),
  );
}

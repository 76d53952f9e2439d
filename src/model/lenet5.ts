/**
 * LeNet-5 (LeCun et al., 1998) as the seed notebook builds it, and as its text walks through it.
 *
 * The seed's Keras model ("LeNet-5 (seed notebook, 28x28)") takes the 28x28 MNIST digit as it is:
 * conv 6@5x5 valid -> 24x24x6, max-pool 2 -> 12x12x6, conv 16@5x5 valid -> 8x8x16, max-pool 2 ->
 * 4x4x16, then dense 120, 84 and a 10-way softmax: 44,426 parameters. The seed's text instead
 * describes the paper's 32x32 input ("LeNet-5 (classic 32x32)"): the digit padded by 2 on each side,
 * which gives the familiar 28x28x6 -> 14x14x6 -> 10x10x16 -> 5x5x16 -> 120 -> 84 -> 10 and 61,706
 * parameters. Both depart from the 1998 paper the way the seed does: max-pooling instead of
 * trainable subsampling, full connections between conv1 and conv2 (the paper's C3 used a partial
 * connection table), tanh (or ReLU) instead of the scaled tanh, and softmax with cross-entropy
 * instead of RBF output units.
 */
import * as tf from '@tensorflow/tfjs';

export type ModelPreset = 'lenet5' | 'lenet5-classic';
export type Activation = 'tanh' | 'relu';

export const MODEL_PRESETS: Record<ModelPreset, { label: string; inputSize: number }> = {
  lenet5: { label: 'LeNet-5 (seed notebook, 28x28)', inputSize: 28 },
  'lenet5-classic': { label: 'LeNet-5 (classic 32x32)', inputSize: 32 },
};

export interface ModelOptions {
  preset: ModelPreset;
  activation: Activation;
  /** Seeds every kernel initializer: the same seed gives the same initial weights. */
  seed: number;
}

/** Builds the model; input [batch, 28, 28, 1] pixels in [0, 1], output [batch, 10] probabilities. */
export function buildLeNet5({ preset, activation, seed }: ModelOptions): tf.Sequential {
  // Keras defaults (Glorot-uniform kernels, zero biases), seeded per layer.
  let layerSeed = seed;
  const init = () => tf.initializers.glorotUniform({ seed: layerSeed++ });
  const model = tf.sequential({ name: preset });
  if (preset === 'lenet5-classic') {
    model.add(tf.layers.zeroPadding2d({ padding: 2, inputShape: [28, 28, 1], name: 'pad' }));
  }
  const input = preset === 'lenet5' ? { inputShape: [28, 28, 1] } : {};
  model.add(
    tf.layers.conv2d({ ...input, filters: 6, kernelSize: 5, padding: 'valid', activation, kernelInitializer: init(), name: 'conv1' }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation, kernelInitializer: init(), name: 'conv2' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ units: 120, activation, kernelInitializer: init(), name: 'fc1' }));
  model.add(tf.layers.dense({ units: 84, activation, kernelInitializer: init(), name: 'fc2' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(), name: 'output' }));
  return model;
}

/** One row of a Keras-style summary. */
export interface LayerSummary {
  name: string;
  /** Keras class name: Conv2D, MaxPooling2D, ... */
  type: string;
  /** Without the batch dimension, e.g. [24, 24, 6]. */
  outputShape: number[];
  params: number;
}

export interface ModelSummary {
  /** Null for a model that did not come from a preset (an uploaded one). */
  preset: ModelPreset | null;
  label: string;
  inputShape: number[];
  layers: LayerSummary[];
  totalParams: number;
}

/** The summary Keras' model.summary() prints, as plain data the UI can render. */
export function summarize(model: tf.LayersModel, preset: ModelPreset | null): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: (layer.outputShape as (number | null)[]).slice(1) as number[],
    params: layer.countParams(),
  }));
  return {
    preset,
    label: preset ? MODEL_PRESETS[preset].label : model.name,
    inputShape: (model.inputs[0]!.shape as (number | null)[]).slice(1) as number[],
    layers,
    totalParams: layers.reduce((sum, l) => sum + l.params, 0),
  };
}

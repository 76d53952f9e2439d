/**
 * One step of learning: the numbers the page shows (src/shared/stepMath.ts, pure) against what
 * tfjs's optimizers do to a copy of LeNet-5 (CPU backend, in Node): the loss is -log p, the output
 * layer's gradient is h (p - y), each optimizer's first step is its formula, the copy learns and the
 * model it came from does not change.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLeNet5 } from '../../src/model/lenet5';
import { readWithLabel, takeLearningStep } from '../../src/model/learningStep';
import { crossEntropyOf, firstStep, largestAt, outputDelta, softmax } from '../../src/shared/stepMath';
import type { OptimizerName } from '../../src/model/optimizerDefaults';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function digit(): Float32Array {
  const pixels = new Float32Array(784);
  for (let y = 5; y < 23; y++) for (let x = 12; x < 16; x++) pixels[y * 28 + x] = 0.4 + (0.6 * (((y * 28 + x) * 31) % 17)) / 17;
  return pixels;
}

describe('stepMath', () => {
  it('writes out softmax, the loss and each first step', () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(p[2]! / p[1]!).toBeCloseTo(Math.E, 12);
    expect(crossEntropyOf([0.25, 0.75], 1)).toBeCloseTo(-Math.log(0.75), 12);
    expect(crossEntropyOf([1, 0], 1)).toBeCloseTo(-Math.log(1e-7), 6); // clipped as Keras clips
    expect(outputDelta([0.2, 0.8], 1)).toEqual([0.2, 0.8 - 1]);
    expect(firstStep('sgd', 0.1, 0.5).step).toBeCloseTo(-0.05, 12);
    // Adam's first step: the moments' bias corrections cancel, leaving lr * g / (|g| + eps).
    const adam = firstStep('adam', 0.001, -0.02);
    expect(adam.step).toBeCloseTo(0.001 * (0.02 / (0.02 + 1e-7)), 12);
    if (adam.optimizer !== 'adam') throw new Error('adam');
    expect(adam.m).toBeCloseTo(0.1 * -0.02, 12);
    expect(adam.v).toBeCloseTo(0.001 * 0.0004, 15);
    expect(adam.mHat).toBeCloseTo(-0.02, 12);
    expect(adam.vHat).toBeCloseTo(0.0004, 12);
    const rms = firstStep('rmsprop', 0.01, 0.3);
    expect(rms.step).toBeCloseTo(-0.01 * (0.3 / Math.sqrt(0.1 * 0.09 + 1e-7)), 12);
    expect(largestAt([0.1, -0.5, 0.3])).toBe(1);
  });
});

describe('takeLearningStep', () => {
  const cases: [OptimizerName, number, 'tanh' | 'relu'][] = [
    ['sgd', 0.05, 'tanh'],
    ['adam', 0.001, 'tanh'],
    ['rmsprop', 0.001, 'relu'],
  ];
  it.each(cases)(
    '%s (learning rate %s, %s): the page formulas give the update tfjs made, and the copy learns',
    async (optimizer, rate, activation) => {
      const model = buildLeNet5({ preset: 'lenet5', activation, seed: 11 });
      const pixels = digit();
      const label = 4;
      const originalKernel = model.layers[0]!.getWeights()[0]!.dataSync().slice();
      const tensorsBefore = tf.memory().numTensors;
      const { copy, numbers } = await takeLearningStep(model, pixels, label, optimizer, rate);

      // The loss is -log p[label] of the probabilities shown.
      expect(numbers.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      expect(numbers.loss).toBeCloseTo(crossEntropyOf(numbers.probabilities, label), 5);
      // The output layer's gradient: dL/dW[j][k] = h_j (p_k - y_k).
      const { inputs, delta, kernelGradient } = numbers.output;
      expect(delta).toEqual(outputDelta(numbers.probabilities, label));
      expect(kernelGradient.length).toBe(inputs.length * 10);
      for (let j = 0; j < inputs.length; j += 7)
        for (let k = 0; k < 10; k++) expect(kernelGradient[j * 10 + k]!).toBeCloseTo(inputs[j]! * delta[k]!, 6);
      // conv1: every weight moved by the optimizer's formula, as tfjs applied it.
      const { gradient, update, kernel, shape } = numbers.conv1;
      expect(shape).toEqual([5, 5, 1, 6]);
      expect(kernel).toEqual(originalKernel);
      let moved = 0;
      for (let i = 0; i < gradient.length; i++) {
        const expected = firstStep(optimizer, rate, gradient[i]!).step;
        expect(Math.abs(update[i]! - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(kernel[i]!)) + 1e-3 * Math.abs(expected));
        if (update[i] !== 0) moved++;
      }
      expect(moved).toBeGreaterThan(100);

      // The copy learned: a lower loss on this digit. The model it came from did not change.
      const after = await readWithLabel(copy, pixels, label);
      expect(after.loss).toBeLessThan(numbers.loss);
      expect(after.probabilities[label]!).toBeGreaterThan(numbers.probabilities[label]!);
      expect(model.layers[0]!.getWeights()[0]!.dataSync()).toEqual(originalKernel);
      expect((await readWithLabel(model, pixels, label)).loss).toBeCloseTo(numbers.loss, 5);
      copy.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      model.dispose();
    },
  );

  it('refuses a model it cannot take apart, and the wrong number of pixels', async () => {
    const dense = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })],
    });
    await expect(takeLearningStep(dense, digit(), 1, 'sgd', 0.1)).rejects.toThrow(/convolution/);
    const model = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 1 });
    await expect(takeLearningStep(model, new Float32Array(10), 1, 'sgd', 0.1)).rejects.toThrow(/784 pixels/);
    dense.dispose();
    model.dispose();
  });
});

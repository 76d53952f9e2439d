/** Pins both presets' shapes and parameter counts to the seed notebook's walkthrough and code. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLeNet5, summarize } from '../../src/model/lenet5';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rows = (summary: ReturnType<typeof summarize>) => summary.layers.map((l) => [l.name, l.type, l.outputShape.join('x'), l.params]);

describe('LeNet-5 presets', () => {
  it('seed notebook (28x28): 24x24x6 -> 12x12x6 -> 8x8x16 -> 4x4x16 -> 120 -> 84 -> 10, 44,426 parameters', () => {
    const model = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 1 });
    const summary = summarize(model, 'lenet5');
    expect(summary.inputShape).toEqual([28, 28, 1]);
    expect(rows(summary)).toEqual([
      ['conv1', 'Conv2D', '24x24x6', 156],
      ['pool1', 'MaxPooling2D', '12x12x6', 0],
      ['conv2', 'Conv2D', '8x8x16', 2416],
      ['pool2', 'MaxPooling2D', '4x4x16', 0],
      ['flatten', 'Flatten', '256', 0],
      ['fc1', 'Dense', '120', 30840],
      ['fc2', 'Dense', '84', 10164],
      ['output', 'Dense', '10', 850],
    ]);
    expect(summary.totalParams).toBe(44_426);
    expect(model.countParams()).toBe(44_426);
    model.dispose();
  });

  it('classic (32x32): the seed text’s 32 -> 28x28x6 -> 14x14x6 -> 10x10x16 -> 5x5x16 -> 120 -> 84 -> 10, 61,706 parameters', () => {
    const model = buildLeNet5({ preset: 'lenet5-classic', activation: 'relu', seed: 1 });
    const summary = summarize(model, 'lenet5-classic');
    expect(rows(summary)).toEqual([
      ['pad', 'ZeroPadding2D', '32x32x1', 0],
      ['conv1', 'Conv2D', '28x28x6', 156],
      ['pool1', 'MaxPooling2D', '14x14x6', 0],
      ['conv2', 'Conv2D', '10x10x16', 2416],
      ['pool2', 'MaxPooling2D', '5x5x16', 0],
      ['flatten', 'Flatten', '400', 0],
      ['fc1', 'Dense', '120', 48120],
      ['fc2', 'Dense', '84', 10164],
      ['output', 'Dense', '10', 850],
    ]);
    expect(summary.totalParams).toBe(61_706);
    model.dispose();
  });

  it('takes 28x28x1 digits to 10 probabilities, and the same seed gives the same initial weights', () => {
    const a = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 7 });
    const b = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 7 });
    const c = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 8 });
    const probabilities = tf.tidy(() => (a.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).sum(1).arraySync() as number[]);
    expect(probabilities.map((p) => Math.round(p * 1e5) / 1e5)).toEqual([1, 1, 1]);
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)[0]).not.toEqual(weights(c)[0]);
    [a, b, c].forEach((m) => m.dispose());
  });
});

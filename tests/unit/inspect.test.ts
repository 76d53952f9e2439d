/**
 * What the Inside panel is sent equals the layers' outputs computed directly: conv1 by hand (the
 * 25 products, the bias, tanh), the poolings as maxima of the maps before them, the last layer as
 * model.predict; and the filters are the layers' weights.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/random';
import { convFilters, layerActivations } from '../../src/model/inspect';
import { buildLeNet5 } from '../../src/model/lenet5';
import { channel, convStep, kernelSlice } from '../../src/ui/inside/heatmap';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A digit-like input: a bright bar on a dark field with some noise. */
function digit(): Float32Array {
  const random = mulberry32(11);
  return Float32Array.from({ length: 784 }, (_, i) => {
    const [y, x] = [Math.floor(i / 28), i % 28];
    return Math.abs(x - y) < 3 && x > 4 && x < 24 ? 0.9 + 0.1 * random() : 0.05 * random();
  });
}

/** Max-pooling 2x2 of one channel (height x width) by hand. */
function pool(map: Float32Array, size: number): Float32Array {
  const half = size / 2;
  return Float32Array.from({ length: half * half }, (_, i) => {
    const [y, x] = [Math.floor(i / half) * 2, (i % half) * 2];
    return Math.max(map[y * size + x]!, map[y * size + x + 1]!, map[(y + 1) * size + x]!, map[(y + 1) * size + x + 1]!);
  });
}

describe('layerActivations', () => {
  it('gives every layer of LeNet-5 with the seed walkthrough shapes, and values equal to the layers computed directly', async () => {
    const model = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 4 });
    const pixels = digit();
    const before = tf.memory().numTensors;
    const activations = await layerActivations(model, pixels);
    expect(activations.map((a) => [a.name, a.shape.join('x')])).toEqual([
      ['conv1', '24x24x6'],
      ['pool1', '12x12x6'],
      ['conv2', '8x8x16'],
      ['pool2', '4x4x16'],
      ['flatten', '256'],
      ['fc1', '120'],
      ['fc2', '84'],
      ['output', '10'],
    ]);
    expect(tf.memory().numTensors).toBe(before); // the inspector model is cached, its outputs freed

    const [conv1] = await convFilters(model);
    const [conv1Out, pool1] = activations;
    for (let c = 0; c < 6; c++) {
      const kernel = kernelSlice(conv1!.kernel, conv1!.shape, 0, c);
      const map = channel(conv1Out!.values, conv1Out!.shape, c);
      for (const position of [0, 100, 300, 575]) {
        const step = convStep(pixels, 28, kernel, 5, conv1!.bias[c]!, 'tanh', position);
        expect(map[position]).toBeCloseTo(step.output, 5);
      }
      expect(Array.from(channel(pool1!.values, pool1!.shape, c))).toEqual(Array.from(pool(map, 24)));
    }
    const expected = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(Array.from(activations.at(-1)!.values)).toEqual(Array.from(expected));
    model.dispose();
  });

  it('starts with the padded 32x32 input for the classic preset', async () => {
    const model = buildLeNet5({ preset: 'lenet5-classic', activation: 'relu', seed: 1 });
    const activations = await layerActivations(model, digit());
    expect(activations.slice(0, 3).map((a) => [a.name, a.shape.join('x')])).toEqual([
      ['pad', '32x32x1'],
      ['conv1', '28x28x6'],
      ['pool1', '14x14x6'],
    ]);
    model.dispose();
  });
});

describe('convFilters', () => {
  it("are the conv layers' kernels and biases, with their activation", async () => {
    const model = buildLeNet5({ preset: 'lenet5', activation: 'relu', seed: 2 });
    const filters = await convFilters(model);
    expect(filters.map((f) => [f.name, f.shape.join('x'), f.bias.length, f.activation])).toEqual([
      ['conv1', '5x5x1x6', 6, 'relu'],
      ['conv2', '5x5x6x16', 16, 'relu'],
    ]);
    expect(Array.from(filters[1]!.kernel)).toEqual(Array.from(model.getLayer('conv2').getWeights()[0]!.dataSync()));
    model.dispose();
  });
});

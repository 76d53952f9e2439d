/** A run's state captured to plain arrays and restored into a fresh model and optimizer. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLeNet5 } from '../../src/model/lenet5';
import { createOptimizer, crossEntropy } from '../../src/model/training';
import { captureOptimizer, captureWeights, restoreOptimizer, restoreWeights, type NamedArray } from '../../src/model/trainingState';
import { mulberry32 } from '../../src/data/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A fixed batch of 8 random digits with labels. */
function batch() {
  const random = mulberry32(5);
  const x = tf.tensor4d(Float32Array.from({ length: 8 * 784 }, random), [8, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat() as tf.Tensor2D;
  return { x, y };
}

/** Values and shapes only: tfjs names a second model's variables conv1/kernel_1 and so on. */
const values = (arrays: NamedArray[]) => arrays.map(({ shape, data }) => ({ shape, data }));

function step(model: tf.LayersModel, optimizer: tf.Optimizer, { x, y }: { x: tf.Tensor4D; y: tf.Tensor2D }) {
  optimizer.minimize(() => crossEntropy(y, model.apply(x, { training: true }) as tf.Tensor2D));
}

describe('trainingState', () => {
  it('a model and Adam restored from arrays take the next step exactly as the originals do', async () => {
    const data = batch();
    const original = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 3 });
    const adam = createOptimizer('adam', 0.01);
    for (let i = 0; i < 12; i++) step(original, adam, data);
    const weights = await captureWeights(original);
    const state = await captureOptimizer(adam);
    expect(state.weights[0]!.data[0]).toBe(12); // the step count comes first
    expect(state.accBeta![1]).toBe(Math.fround(state.accBeta![1]));

    const before = tf.memory().numTensors;
    const copy = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 99 });
    const restoredAdam = createOptimizer('adam', 0.01);
    restoreWeights(copy, weights);
    await restoreOptimizer(restoredAdam, state);
    // Adam's running beta powers as accumulated, not pow(beta, t) recomputed (they differ in the last bit).
    expect(await captureOptimizer(restoredAdam)).toEqual(state);

    step(original, adam, data);
    step(copy, restoredAdam, data);
    expect(values(await captureWeights(copy))).toEqual(values(await captureWeights(original)));
    const [next, expected] = [await captureOptimizer(restoredAdam), await captureOptimizer(adam)];
    expect(values(next.weights)).toEqual(values(expected.weights));
    expect(next.accBeta).toEqual(expected.accBeta);
    copy.dispose();
    restoredAdam.dispose();
    // The copy's model and optimizer variables are all that was added, and they are gone again.
    expect(tf.memory().numTensors).toBe(before);
    original.dispose();
    adam.dispose();
    tf.dispose([data.x, data.y]);
  });

  it("keeps Adam's running beta powers as accumulated: after 50 steps pow(beta, t) differs in the last bits", async () => {
    const variable = tf.variable(tf.scalar(1));
    const adam = createOptimizer('adam', 0.01);
    for (let i = 0; i < 50; i++) adam.minimize(() => tf.square(variable));
    const state = await captureOptimizer(adam);
    const restored = createOptimizer('adam', 0.01);
    await restoreOptimizer(restored, state);
    expect((await captureOptimizer(restored)).accBeta).toEqual(state.accBeta);
    // What setWeights alone would leave (the reason accBeta is kept).
    const plain = createOptimizer('adam', 0.01);
    await plain.setWeights(state.weights.map(({ name, shape, data }) => ({ name, tensor: tf.tensor(data, shape) })));
    expect((await captureOptimizer(plain)).accBeta).not.toEqual(state.accBeta);
    tf.dispose([variable]);
    [adam, restored, plain].forEach((o) => o.dispose());
  });

  it.each(['sgd', 'rmsprop'] as const)(
    '%s: its state (no beta powers) is captured and restored to take the same next step',
    async (name) => {
      // tfjs's duck-typed `instanceof` took every optimizer for Adam: capturing SGD or RMSprop threw.
      const start = [0.5, -0.25, 2];
      const weights = tf.tidy(() => tf.variable(tf.tensor1d(start)));
      const loss = () => tf.sum(tf.square(tf.mul(weights, tf.tensor1d([1, 2, 3])))) as tf.Scalar;
      const optimizer = createOptimizer(name, 0.01);
      for (let i = 0; i < 3; i++) optimizer.minimize(loss, false, [weights]);
      const state = await captureOptimizer(optimizer);
      expect(state.accBeta).toBeNull();
      expect(state.weights[0]!.data[0]).toBe(3); // the step count
      // RMSprop: each variable's mean square and moment; SGD: nothing but the step count.
      expect(state.weights.map((w) => w.shape)).toEqual(name === 'rmsprop' ? [[], [3], [3]] : [[]]);

      const copy = tf.tidy(() => tf.variable(weights.clone()));
      const copyLoss = () => tf.sum(tf.square(tf.mul(copy, tf.tensor1d([1, 2, 3])))) as tf.Scalar;
      const restored = createOptimizer(name, 0.01);
      await restoreOptimizer(restored, state);
      expect(await captureOptimizer(restored)).toEqual(state);
      optimizer.minimize(loss, false, [weights]);
      restored.minimize(copyLoss, false, [copy]);
      expect(await copy.data()).toEqual(await weights.data());
      expect(Array.from(await weights.data())).not.toEqual(start.map(Math.fround));
      tf.dispose([weights, copy]);
      [optimizer, restored].forEach((o) => o.dispose());
    },
  );

  it('refuses weights that do not fit the model', async () => {
    const classic = await captureWeights(buildLeNet5({ preset: 'lenet5-classic', activation: 'tanh', seed: 1 }));
    const model = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 1 });
    expect(() => restoreWeights(model, classic)).toThrow(/do not fit this model/);
    model.dispose();
  });
});

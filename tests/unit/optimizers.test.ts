/**
 * createOptimizer uses the learning rate it is given: one SGD step is exactly w - lr * gradient,
 * rounded to float32, and for every optimizer twice the rate makes twice the first step. (The
 * session's side, that the settings' rate reaches createOptimizer, is in everySetting.test.ts.)
 * On the CPU backend and on WASM (where Adam runs as the project's fused kernel); a small
 * least-squares problem stands in for the model, the optimizers do not care.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/random';
import { createOptimizer, type OptimizerName } from '../../src/model/training';
import { useWasm } from './fixtures';

const created: tf.TensorContainer[] = [];
afterEach(() => {
  tf.dispose(created.splice(0));
});

/** Fixed values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: count }, () => 2 * random() - 1);
}

/** A linear model's variables and the mean squared error it makes on a fixed batch. */
function problem() {
  const kernel = tf.variable(tf.tensor2d(values(12, 1), [3, 4]));
  const bias = tf.variable(tf.tensor1d(values(4, 2)));
  const x = tf.tensor2d(values(15, 3), [5, 3]);
  const target = tf.tensor2d(values(20, 4), [5, 4]);
  created.push(kernel, bias, x, target);
  const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, kernel), bias), target))) as tf.Scalar;
  return { variables: [kernel, bias], loss };
}

/** The variables' values after one step of `name` at `learningRate`, from the same start every time. */
async function afterOneStep(name: OptimizerName, learningRate: number) {
  const { variables, loss } = problem();
  const before = await Promise.all(variables.map((v) => v.data()));
  const optimizer = createOptimizer(name, learningRate);
  optimizer.minimize(loss, false, variables);
  const after = await Promise.all(variables.map((v) => v.data()));
  optimizer.dispose();
  return { before: before.map((d) => Float32Array.from(d)), after: after.map((d) => Float32Array.from(d)) };
}

describe.each(['cpu', 'wasm'])('createOptimizer on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await useWasm();
    else await tf.setBackend(backend);
  });

  it('SGD: one step moves every weight by exactly -learningRate x its gradient (in float32)', async () => {
    const learningRate = 0.05;
    const { variables, loss } = problem();
    const { grads } = tf.variableGrads(loss, variables);
    created.push(grads);
    const gradients = await Promise.all(variables.map((v) => grads[v.name]!.data()));
    const { before, after } = await afterOneStep('sgd', learningRate);
    const step = Math.fround(-learningRate);
    before.forEach((weights, v) => {
      const expected = weights.map((w, i) => Math.fround(w + Math.fround(step * gradients[v]![i]!)));
      expect(after[v]).toEqual(expected);
      expect(after[v]).not.toEqual(weights);
    });
  });

  it.each<OptimizerName>(['sgd', 'adam', 'rmsprop'])('%s: twice the learning rate, twice the first step', async (name) => {
    const single = await afterOneStep(name, 0.01);
    const double = await afterOneStep(name, 0.02);
    single.before.forEach((weights, v) => {
      expect(double.before[v]).toEqual(weights);
      weights.forEach((w, i) => {
        const [a, b] = [single.after[v]![i]!, double.after[v]![i]!];
        expect(a).not.toBe(w);
        // Each new weight is rounded to float32 once: the two steps agree to 1.5 units in the last place.
        expect(Math.abs(b - w - 2 * (a - w))).toBeLessThanOrEqual(2 ** -21 * Math.max(Math.abs(w), Math.abs(a), Math.abs(b)));
      });
    });
  });
});

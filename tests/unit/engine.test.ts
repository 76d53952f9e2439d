/**
 * The LeNet Lab engine against tfjs's CPU backend, which is the reference: every variable's
 * gradient for both presets and both activations, on digits with pooling ties, at initialisation
 * and after 300 steps; the optimizers' updates bit for bit given the same gradients; and the same
 * run twice, or in two halves through its saved state, bit for bit.
 *
 * tfjs's CPU backend takes seconds for one batch's gradient, so the suite checks batches of 1 and 8
 * (16 after 300 steps); `ENGINE_PARITY=full npx vitest run tests/unit/engine.test.ts` checks
 * batches of 1, 50, 64 and 128 (64 and 128 after 300 steps), about 4 minutes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmSimdSupported, type EngineActivation, type EngineOptimizer, type EnginePreset } from '../../src/engine/engine';
import { mulberry32 } from '../../src/data/random';
import { bytesToPixels, pixelsToBytes, type Pixels } from '../../src/data/sprite';
import { createOptimizer, type OptimizerName } from '../../src/model/training';
import { engineFor, identity, mnist, reference, relativeError } from './engineFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const CASES: [EnginePreset, EngineActivation][] = [
  ['lenet5', 'tanh'],
  ['lenet5', 'relu'],
  ['lenet5-classic', 'tanh'],
  ['lenet5-classic', 'relu'],
];
const data = mnist(2000);
const FULL = process.env.ENGINE_PARITY === 'full';
const SIZES_AT_START = FULL ? [1, 50, 64, 128] : [1, 8];
const SIZES_AFTER = FULL ? [64, 128] : [16];

/** n digits from `start`; where n > 2, the first two are made of ties: a flat grey page and 2x2 blocks. */
function batch(start: number, n: number): { images: Float32Array; labels: Uint8Array } {
  const images = data.images.slice(start * 784, (start + n) * 784);
  const labels = data.labels.slice(start, start + n);
  if (n > 2) {
    images.fill(0.5, 0, 784);
    for (let p = 0; p < 784; p++) images[784 + p] = ((Math.floor(p / 28) >> 1) + ((p % 28) >> 1)) % 2 ? 1 : 0.25;
  }
  return { images, labels };
}

const ADAM: EngineOptimizer = { name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

function expectSameGradients(preset: EnginePreset, activation: EngineActivation, weights: Float32Array[], n: number, start: number) {
  const engine = engineFor(preset, activation);
  const tfjs = reference(preset, activation);
  engine.setWeights(weights);
  tfjs.setWeights(weights);
  const { images, labels } = batch(start, n);
  const ours = engine.gradients(images, labels, identity(n), 0, n);
  const theirs = tfjs.gradients(images, labels);
  expect(ours.loss).toBeCloseTo(theirs.loss, 5);
  const errors = theirs.gradients.map((g, i) => relativeError(ours.gradients[i]!, g));
  for (const [i, error] of errors.entries()) expect(error, `variable ${i} (${engine.shapes[i]!.join('x')})`).toBeLessThan(1e-4);
  if (FULL) console.log(`${preset} ${activation} batch ${n}: worst relative error ${Math.max(...errors).toExponential(2)}`);
  tfjs.model.dispose();
  return Math.max(...errors);
}

describe('the engine’s gradients are tfjs’s', () => {
  it('WebAssembly SIMD is there (Node, like every current browser)', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  for (const [preset, activation] of CASES) {
    it(`${preset}, ${activation}: at initialisation, batches of ${SIZES_AT_START.join(', ')} with pooling ties`, () => {
      const weights = reference(preset, activation, 7).initialWeights();
      for (const n of SIZES_AT_START) expectSameGradients(preset, activation, weights, n, 100);
    });

    it(`${preset}, ${activation}: after 300 Adam steps, batches of ${SIZES_AFTER.join(', ')}`, () => {
      const engine = engineFor(preset, activation);
      engine.setWeights(reference(preset, activation, 3).initialWeights());
      const order = identity(data.labels.length);
      for (let step = 0; step < 300; step++) {
        const start = (step * 64) % (data.labels.length - 64);
        engine.trainBatch(data.images, data.labels, order, start, 64, ADAM);
      }
      const trained = engine.getWeights();
      for (const n of SIZES_AFTER) expectSameGradients(preset, activation, trained, n, 1500);
    });
  }
});

describe('the engine’s optimizers are tfjs’s, bit for bit', () => {
  const seedFor = (name: OptimizerName) => ['adam', 'sgd', 'rmsprop'].indexOf(name) + 1;
  const SETTINGS: Record<OptimizerName, EngineOptimizer> = {
    adam: ADAM,
    sgd: { name: 'sgd', learningRate: 0.01 },
    rmsprop: { name: 'rmsprop', learningRate: 0.001, decay: 0.9, momentum: 0, epsilon: 1e-7 },
  };
  for (const name of ['adam', 'sgd', 'rmsprop'] as const) {
    it(`${name}: three updates with the same gradients give the same weights`, () => {
      const engine = engineFor('lenet5', 'tanh');
      const tfjs = reference('lenet5', 'tanh', 5);
      engine.setWeights(tfjs.initialWeights());
      const optimizer = createOptimizer(name, SETTINGS[name].learningRate);
      const variables = tfjs.model.trainableWeights.map((w) => w.read() as tf.Variable);
      // Gradients of a real batch's size and spread (the update does not care where they come from).
      const random = mulberry32(seedFor(name));
      for (let step = 0; step < 3; step++) {
        const gradients = engine.shapes.map((shape) =>
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * 0.02),
        );
        engine.applyGradients(gradients, SETTINGS[name]);
        const named = Object.fromEntries(variables.map((v, i) => [v.name, tf.tensor(gradients[i]!, v.shape)]));
        optimizer.applyGradients(named);
        tf.dispose(Object.values(named));
      }
      const ours = engine.getWeights();
      const theirs = tfjs.model.getWeights().map((w) => w.dataSync());
      for (const [i, values] of theirs.entries()) expect(ours[i], `variable ${i}`).toEqual(values);
      optimizer.dispose();
      tfjs.model.dispose();
    });
  }
});

describe('the engine is deterministic', () => {
  const run = (
    steps: number,
    from?: ReturnType<ReturnType<typeof engineFor>['getOptimizerState']> & { weights: Float32Array[] },
    first = 0,
  ) => {
    const engine = engineFor('lenet5', 'relu');
    if (from) {
      engine.setWeights(from.weights);
      engine.setOptimizerState(from);
    } else engine.setWeights(reference('lenet5', 'relu', 11).initialWeights());
    const order = identity(data.labels.length);
    for (let step = first; step < first + steps; step++) engine.trainBatch(data.images, data.labels, order, step * 64, 64, ADAM);
    return { weights: engine.getWeights(), ...engine.getOptimizerState() };
  };

  it('the same weights and batches give the same weights, bit for bit', () => {
    expect(run(20).weights).toEqual(run(20).weights);
  });

  it('training and predicting from the data set’s bytes is the same as from its pixels, bit for bit', () => {
    // The app hands the engine bytes (see Pixels in src/data/sprite.ts); the tests above, pixels.
    const bytes = pixelsToBytes(data.images);
    expect(bytesToPixels(bytes)).toEqual(data.images);
    const trained = (source: Pixels) => {
      const engine = engineFor('lenet5', 'tanh');
      engine.setWeights(reference('lenet5', 'tanh', 5).initialWeights());
      const order = Int32Array.from({ length: 640 }, (_, i) => (i * 37) % data.labels.length);
      const losses = [];
      for (let step = 0; step < 10; step++) losses.push(engine.trainBatch(source, data.labels, order, step * 64, 64, ADAM).loss);
      return { losses, weights: engine.getWeights(), probabilities: engine.predict(source, 100, 200) };
    };
    expect(trained(bytes)).toEqual(trained(data.images));
  });

  it('a run continued from its saved weights and optimizer state is the uninterrupted run, bit for bit', () => {
    const whole = run(20);
    const continued = run(10, run(10), 10);
    expect(continued.weights).toEqual(whole.weights);
    expect(continued.first).toEqual(whole.first);
    expect(continued.second).toEqual(whole.second);
    expect(continued.accBeta).toEqual(whole.accBeta);
  });
});

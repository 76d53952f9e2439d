/**
 * The wasm backend's training kernels checked against the CPU backend, in Node. The wasm backend
 * loads its .wasm binaries from node_modules by file path; tf.setBackend is global, so every
 * computation names its backend through `on()`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLeNet5, type Activation, type ModelPreset } from '../../src/model/lenet5';
import { applyForTraining, crossEntropy, FusedAdamOptimizer } from '../../src/model/training';
import { FUSED_ADAM, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/model/wasmKernels';

type Backend = 'cpu' | 'wasm';

/** Relative error as one number: max|actual - expected| / max(max|expected|, 1e-6). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/** Seeded uniform numbers in [lo, hi), rounded to multiples of `step` when given (to make ties). */
function randomValues(count: number, seed: number, lo = -1, hi = 1, step = 0): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    const v = lo + u * (hi - lo);
    out[i] = step > 0 ? Math.floor(v / step) * step : v;
  }
  return out;
}

async function on<T>(backend: Backend, fn: () => T): Promise<T> {
  if (tf.getBackend() !== backend) expect(await tf.setBackend(backend)).toBe(true);
  await tf.ready();
  return fn();
}

const worst = { conv: 0, convInput: 0, matMul: 0, pool: 0, tanh: 0, lenet: 0 };
/** The smallest error of the conv layers' gradients with the stock kernels, over the tanh setups. */
let stockLenetBest = Infinity;
let stockMaxPoolGrad: tf.KernelFunc;
let missingConvGradError = '';

beforeAll(async () => {
  // Threads need a Worker built from a Blob URL, which Node lacks (tfjs already says no on Node).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Node's Emscripten loader reads the binary with fs, so a plain directory path with a trailing separator works.
  const wasmDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(wasmDir + path.sep);
  await on('wasm', () => undefined);
  // Kept before registering ours; its setupFunc ran when the backend started, so it still works.
  stockMaxPoolGrad = tf.getKernel(tf.MaxPoolGrad, 'wasm')!.kernelFunc;
  try {
    tf.tidy(() => tf.grad((w) => tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'))(tf.ones([2, 2, 1, 1])));
  } catch (error) {
    missingConvGradError = String(error);
  }
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
}, 30_000);

describe('the stock wasm kernels', () => {
  it('lack Conv2DBackpropFilter', () => {
    expect(missingConvGradError).toContain("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
  });

  it('give all-negative max-pool windows no gradient, unlike the CPU backend (and ours)', async () => {
    const shape: [number, number, number, number] = [2, 4, 6, 3];
    const xs = randomValues(2 * 4 * 6 * 3, 7, -2, 0.5, 0.25);
    const dys = randomValues(2 * 2 * 3 * 3, 8, 0.5, 1.5);
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    const grad = (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.grad((t) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(x, dy);
    const cpu = await on('cpu', () => tf.tidy(() => grad(tf.tensor4d(xs, shape), tf.tensor4d(dys, [2, 2, 3, 3])).dataSync()));
    const [stock, ours] = await on('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xs, shape);
        const dy = tf.tensor4d(dys, [2, 2, 3, 3]);
        const output = tf.maxPool(x, 2, 2, 'valid');
        const backend = tf.backend();
        const info = stockMaxPoolGrad({ inputs: { dy, input: x, output }, backend, attrs }) as tf.TensorInfo;
        const values = Float32Array.from(backend.readSync(info.dataId) as Float32Array);
        backend.disposeData(info.dataId);
        return [values, grad(x, dy).dataSync()];
      }),
    );
    // Every window's gradient lands somewhere on the CPU; the stock kernel drops the all-negative ones.
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    expect(sum(cpu)).toBeCloseTo(sum(dys), 3);
    expect(sum(stock)).toBeLessThan(sum(cpu) - 1);
    expect(relativeError(stock, cpu)).toBeGreaterThan(0.5);
    expect(Array.from(ours)).toEqual(Array.from(cpu));
  });
});

/** A convolution case: input shape, kernel size, output channels, stride, padding. */
interface ConvCase {
  x: number[];
  k: [number, number];
  co: number;
  s: number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
}

describe('Conv2DBackpropFilter on wasm', () => {
  const cases: ConvCase[] = [
    { x: [3, 7, 9, 2], k: [3, 3], co: 4, s: 1, pad: 'valid' },
    { x: [3, 7, 9, 2], k: [3, 3], co: 4, s: 1, pad: 'same' },
    { x: [3, 7, 9, 3], k: [3, 3], co: 5, s: 2, pad: 'valid' },
    { x: [3, 7, 9, 3], k: [3, 3], co: 5, s: 2, pad: 'same' },
    { x: [3, 8, 7, 5], k: [2, 4], co: 3, s: 2, pad: 'valid' },
    { x: [3, 8, 7, 5], k: [4, 2], co: 3, s: 2, pad: 'same' },
    { x: [1, 9, 7, 1], k: [5, 5], co: 6, s: 1, pad: 'valid' },
    { x: [3, 7, 9, 2], k: [3, 2], co: 4, s: 2, pad: 1 },
    { x: [2, 9, 7, 3], k: [2, 3], co: 2, s: 3, pad: 'same' },
    {
      x: [3, 7, 9, 2],
      k: [3, 3],
      co: 4,
      s: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 3],
        [0, 0],
      ],
    },
  ];

  it.each(cases)('matches the CPU backend: x $x, kernel $k, stride $s, pad $pad', async ({ x, k, co, s, pad }) => {
    const [b, h, w, ci] = x as [number, number, number, number];
    const filterShape: [number, number, number, number] = [k[0], k[1], ci, co];
    const probe = tf.tidy(() => tf.conv2d(tf.zeros([b, h, w, ci]) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, s, pad));
    const dyShape = probe.shape;
    probe.dispose();
    const xs = randomValues(b * h * w * ci, 1, -1, 1);
    const ws = randomValues(
      filterShape.reduce((p, q) => p * q),
      2,
      -1,
      1,
    );
    const dys = randomValues(
      dyShape.reduce((p, q) => p * q),
      3,
      -1,
      1,
    );
    const dW = () =>
      tf.tidy(() => {
        const f = (filter: tf.Tensor) => tf.conv2d(tf.tensor4d(xs, [b, h, w, ci]), filter as tf.Tensor4D, s, pad);
        return tf.grad(f)(tf.tensor4d(ws, filterShape), tf.tensor4d(dys, dyShape)).dataSync();
      });
    const cpu = await on('cpu', dW);
    const wasm = await on('wasm', dW);
    const error = relativeError(wasm, cpu);
    worst.conv = Math.max(worst.conv, error);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('MaxPoolGrad on wasm', () => {
  const cases: { shape: [number, number, number, number]; size: number; stride: number; pad: 'valid' | 'same' }[] = [
    { shape: [3, 7, 9, 2], size: 2, stride: 2, pad: 'valid' },
    { shape: [3, 8, 8, 5], size: 2, stride: 2, pad: 'valid' },
    { shape: [3, 7, 9, 4], size: 3, stride: 2, pad: 'same' },
    { shape: [3, 7, 9, 3], size: 3, stride: 1, pad: 'same' },
    { shape: [2, 7, 9, 3], size: 2, stride: 2, pad: 'same' },
  ];

  it.each(cases)(
    'equals the CPU backend on ties and negative windows: $shape, $size x $size / $stride $pad',
    async ({ shape, size, stride, pad }) => {
      const count = shape.reduce((p, q) => p * q);
      // Steps of 0.25 below 0.5: many windows are all negative, and many hold a tied maximum.
      const xs = randomValues(count, 4, -2, 0.5, 0.25);
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(shape) as tf.Tensor4D, size, stride, pad).shape);
      const dys = randomValues(
        outShape.reduce((p, q) => p * q),
        5,
        -1,
        1,
      );
      const dx = () =>
        tf.tidy(() => {
          const f = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, size, stride, pad);
          return tf.grad(f)(tf.tensor4d(xs, shape), tf.tensor4d(dys, outShape)).dataSync();
        });
      const cpu = await on('cpu', dx);
      const wasm = await on('wasm', dx);
      worst.pool = Math.max(worst.pool, relativeError(wasm, cpu));
      expect(Array.from(wasm)).toEqual(Array.from(cpu));
    },
  );
});

describe('Conv2DBackpropInput on wasm', () => {
  // Stride 1 runs ours (XNNPACK Conv2D over the flipped filter); stride 2+ hands over to the stock kernel.
  const cases: ConvCase[] = [
    { x: [3, 7, 9, 2], k: [3, 3], co: 4, s: 1, pad: 'valid' },
    { x: [3, 7, 9, 2], k: [3, 3], co: 4, s: 1, pad: 'same' },
    { x: [2, 12, 12, 6], k: [5, 5], co: 16, s: 1, pad: 'valid' },
    { x: [3, 8, 7, 5], k: [2, 4], co: 3, s: 1, pad: 'same' },
    { x: [1, 9, 7, 1], k: [5, 5], co: 6, s: 1, pad: 'valid' },
    // Numeric padding with a square filter: tfjs-core sizes the output of any other with the filter's height.
    { x: [3, 7, 9, 3], k: [5, 5], co: 5, s: 1, pad: 1 },
    { x: [3, 7, 9, 3], k: [3, 3], co: 5, s: 2, pad: 'same' },
    {
      x: [3, 7, 9, 2],
      k: [3, 3],
      co: 4,
      s: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 3],
        [0, 0],
      ],
    },
  ];

  it.each(cases)('matches the CPU backend: x $x, kernel $k, stride $s, pad $pad', async ({ x, k, co, s, pad }) => {
    const [b, h, w, ci] = x as [number, number, number, number];
    const xShape: [number, number, number, number] = [b, h, w, ci];
    const filterShape: [number, number, number, number] = [k[0], k[1], ci, co];
    const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, s, pad).shape);
    const xs = randomValues(b * h * w * ci, 21);
    const ws = randomValues(k[0] * k[1] * ci * co, 22);
    const dys = randomValues(
      dyShape.reduce((p, q) => p * q),
      23,
    );
    const dx = () =>
      tf.tidy(() => {
        const f = (input: tf.Tensor) => tf.conv2d(input as tf.Tensor4D, tf.tensor4d(ws, filterShape), s, pad);
        return tf.grad(f)(tf.tensor4d(xs, xShape), tf.tensor4d(dys, dyShape)).dataSync();
      });
    const cpu = await on('cpu', dx);
    const wasm = await on('wasm', dx);
    const error = relativeError(wasm, cpu);
    worst.convInput = Math.max(worst.convInput, error);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('BatchMatMul on wasm', () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [1, 7, 5], b: [1, 7, 3], ta: true, tb: false },
    { a: [1, 5, 7], b: [1, 3, 7], ta: false, tb: true },
    { a: [3, 7, 5], b: [3, 3, 7], ta: true, tb: true },
    { a: [2, 9, 4], b: [1, 9, 6], ta: true, tb: false },
    { a: [13, 11], b: [1, 13], ta: true, tb: true },
    { a: [64, 256], b: [64, 120], ta: true, tb: false },
    { a: [64, 120], b: [256, 120], ta: false, tb: true },
    { a: [2, 3, 5, 4], b: [2, 3, 6, 4], ta: false, tb: true },
    { a: [3, 6, 5], b: [3, 5, 2], ta: false, tb: false },
  ];

  it.each(cases)('matches the CPU backend: $a x $b, transposeA $ta, transposeB $tb', async ({ a, b, ta, tb }) => {
    const as = randomValues(
      a.reduce((p, q) => p * q),
      31,
    );
    const bs = randomValues(
      b.reduce((p, q) => p * q),
      32,
    );
    const product = () => tf.tidy(() => tf.matMul(tf.tensor(as, a), tf.tensor(bs, b), ta, tb).dataSync());
    const cpu = await on('cpu', product);
    const wasm = await on('wasm', product);
    const error = relativeError(wasm, cpu);
    worst.matMul = Math.max(worst.matMul, error);
    expect(error).toBeLessThan(1e-5);
  });
});

describe('Tanh on wasm', () => {
  it('is within 1e-6 relative of the CPU backend everywhere, special values included', async () => {
    const values = Float32Array.from([
      ...randomValues(4_099, 41, -12, 12),
      ...randomValues(2_001, 42, -1, 1),
      ...randomValues(999, 43, -1e-3, 1e-3),
      ...randomValues(501, 44, -1e-30, 1e-30),
      0,
      -0,
      7.9,
      -7.95,
      20,
      -1e30,
      Infinity,
      -Infinity,
      NaN,
    ]);
    const tanh = () => tf.tidy(() => tf.tanh(tf.tensor1d(values)).dataSync());
    const cpu = await on('cpu', tanh);
    const wasm = await on('wasm', tanh);
    let error = 0;
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(cpu[i]!)) {
        expect(wasm[i], `tanh(${values[i]})`).toBeNaN();
        continue;
      }
      // Element by element: near 0 a small absolute error would still be a large relative one.
      error = Math.max(error, Math.abs(wasm[i]! - cpu[i]!) / Math.max(Math.abs(cpu[i]!), 1e-38));
      expect(Object.is(wasm[i], -0), `sign of tanh(${values[i]})`).toBe(Object.is(cpu[i], -0));
    }
    worst.tanh = error;
    expect(error).toBeLessThan(1e-6);
  });
});

describe('the fused Adam update on wasm', () => {
  const shapes = [[5, 5, 1, 6], [6], [37, 3], [1]];
  const initial = shapes.map((shape, i) =>
    randomValues(
      shape.reduce((p, q) => p * q),
      51 + i,
    ),
  );
  // Gradients with negatives, zeros and a wide range of sizes, different each step.
  const gradientsAt = (step: number) =>
    shapes.map((shape, i) =>
      randomValues(
        shape.reduce((p, q) => p * q),
        61 + 10 * step + i,
        -2,
        2,
        0.125,
      ),
    );

  /** The variables after `steps` Adam steps with the given optimizer, and the optimizer's state. */
  async function train(backend: Backend, makeOptimizer: () => tf.Optimizer, steps = 4) {
    return on(backend, async () => {
      const vars = initial.map((values, i) =>
        tf.tidy(() => tf.variable(tf.tensor(values, shapes[i]), true, `adam_test_${backend}_${i}_${Math.random()}`)),
      );
      const optimizer = makeOptimizer();
      for (let step = 0; step < steps; step++) {
        const grads = tf.tidy(() => gradientsAt(step).map((values, i) => ({ name: vars[i]!.name, tensor: tf.tensor(values, shapes[i]) })));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
      const values = vars.map((v) => Array.from(v.dataSync()));
      const weights = await optimizer.getWeights();
      const state = weights.map((w) => Array.from(w.tensor.dataSync()));
      // getWeights() makes a new tensor for the iteration count; the moments are the optimizer's own.
      optimizer.dispose();
      tf.dispose(weights.map((w) => w.tensor));
      tf.dispose(vars);
      return { values, state };
    });
  }
  const keras = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
  const adam = () => tf.train.adam(keras.learningRate, keras.beta1, keras.beta2, keras.epsilon);
  const fused = () => new FusedAdamOptimizer(keras.learningRate, keras.beta1, keras.beta2, keras.epsilon);

  it("gives tf.train.adam's weights and state on the CPU backend, bit for bit", async () => {
    expect(tf.getKernel(FUSED_ADAM, 'wasm')).toBeDefined();
    const reference = await train('cpu', adam);
    const ours = await train('wasm', fused);
    expect(ours.values).toEqual(reference.values);
    expect(ours.state).toEqual(reference.state);
    // And the values moved: a test of an optimizer that does nothing would pass the line above.
    expect(reference.values[0]).not.toEqual(Array.from(initial[0]!));
    // Where the kernel is not registered (CPU, WebGL), it is tf.train.adam itself.
    expect(tf.getKernel(FUSED_ADAM, 'cpu')).toBeUndefined();
    expect((await train('cpu', fused)).values).toEqual(reference.values);
  });

  it('leaks no tensors or wasm buffers', async () => {
    await train('wasm', fused, 1);
    const buffersBefore = await on('wasm', () => tf.backend().numDataIds());
    const before = tf.memory().numTensors;
    await train('wasm', fused, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(await on('wasm', () => tf.backend().numDataIds())).toBe(buffersBefore);
  });
});

describe('LeNet-5 on wasm', () => {
  const batch = 16;
  const images = randomValues(batch * 28 * 28, 11, 0, 1);
  const labels = Float32Array.from({ length: batch * 10 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
  const setups: { preset: ModelPreset; activation: Activation }[] = [
    { preset: 'lenet5', activation: 'tanh' },
    { preset: 'lenet5-classic', activation: 'tanh' },
    { preset: 'lenet5', activation: 'relu' },
  ];
  type Forward = (model: tf.LayersModel, x: tf.Tensor) => tf.Tensor;
  const layersApply: Forward = (model, x) => model.apply(x, { training: true }) as tf.Tensor;

  /** Seeded Glorot-uniform kernels and small random biases (not Keras' zeros, so bias gradients matter too). */
  function seededWeights(setup: (typeof setups)[number]): Float32Array[] {
    const model = buildLeNet5({ ...setup, seed: 1 });
    const weights = model.getWeights().map((w, i) => {
      const fans = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((p, q) => p * q) + w.shape.at(-1)! : 0;
      const limit = fans > 0 ? Math.sqrt(6 / fans) : 0.1;
      return randomValues(w.size, 100 + i, -limit, limit);
    });
    model.dispose();
    return weights;
  }

  /** The preset on the current backend with the weights given by value. */
  function modelWith(setup: (typeof setups)[number], weights: Float32Array[]): tf.Sequential {
    const model = buildLeNet5({ ...setup, seed: 1 });
    const shapes = model.getWeights().map((w) => w.shape);
    model.setWeights(tf.tidy(() => shapes.map((shape, i) => tf.tensor(weights[i]!, shape))));
    return model;
  }

  /** Gradients of the mean categorical cross-entropy for every trainable weight, in layer order. */
  function gradients(model: tf.Sequential, forward: Forward = applyForTraining): Float32Array[] {
    return tf.tidy(() => {
      const xs = tf.tensor4d(images, [batch, 28, 28, 1]);
      const ys = tf.tensor2d(labels, [batch, 10]);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => crossEntropy(ys, forward(model, xs) as tf.Tensor2D), vars);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      return vars.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
    });
  }

  async function gradientsOn(backend: Backend, setup: (typeof setups)[number], weights: Float32Array[], forward?: Forward) {
    return on(backend, () => {
      const model = modelWith(setup, weights);
      const grads = gradients(model, forward);
      model.dispose();
      return grads;
    });
  }

  /** Max relative error of each trainable weight's gradient, in layer order. */
  const errors = (actual: Float32Array[], expected: Float32Array[]) => actual.map((grad, i) => relativeError(grad, expected[i]!));

  it.each(setups)(
    "$preset, $activation: every trainable weight gets the CPU backend's gradient (the stock kernels miss it)",
    async (setup) => {
      const weights = seededWeights(setup);
      const cpu = await gradientsOn('cpu', setup, weights, layersApply);
      expect(cpu).toHaveLength(10);
      // Ours, through the training step's forward pass and through the layers' own.
      for (const forward of [applyForTraining, layersApply]) {
        const wasmErrors = errors(await gradientsOn('wasm', setup, weights, forward), cpu);
        wasmErrors.forEach((error, i) => expect(error, `weight ${i}`).toBeLessThan(1e-4));
        worst.lenet = Math.max(worst.lenet, ...wasmErrors);
      }
      // The stock kernels, plus our Conv2DBackpropFilter which the backend lacks (no gradient at all without it).
      registerWasmTrainingKernels([tf.Conv2DBackpropFilter]);
      try {
        const stockErrors = errors(await gradientsOn('wasm', setup, weights, layersApply), cpu);
        // Weights 0-3 are conv1's and conv2's kernel and bias: the pooling gradient they get is wrong.
        // (After relu, an all-zero window's gradient is multiplied by relu's zero slope: the stock kernel gets away with it.)
        if (setup.activation === 'tanh') {
          stockLenetBest = Math.min(stockLenetBest, Math.max(...stockErrors.slice(0, 4)));
          expect(Math.max(...stockErrors.slice(0, 4))).toBeGreaterThan(1e-2);
        }
      } finally {
        registerWasmTrainingKernels();
      }
    },
  );

  it("skips the gradient of the input images, and gives the layers' own outputs", async () => {
    const setup = setups[0]!;
    const weights = seededWeights(setup);
    const backwardInputConvs = async (forward: Forward) =>
      on('wasm', async () => {
        const model = modelWith(setup, weights);
        const profile = await tf.profile(() => gradients(model, forward));
        model.dispose();
        return profile.kernels.filter((k) => k.name === tf.Conv2DBackpropInput).length;
      });
    expect(await backwardInputConvs(layersApply)).toBe(2);
    expect(await backwardInputConvs(applyForTraining)).toBe(1);
    for (const backend of ['cpu', 'wasm'] as const) {
      const [ours, theirs] = await on(backend, () => {
        const model = modelWith(setup, weights);
        const outputs = tf.tidy(() => {
          const x = tf.tensor4d(images, [batch, 28, 28, 1]);
          return [applyForTraining(model, x).dataSync(), layersApply(model, x).dataSync()];
        });
        model.dispose();
        return outputs;
      });
      expect(relativeError(ours!, theirs!), backend).toBeLessThan(1e-6);
    }
  });

  it('leaks no tensors or wasm buffers when computing and disposing gradients', async () => {
    const setup = setups[1]!;
    const weights = seededWeights(setup);
    await on('wasm', () => {
      const model = modelWith(setup, weights);
      gradients(model);
      // tf.memory() counts only the engine's tensors; a kernel's own temporaries live in the backend.
      const buffersBefore = tf.backend().numDataIds();
      const before = tf.memory();
      for (let i = 0; i < 2; i++) gradients(model);
      gradients(model, layersApply);
      tf.tidy(() => {
        // Every Conv2DBackpropFilter path: crop (valid, stride 2), pad (same), neither; and the input
        // gradient's own path (stride 1) and the stock one it hands over to (stride 2).
        const x = tf.tensor4d(randomValues(3 * 7 * 9 * 2, 6), [3, 7, 9, 2]);
        for (const [s, pad] of [
          [2, 'valid'],
          [2, 'same'],
          [1, 'valid'],
          [1, 'same'],
        ] as const) {
          tf.grads((input, w) => tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, s, pad))([x, tf.ones([3, 3, 2, 4])]).forEach((g) =>
            g.dataSync(),
          );
        }
        // Every BatchMatMul path: either operand transposed, both, neither.
        const a = tf.ones([2, 5, 5]);
        for (const [ta, tb] of [
          [true, false],
          [false, true],
          [true, true],
          [false, false],
        ] as const) {
          tf.matMul(a, a, ta, tb).dataSync();
        }
      });
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
      expect(tf.backend().numDataIds()).toBe(buffersBefore);
      model.dispose();
    });
  });
});

describe('registerWasmTrainingKernels', () => {
  it('is idempotent and leaves our kernels registered', () => {
    const before = tf.getKernel(tf.MaxPoolGrad, 'wasm')!.kernelFunc;
    registerWasmTrainingKernels();
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')!.kernelFunc).toBe(before);
    expect(before).not.toBe(stockMaxPoolGrad);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it('puts the stock kernels back for those left out, and ours again', () => {
    const ours = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm')!.kernelFunc);
    registerWasmTrainingKernels([tf.Conv2DBackpropFilter]);
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')!.kernelFunc).toBe(stockMaxPoolGrad);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')!.kernelFunc).toBe(ours[0]);
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm')!.kernelFunc)).toEqual(ours);
  });

  it('reports the worst relative errors seen', () => {
    console.info(
      `worst relative errors (max|wasm-cpu| / max|cpu|): ${JSON.stringify(worst)}; stock kernels, LeNet conv layers: >= ${stockLenetBest}`,
    );
    expect(worst.conv).toBeLessThan(1e-5);
    expect(worst.lenet).toBeLessThan(1e-4);
  });
});

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
import { registerWasmTrainingKernels } from '../../src/model/wasmKernels';

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

const worst = { conv: 0, pool: 0, lenet: 0 };
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

describe('Conv2DBackpropFilter on wasm', () => {
  const cases: {
    x: number[];
    k: [number, number];
    co: number;
    s: number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  }[] = [
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

describe('LeNet-5 on wasm', () => {
  function lenet(): tf.Sequential {
    return tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: 'tanh' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 120, activation: 'tanh' }),
        tf.layers.dense({ units: 84, activation: 'tanh' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
  }

  const batch = 16;
  const images = randomValues(batch * 28 * 28, 11, 0, 1);
  const labels = Float32Array.from({ length: batch * 10 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));

  /** A fresh LeNet-5 on the current backend with the weights given by value. */
  function modelWith(weights: Float32Array[]): tf.Sequential {
    const model = lenet();
    const shapes = model.getWeights().map((w) => w.shape);
    model.setWeights(tf.tidy(() => shapes.map((shape, i) => tf.tensor(weights[i]!, shape))));
    return model;
  }

  /** Gradients of the mean categorical cross-entropy for every trainable weight, in layer order. */
  function gradients(model: tf.Sequential): Float32Array[] {
    return tf.tidy(() => {
      const xs = tf.tensor4d(images, [batch, 28, 28, 1]);
      const ys = tf.tensor2d(labels, [batch, 10]);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.metrics.categoricalCrossentropy(ys, model.apply(xs) as tf.Tensor)) as tf.Scalar,
        vars,
      );
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      return vars.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
    });
  }

  let weights: Float32Array[] = [];
  let cpuGrads: Float32Array[] = [];

  beforeAll(async () => {
    await on('cpu', () => {
      const model = lenet();
      // Seeded Glorot-uniform kernels and small biases, so the run is repeatable.
      weights = model.getWeights().map((w, i) => {
        const fans = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((p, q) => p * q) + w.shape.at(-1)! : 0;
        const limit = fans > 0 ? Math.sqrt(6 / fans) : 0.1;
        return randomValues(w.size, 100 + i, -limit, limit);
      });
      model.dispose();
      const same = modelWith(weights);
      cpuGrads = gradients(same);
      same.dispose();
    });
  }, 30_000);

  it('gets the same gradients for every trainable weight as the CPU backend', async () => {
    const wasmGrads = await on('wasm', () => {
      const model = modelWith(weights);
      const grads = gradients(model);
      model.dispose();
      return grads;
    });
    expect(wasmGrads).toHaveLength(10);
    wasmGrads.forEach((grad, i) => {
      const error = relativeError(grad, cpuGrads[i]!);
      worst.lenet = Math.max(worst.lenet, error);
      expect(error, `weight ${i}`).toBeLessThan(1e-4);
    });
  });

  it('leaks no tensors or wasm buffers when computing and disposing gradients', async () => {
    await on('wasm', () => {
      const model = modelWith(weights);
      gradients(model);
      // tf.memory() counts only the engine's tensors; a kernel's own temporaries live in the backend.
      const buffersBefore = tf.backend().numDataIds();
      const before = tf.memory();
      for (let i = 0; i < 2; i++) gradients(model);
      tf.tidy(() => {
        // Every Conv2DBackpropFilter path: crop (valid, stride 2), pad (same), neither.
        const x = tf.tensor4d(randomValues(3 * 7 * 9 * 2, 6), [3, 7, 9, 2]);
        for (const [s, pad] of [
          [2, 'valid'],
          [2, 'same'],
          [1, 'valid'],
        ] as const) {
          tf.grad((w) => tf.conv2d(x, w as tf.Tensor4D, s, pad))(tf.ones([3, 3, 2, 4])).dataSync();
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

  it('reports the worst relative errors seen', () => {
    console.info(`worst relative errors (max|wasm-cpu| / max|cpu|): ${JSON.stringify(worst)}`);
    expect(worst.conv).toBeLessThan(1e-5);
  });
});

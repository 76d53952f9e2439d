/**
 * The LeNet Lab engine from TypeScript: one WebAssembly SIMD module (assembly/lenet5.ts) that runs
 * a whole LeNet-5 training step for a batch. This wrapper moves weights and optimizer state
 * between the engine's padded layout and tfjs's (layer order, tfjs shapes), fills batches straight
 * into the engine's memory, and keeps Adam's running beta powers as tfjs does (float32 products).
 *
 * It runs wherever WebAssembly SIMD does (workers, Node); nothing here imports tfjs.
 */
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import { copyDigits, type Pixels } from '../data/sprite';

export type EnginePreset = 'lenet5' | 'lenet5-classic';
export type EngineActivation = 'tanh' | 'relu';

/** The optimizers the engine runs, with Keras' defaults as src/model/training.ts sets them for tfjs. */
export type EngineOptimizer =
  | { name: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number }
  | { name: 'sgd'; learningRate: number }
  | { name: 'rmsprop'; learningRate: number; decay: number; momentum: number; epsilon: number };

export interface EngineConfig {
  preset: EnginePreset;
  activation: EngineActivation;
  /** The largest batch trained or evaluated in one call (memory is laid out for it once). */
  maxBatch: number;
}

/** The largest batch the app lets a user choose (an engine is laid out for the batch it is given, up to this). */
export const ENGINE_MAX_BATCH = 1024;

interface Exports {
  memory: WebAssembly.Memory;
  init(inputSize: number, activation: number, maxBatch: number): void;
  paramCount(): number;
  paramOffset(k: number): number;
  paramsPtr(): number;
  gradsPtr(): number;
  state1Ptr(): number;
  state2Ptr(): number;
  imagesPtr(): number;
  labelsPtr(): number;
  probsPtr(): number;
  lastCorrect(): number;
  gradients(count: number): number;
  predict(count: number): void;
  adam(
    learningRate: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    accBeta1: number,
    accBeta2: number,
  ): void;
  sgd(learningRate: number): void;
  rmsprop(learningRate: number, decay: number, oneMinusDecay: number, momentum: number, epsilon: number): void;
}

/** The tfjs shapes of the ten trainable variables, in layer order (kernel, bias per layer). */
export function tfjsShapes(preset: EnginePreset): number[][] {
  const flat = preset === 'lenet5' ? 4 * 4 * 16 : 5 * 5 * 16;
  return [[5, 5, 1, 6], [6], [5, 5, 6, 16], [16], [flat, 120], [120], [120, 84], [84], [84, NUM_CLASSES], [NUM_CLASSES]];
}

/** WebAssembly SIMD (fixed-width, 128-bit) is there: validates a tiny module that uses a v128 instruction. */
export function wasmSimdSupported(): boolean {
  // (module (func (result v128) (v128.const i32x4 0 0 0 0)))
  const bytes = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 11,
  ]);
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** The compiled module, from its bytes or a URL (the worker gets the URL from Vite). */
export async function compileEngine(source: BufferSource | string | URL): Promise<WebAssembly.Module> {
  if (typeof source === 'string' || source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`the training engine could not be loaded (${response.status} ${response.statusText})`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
  return WebAssembly.compile(source);
}

export type Engine = ReturnType<typeof createEngine>;

/** An engine instance for one preset and activation; weights start at zero until setWeights. */
export function createEngine(module: WebAssembly.Module, config: EngineConfig) {
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort: () => {
        throw new Error('the training engine stopped on an internal check');
      },
    },
  });
  const wasm = instance.exports as unknown as Exports;
  const inputSize = config.preset === 'lenet5' ? IMAGE_SIZE : IMAGE_SIZE + 4;
  if (!(config.maxBatch >= 1 && config.maxBatch <= ENGINE_MAX_BATCH))
    throw new Error(`batch size ${config.maxBatch} is outside 1-${ENGINE_MAX_BATCH}`);
  wasm.init(inputSize, config.activation === 'relu' ? 1 : 0, config.maxBatch);
  const count = wasm.paramCount();
  const shapes = tfjsShapes(config.preset);
  const offsets = shapes.map((_, k) => wasm.paramOffset(k));
  // The memory never grows after init, so these views stay valid.
  const heap = wasm.memory.buffer;
  const block = (pointer: number) => new Float32Array(heap, pointer, count);
  const params = block(wasm.paramsPtr());
  const grads = block(wasm.gradsPtr());
  const state1 = block(wasm.state1Ptr());
  const state2 = block(wasm.state2Ptr());
  const images = new Float32Array(heap, wasm.imagesPtr(), config.maxBatch * PIXELS_PER_IMAGE);
  const labels = new Int32Array(heap, wasm.labelsPtr(), config.maxBatch);
  const probabilities = new Float32Array(heap, wasm.probsPtr(), config.maxBatch * 12);
  /** Adam's beta1^t and beta2^t, kept as tfjs keeps them (a float32 running product). */
  let accBeta: [number, number] | null = null;

  /** Copies tfjs-ordered arrays into a block, padding channels and classes (pads stay zero). */
  function pack(arrays: ArrayLike<number>[], into: Float32Array): void {
    if (arrays.length !== shapes.length) throw new Error(`expected ${shapes.length} arrays, got ${arrays.length}`);
    arrays.forEach((array, k) => {
      const size = shapes[k]!.reduce((a, b) => a * b, 1);
      if (array.length !== size) throw new Error(`variable ${k}: expected ${size} values, got ${array.length}`);
    });
    into.fill(0);
    const [k1, b1, , , , , , , k5, b5] = arrays as Float32Array[];
    for (let tap = 0; tap < 25; tap++) for (let c = 0; c < 6; c++) into[offsets[0]! + tap * 8 + c] = k1![tap * 6 + c]!;
    into.set(b1!, offsets[1]);
    for (const k of [2, 3, 4, 5, 6, 7]) into.set(arrays[k]!, offsets[k]);
    for (let i = 0; i < 84; i++) for (let j = 0; j < NUM_CLASSES; j++) into[offsets[8]! + i * 12 + j] = k5![i * NUM_CLASSES + j]!;
    into.set(b5!, offsets[9]);
  }

  /** A block as tfjs-ordered arrays (copies). */
  function unpack(from: Float32Array): Float32Array[] {
    return shapes.map((shape, k) => {
      const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const at = offsets[k]!;
      if (k === 0) for (let tap = 0; tap < 25; tap++) for (let c = 0; c < 6; c++) out[tap * 6 + c] = from[at + tap * 8 + c]!;
      else if (k === 8)
        for (let i = 0; i < 84; i++) for (let j = 0; j < NUM_CLASSES; j++) out[i * NUM_CLASSES + j] = from[at + i * 12 + j]!;
      else out.set(from.subarray(at, at + out.length));
      return out;
    });
  }

  /** Copies digits order[start .. start + n) into the engine's batch. */
  function fill(source: Pixels, sourceLabels: ArrayLike<number>, order: ArrayLike<number>, start: number, n: number): void {
    if (!(n >= 1 && n <= config.maxBatch)) throw new Error(`a batch of ${n} does not fit the engine (1-${config.maxBatch})`);
    for (let i = 0; i < n; i++) {
      const digit = order[start + i]!;
      copyDigits(source, digit, images, i);
      labels[i] = sourceLabels[digit]!;
    }
  }

  return {
    config,
    shapes,
    setWeights(arrays: ArrayLike<number>[]): void {
      pack(arrays, params);
    },
    getWeights(): Float32Array[] {
      return unpack(params);
    },
    /** The optimizer's variables in tfjs's order (Adam: every m, then every v; RMSprop: mean squares, then moments). */
    getOptimizerState(): { first: Float32Array[]; second: Float32Array[]; accBeta: [number, number] | null } {
      return { first: unpack(state1), second: unpack(state2), accBeta };
    },
    setOptimizerState(state: { first: ArrayLike<number>[]; second: ArrayLike<number>[]; accBeta: [number, number] | null }): void {
      pack(state.first, state1);
      pack(state.second, state2);
      accBeta = state.accBeta;
    },
    /** A fresh optimizer: zero moments, beta powers back at their start. */
    resetOptimizer(): void {
      state1.fill(0);
      state2.fill(0);
      accBeta = null;
    },
    /** The gradient of the mean loss over digits order[start .. start + n), without updating (tests). */
    gradients(source: Pixels, sourceLabels: ArrayLike<number>, order: ArrayLike<number>, start: number, n: number) {
      fill(source, sourceLabels, order, start, n);
      const loss = wasm.gradients(n);
      return { loss, correct: wasm.lastCorrect(), gradients: unpack(grads) };
    },
    /** One optimizer step on digits order[start .. start + n): the batch's mean loss and number correct. */
    trainBatch(
      source: Pixels,
      sourceLabels: ArrayLike<number>,
      order: ArrayLike<number>,
      start: number,
      n: number,
      optimizer: EngineOptimizer,
    ): { loss: number; correct: number } {
      fill(source, sourceLabels, order, start, n);
      const loss = wasm.gradients(n);
      const correct = wasm.lastCorrect();
      applyUpdate(optimizer);
      return { loss, correct };
    },
    /** One optimizer step with given gradients (tfjs-ordered arrays): the update alone, as tfjs's applyGradients. */
    applyGradients(gradients: ArrayLike<number>[], optimizer: EngineOptimizer): void {
      pack(gradients, grads);
      applyUpdate(optimizer);
    },
    /** The 10 probabilities of digits first .. first + n - 1 of `source` (n x 10), by the forward pass alone. */
    predict(source: Pixels, first: number, n: number): Float32Array {
      if (!(n >= 1 && n <= config.maxBatch)) throw new Error(`${n} digits do not fit the engine (1-${config.maxBatch})`);
      copyDigits(source, first, images, 0, n);
      wasm.predict(n);
      const out = new Float32Array(n * NUM_CLASSES);
      for (let i = 0; i < n; i++) out.set(probabilities.subarray(i * 12, i * 12 + NUM_CLASSES), i * NUM_CLASSES);
      return out;
    },
    /** Bytes of the engine's memory (it is laid out once, so this stays flat). */
    memoryBytes: () => wasm.memory.buffer.byteLength,
  };

  function applyUpdate(optimizer: EngineOptimizer): void {
    const f = Math.fround;
    switch (optimizer.name) {
      case 'adam': {
        // tfjs starts both powers at beta (one step's worth) and multiplies after each step.
        const [acc1, acc2] = accBeta ?? [f(optimizer.beta1), f(optimizer.beta2)];
        const { learningRate, beta1, beta2, epsilon } = optimizer;
        wasm.adam(learningRate, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, acc1, acc2);
        accBeta = [f(acc1 * f(optimizer.beta1)), f(acc2 * f(optimizer.beta2))];
        return;
      }
      case 'sgd':
        wasm.sgd(optimizer.learningRate);
        return;
      case 'rmsprop':
        wasm.rmsprop(optimizer.learningRate, optimizer.decay, 1 - optimizer.decay, optimizer.momentum, optimizer.epsilon);
        return;
    }
  }
}

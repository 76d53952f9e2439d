/**
 * JavaScript kernels that let tfjs-backend-wasm 4.22.0 train LeNet-5 correctly, without rebuilding
 * its .wasm binary. They run wherever the wasm backend runs (browser, Web Worker, Node).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const BACKEND = 'wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The wasm backend's own kernels that ours replace, kept so ours can hand them what they do well. */
const stockKernels = new Map<string, tf.KernelConfig>();

/** The wasm backend's own kernel `name`, looked up at call time so its setupFunc has already run. */
function wasmKernel(name: string): tf.KernelFunc {
  const config = stockKernels.get(name) ?? tf.getKernel(name, BACKEND);
  if (config === undefined) {
    throw new Error(`Kernel '${name}' is not registered for backend '${BACKEND}': import '@tensorflow/tfjs-backend-wasm' first.`);
  }
  return config.kernelFunc;
}

/** Runs one of the wasm backend's kernels that is known to return a single tensor. */
function run(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const out = wasmKernel(name)({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`Kernel '${name}' returned ${out.length} tensors where one was expected.`);
  return out;
}

function pair(value: number | [number, number], what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (value.length !== 2) throw new Error(`${what} must be a number or a pair, got [${value.join(', ')}].`);
  return value;
}

function shape4(info: tf.TensorInfo, what: string): [number, number, number, number] {
  const [a, b, c, d] = info.shape;
  if (info.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${what} must have rank 4, got shape [${info.shape.join(', ')}].`);
  }
  return [a, b, c, d];
}

// Fixes "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" (tfjs-backend-wasm 4.22.0 lacks it).
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as unknown as tf.Conv2DBackpropFilterInputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs inputs x and dy.');
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'.`);
  }
  const [batch, inHeight, inWidth, inChannels] = shape4(x, 'Conv2DBackpropFilter x');
  const [dyBatch, outHeight, outWidth, outChannels] = shape4(dy, 'Conv2DBackpropFilter dy');
  const [filterHeight, filterWidth, filterIn, filterOut] = attrs.filterShape;
  const [strideHeight, strideWidth] = pair(attrs.strides, 'Conv2DBackpropFilter strides');
  if (dyBatch !== batch || filterIn !== inChannels || filterOut !== outChannels) {
    throw new Error(
      `Conv2DBackpropFilter shapes disagree: x [${x.shape.join(', ')}], dy [${dy.shape.join(', ')}], ` +
        `filterShape [${attrs.filterShape.join(', ')}].`,
    );
  }
  // The same padding the forward Conv2D used (tfjs-core's own rule, 'same' included).
  const info = tf.backend_util.computeConv2DInfo(
    [batch, inHeight, inWidth, inChannels],
    attrs.filterShape,
    [strideHeight, strideWidth],
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (info.outHeight !== outHeight || info.outWidth !== outWidth) {
    throw new Error(
      `Conv2DBackpropFilter: dy is ${outHeight}x${outWidth} but the forward convolution gives ` + `${info.outHeight}x${info.outWidth}.`,
    );
  }
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) throw new Error(`Conv2DBackpropFilter: negative padding (${top}, ${left}) is not supported.`);

  // dW[kh,kw,ci,co] = sum over b,oh,ow of xPadded[b, oh*s+kh, ow*s+kw, ci] * dy[b,oh,ow,co]: a stride-1
  // convolution of x as [ci, H, W, b] with dy as an [oh, ow, b, co] filter dilated by the stride.
  // It reads padded rows -top .. neededHeight-top-1 only; rows past them would widen the output.
  const neededHeight = (outHeight - 1) * strideHeight + filterHeight;
  const neededWidth = (outWidth - 1) * strideWidth + filterWidth;
  const usedHeight = Math.min(inHeight, neededHeight - top);
  const usedWidth = Math.min(inWidth, neededWidth - left);
  if (usedHeight <= 0 || usedWidth <= 0) throw new Error('Conv2DBackpropFilter: the padding leaves no input to convolve.');
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temps.push(t), t);
  try {
    const cropped =
      usedHeight < inHeight || usedWidth < inWidth
        ? keep(run('Slice', backend, { x }, { begin: [0, 0, 0, 0], size: [batch, usedHeight, usedWidth, inChannels] }))
        : x;
    const xT = keep(run('Transpose', backend, { x: cropped }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }));
    const padding: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [top, neededHeight - top - usedHeight],
      [left, neededWidth - left - usedWidth],
      [0, 0],
    ];
    const conv = keep(
      run(
        'Conv2D',
        backend,
        { x: xT, filter: dyT },
        { strides: [1, 1], dilations: [strideHeight, strideWidth], pad: padding, dataFormat: 'NHWC' },
      ),
    );
    const expected = [inChannels, filterHeight, filterWidth, outChannels];
    if (conv.shape.some((size, i) => size !== expected[i])) {
      throw new Error(`Conv2DBackpropFilter: got [${conv.shape.join(', ')}] where [${expected.join(', ')}] was expected.`);
    }
    return run('Transpose', backend, { x: conv }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

// Fixes the stock wasm MaxPoolGrad, whose running max starts at FLT_MIN (windows <= 0 get no gradient) and lets the last tie win.
function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs as unknown as tf.MaxPoolGradInputs;
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs inputs dy and input.');
  const info = tf.backend_util.computePool2DInfo(
    shape4(input, 'MaxPoolGrad input'),
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  if (dy.shape.some((size, i) => size !== info.outShape[i])) {
    throw new Error(`MaxPoolGrad: dy is [${dy.shape.join(', ')}] but pooling gives [${info.outShape.join(', ')}].`);
  }

  // Allocate first: growing the wasm heap detaches earlier views of it.
  const out = backend.makeOutput(input.shape, 'float32');
  const xs = backend.typedArrayFromHeap(input);
  const dys = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  // Overlapping windows can send several gradients to one pixel: sum them in double precision and in
  // the CPU backend's order, so the result rounds exactly as the CPU's does.
  const overlap = strideHeight < effectiveFilterHeight || strideWidth < effectiveFilterWidth;
  const sums = overlap ? new Float64Array(dx.length) : dx;
  const maxValue = new Float64Array(channels);
  const maxIndex = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    const batchOffset = b * inHeight * inWidth * channels;
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - top;
      const rMin = Math.max(0, rCorner);
      const rMax = Math.min(inHeight, rCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - left;
        const cMin = Math.max(0, cCorner);
        const cMax = Math.min(inWidth, cCorner + effectiveFilterWidth);
        maxValue.fill(-Infinity);
        maxIndex.fill(-1);
        // Window order, strict '>': the first maximum wins and NaN never does, as in tfjs-backend-cpu.
        for (let r = rMin; r < rMax; r++) {
          for (let c = cMin; c < cMax; c++) {
            const pixel = batchOffset + (r * inWidth + c) * channels;
            for (let d = 0; d < channels; d++) {
              const value = xs[pixel + d]!;
              if (value > maxValue[d]!) {
                maxValue[d] = value;
                maxIndex[d] = pixel + d;
              }
            }
          }
        }
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) {
          const at = maxIndex[d]!;
          if (at >= 0) sums[at] = sums[at]! + dys[dyOffset + d]!;
        }
      }
    }
  }
  if (sums !== dx) dx.set(sums);
  return out;
}

// Replaces the stock wasm Conv2DBackpropInput (a direct C loop, ~4x slower) by the backend's own XNNPACK Conv2D over a flipped filter.
function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as unknown as tf.Conv2DBackpropInputInputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput needs inputs dy and filter.');
  const [strideHeight, strideWidth] = pair(attrs.strides, 'Conv2DBackpropInput strides');
  const [filterHeight, filterWidth, inChannels, outChannels] = shape4(filter, 'Conv2DBackpropInput filter');
  const [batch, inHeight, inWidth, xChannels] = attrs.inputShape;
  // Strided convolutions would need dy dilated by the stride, which the wasm Conv2D cannot do: the stock kernel is right, only slower.
  if (strideHeight !== 1 || strideWidth !== 1 || (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC')) {
    return wasmKernel(tf.Conv2DBackpropInput)(args) as tf.TensorInfo;
  }
  const info = tf.backend_util.computeConv2DInfo(
    [batch, inHeight, inWidth, xChannels],
    [filterHeight, filterWidth, inChannels, outChannels],
    [1, 1],
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expectedDy = [batch, info.outHeight, info.outWidth, outChannels];
  if (xChannels !== inChannels || dy.shape.some((size, i) => size !== expectedDy[i])) {
    throw new Error(
      `Conv2DBackpropInput shapes disagree: inputShape [${attrs.inputShape.join(', ')}], dy [${dy.shape.join(', ')}], ` +
        `filter [${filter.shape.join(', ')}].`,
    );
  }
  // dx[i] = sum over k of dy[i + top - k] * w[k]: a correlation of dy, padded by (filter - 1 - top)
  // before and by whatever makes the output inHeight after, with the filter flipped in space.
  const padTop = filterHeight - 1 - info.padInfo.top;
  const padLeft = filterWidth - 1 - info.padInfo.left;
  const padBottom = inHeight + filterHeight - 1 - info.outHeight - padTop;
  const padRight = inWidth + filterWidth - 1 - info.outWidth - padLeft;
  // Padding wider than the filter (which the wasm forward Conv2D mishandles anyway): the stock kernel.
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    return wasmKernel(tf.Conv2DBackpropInput)(args) as tf.TensorInfo;
  }
  // The flipped filter, [fh, fw, outChannels, inChannels]: small (2,400 values for LeNet's conv2), so a JS loop.
  const flipped = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
  try {
    const source = backend.typedArrayFromHeap(filter);
    const target = backend.typedArrayFromHeap(flipped);
    for (let r = 0; r < filterHeight; r++) {
      for (let c = 0; c < filterWidth; c++) {
        const from = (r * filterWidth + c) * inChannels * outChannels;
        const to = ((filterHeight - 1 - r) * filterWidth + (filterWidth - 1 - c)) * outChannels * inChannels;
        for (let i = 0; i < inChannels; i++) {
          for (let o = 0; o < outChannels; o++) target[to + o * inChannels + i] = source[from + i * outChannels + o]!;
        }
      }
    }
    const padding: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ];
    return run('Conv2D', backend, { x: dy, filter: flipped }, { strides: [1, 1], dilations: [1, 1], pad: padding, dataFormat: 'NHWC' });
  } finally {
    backend.disposeData(flipped.dataId);
  }
}

// Replaces the stock wasm BatchMatMul for transposed operands (a slow generic loop) by a Transpose, then its fast XNNPACK path.
function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { a, b } = args.inputs as unknown as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (a === undefined || b === undefined) throw new Error('BatchMatMul needs inputs a and b.');
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return wasmKernel(tf.BatchMatMul)(args) as tf.TensorInfo;
  }
  const swapLastTwo = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const temps: tf.TensorInfo[] = [];
  try {
    const aT = transposeA ? run('Transpose', backend, { x: a }, { perm: swapLastTwo(a.shape.length) }) : a;
    if (transposeA) temps.push(aT);
    const bT = transposeB ? run('Transpose', backend, { x: b }, { perm: swapLastTwo(b.shape.length) }) : b;
    if (transposeB) temps.push(bT);
    return run(tf.BatchMatMul, backend, { a: aT, b: bT }, { transposeA: false, transposeB: false });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

// Eigen's float tanh: an odd rational function, clamped where tanh rounds to +-1 in float32.
const TANH_CLAMP = 7.90531110763549805;
const [A1, A3, A5, A7, A9, A11, A13] = [
  4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13,
  -2.76076847742355e-16,
].map(Math.fround) as [number, number, number, number, number, number, number];
const [B0, B2, B4, B6] = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6].map(Math.fround) as [
  number,
  number,
  number,
  number,
];

// Replaces the stock wasm Tanh (one libm call per element, ~2x slower) by Eigen's rational approximation, within 2.4e-7 relative.
function tanh(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x } = args.inputs as unknown as tf.TanhInputs;
  if (x === undefined) throw new Error('Tanh needs input x.');
  if (x.dtype !== 'float32') return wasmKernel(tf.Tanh)(args) as tf.TensorInfo;
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = backend.typedArrayFromHeap(x);
  const ys = backend.typedArrayFromHeap(out);
  for (let i = 0; i < xs.length; i++) {
    const value = xs[i]!;
    // NaN stays NaN: both comparisons are false.
    const t = value > TANH_CLAMP ? TANH_CLAMP : value < -TANH_CLAMP ? -TANH_CLAMP : value;
    const t2 = t * t;
    ys[i] = (t * (A1 + t2 * (A3 + t2 * (A5 + t2 * (A7 + t2 * (A9 + t2 * (A11 + t2 * A13))))))) / (B0 + t2 * (B2 + t2 * (B4 + t2 * B6)));
  }
  return out;
}

/** Our own kernel: one Adam step of one variable, as tf.train.adam computes it op by op. */
export const FUSED_ADAM = 'LeNetLabFusedAdam';

/** Attributes of FUSED_ADAM; its inputs are value, gradient, m, v, accBeta1, accBeta2 and its outputs the new value, m and v. */
export interface FusedAdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

// One kernel per variable instead of tf.train.adam's ~17 small ones (each with its own dispatch and temporary tensor).
function fusedAdam(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { value, gradient, m, v, accBeta1, accBeta2 } = args.inputs;
  const { learningRate, beta1, beta2, epsilon } = args.attrs as unknown as FusedAdamAttrs;
  if (!value || !gradient || !m || !v || !accBeta1 || !accBeta2)
    throw new Error(`${FUSED_ADAM} needs value, gradient, m, v, accBeta1, accBeta2.`);
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const [newValues, newMs, newVs] = outs.map((t) => backend.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
  const [values, gradients, ms, vs] = [value, gradient, m, v].map((t) => backend.typedArrayFromHeap(t)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  // Every operation rounds to float32 as tfjs's separate kernels do, so the result is theirs bit for bit.
  const f = Math.fround;
  const oneMinusAccBeta1 = f(1 - backend.typedArrayFromHeap(accBeta1)[0]!);
  const oneMinusAccBeta2 = f(1 - backend.typedArrayFromHeap(accBeta2)[0]!);
  const [b1, c1, b2, c2] = [f(beta1), f(1 - beta1), f(beta2), f(1 - beta2)];
  const [eps, step] = [f(epsilon), f(-learningRate)];
  for (let i = 0; i < values.length; i++) {
    const g = gradients[i]!;
    const newM = f(f(ms[i]! * b1) + f(g * c1));
    const newV = f(f(vs[i]! * b2) + f(f(g * g) * c2));
    newMs[i] = newM;
    newVs[i] = newV;
    const corrected = f(f(newM / oneMinusAccBeta1) / f(f(Math.sqrt(f(newV / oneMinusAccBeta2))) + eps));
    newValues[i] = f(f(corrected * step) + values[i]!);
  }
  return outs;
}

/** Ours, each with the stock kernel's setupFunc (when there is one), so the stock kernel still works where ours hands over to it. */
const kernels: tf.KernelConfig[] = (
  [
    [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
    [tf.Conv2DBackpropInput, conv2DBackpropInput],
    [tf.MaxPoolGrad, maxPoolGrad],
    [tf.BatchMatMul, batchMatMul],
    [tf.Tanh, tanh],
    [FUSED_ADAM, fusedAdam],
  ] as const
).map(([kernelName, kernelFunc]) => ({
  kernelName,
  backendName: BACKEND,
  kernelFunc: kernelFunc as tf.KernelFunc,
  setupFunc: ((backend) => stockKernels.get(kernelName)?.setupFunc?.(backend)) as tf.KernelSetupFunc,
}));

/** The names of the kernels registerWasmTrainingKernels() registers. */
export const WASM_TRAINING_KERNELS: readonly string[] = kernels.map((k) => k.kernelName);

/**
 * Registers JS kernels that let the wasm backend train conv nets correctly and fast; idempotent,
 * before or after setBackend('wasm'). `only` registers some of them and puts the stock kernels back
 * for the others (to compare or profile them).
 */
export function registerWasmTrainingKernels(only: readonly string[] = WASM_TRAINING_KERNELS): void {
  // Importing the wasm backend registers its stock kernels, overwriting ours if that came later.
  if (tf.getKernel(tf.Conv2D, BACKEND) === undefined) {
    throw new Error("registerWasmTrainingKernels: import '@tensorflow/tfjs-backend-wasm' before calling it.");
  }
  for (const ours of kernels) {
    const current = tf.getKernel(ours.kernelName, BACKEND);
    if (current !== undefined && current.kernelFunc !== ours.kernelFunc) stockKernels.set(ours.kernelName, current);
    const wanted = only.includes(ours.kernelName) ? ours : stockKernels.get(ours.kernelName);
    if (current?.kernelFunc === wanted?.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(ours.kernelName, BACKEND);
    if (wanted !== undefined) tf.registerKernel(wanted);
  }
}

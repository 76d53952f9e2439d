/**
 * The arithmetic behind the teaching views, kept pure so it is unit-tested: slicing a layer's
 * output into its channels, the colour scales, and one step of a convolution worked by hand.
 */

export type Rgb = [number, number, number];

/** Channel `c` of a channels-last [height, width, channels] array, as height*width values. */
export function channel(values: Float32Array, shape: readonly number[], c: number): Float32Array {
  const [height = 1, width = 1, channels = 1] = shape;
  const out = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) out[i] = values[i * channels + c]!;
  return out;
}

/** Kernel `out` of a conv layer's [kh, kw, in, out] weights, for input channel `inChannel`, as kh*kw values. */
export function kernelSlice(kernel: Float32Array, shape: readonly number[], inChannel: number, out: number): Float32Array {
  const [kh = 1, kw = 1, ins = 1, outs = 1] = shape;
  const slice = new Float32Array(kh * kw);
  for (let i = 0; i < kh * kw; i++) slice[i] = kernel[(i * ins + inChannel) * outs + out]!;
  return slice;
}

/** The largest magnitude in `values` (1 when all are 0, so a scale never divides by 0). */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  return max || 1;
}

// Ends and middle of a blue-white-orange scale (ColorBrewer PuOr's orange and a blue): negative
// and positive stay apart for every common colour-vision deficiency, and white is zero.
const NEGATIVE: Rgb = [33, 102, 172];
const ZERO: Rgb = [247, 247, 247];
const POSITIVE: Rgb = [230, 97, 1];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as Rgb;

/** Colour of `value` on a diverging scale from -range (blue) through 0 (white) to +range (orange). */
export function diverging(value: number, range: number): Rgb {
  const t = Math.max(-1, Math.min(1, value / range));
  return t < 0 ? mix(ZERO, NEGATIVE, -t) : mix(ZERO, POSITIVE, t);
}

/** The window, the products and the sums of one output pixel of a single-channel convolution. */
export interface ConvStep {
  /** Top-left corner of the window in the input. */
  x: number;
  y: number;
  window: number[];
  products: number[];
  sum: number;
  /** sum + bias. */
  z: number;
  /** activation(z): the feature map's value at (x, y). */
  output: number;
}

export const ACTIVATIONS: Record<string, (z: number) => number> = {
  tanh: Math.tanh,
  relu: (z) => Math.max(0, z),
  linear: (z) => z,
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
};

/**
 * Output pixel `position` (row-major over the valid output) of a k x k convolution of a
 * single-channel `input` (size x size) with `kernel` (k*k, row-major), worked as a class would.
 */
export function convStep(
  input: Float32Array,
  size: number,
  kernel: Float32Array,
  k: number,
  bias: number,
  activation: string,
  position: number,
): ConvStep {
  const outSize = size - k + 1;
  const x = position % outSize;
  const y = Math.floor(position / outSize);
  const window: number[] = [];
  const products: number[] = [];
  let sum = 0;
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = input[(y + r) * size + x + c]!;
      const p = v * kernel[r * k + c]!;
      window.push(v);
      products.push(p);
      sum += p;
    }
  }
  const z = sum + bias;
  return { x, y, window, products, sum, z, output: (ACTIVATIONS[activation] ?? ACTIVATIONS.linear!)(z) };
}

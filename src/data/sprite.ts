import { IMAGE_SIZE, PIXELS_PER_IMAGE } from './mnist';
import type { GrayImage } from './mnistLoader';

/**
 * Copies `count` digits out of a tile-grid sprite (`columns` tiles a row) into `out`, one
 * IMAGE_SIZE x IMAGE_SIZE block of bytes per digit, starting at digit `outIndex`. A plain loop: a
 * subarray and a set() per 28-byte row cost about four times as much (280,000 of each a sprite).
 */
export function extractTiles(image: GrayImage, columns: number, count: number, out: Uint8Array, outIndex: number): void {
  const { gray, width } = image;
  const stride = image.stride ?? width;
  const offset = image.offset ?? 0;
  for (let i = 0; i < count; i++) {
    const x0 = (i % columns) * IMAGE_SIZE;
    const y0 = Math.floor(i / columns) * IMAGE_SIZE;
    let dst = (outIndex + i) * PIXELS_PER_IMAGE;
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const src = offset + (y0 + y) * stride + x0;
      for (let x = 0; x < IMAGE_SIZE; x++) out[dst++] = gray[src + x]!;
    }
  }
}

/** Bytes (0-255) to pixels in [0, 1], as the seed notebook does (`x /= 255`). */
export function bytesToPixels(bytes: Uint8Array): Float32Array {
  const pixels = new Float32Array(bytes.length);
  // A table of the 256 quotients: the same floats as dividing each byte, about twice as fast.
  const table = BYTE_TO_PIXEL;
  for (let i = 0; i < bytes.length; i++) pixels[i] = table[bytes[i]!]!;
  return pixels;
}

/** The 256 quotients b / 255: a byte's pixel value, as bytesToPixels makes it. */
export const BYTE_TO_PIXEL = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/**
 * Digits' pixels: in [0, 1] (bytesToPixels), or the data set's bytes themselves, made into the same
 * floats as they are copied. Training reads the bytes: all 60,000 digits as floats are 188 MB,
 * whose first making took 1.3 s of the worker's time at the first Train click (most of it the
 * system handing out fresh memory), for a copy of 64 digits a step.
 */
export type Pixels = Float32Array | Uint8Array;

/** Copies digits from .. from + n - 1 of `source` into `to`, from digit `at` on, as pixels in [0, 1]. */
export function copyDigits(source: Pixels, from: number, to: Float32Array, at: number, n = 1): void {
  const begin = from * PIXELS_PER_IMAGE;
  const end = (from + n) * PIXELS_PER_IMAGE;
  if (source instanceof Float32Array) {
    to.set(source.subarray(begin, end), at * PIXELS_PER_IMAGE);
    return;
  }
  const table = BYTE_TO_PIXEL;
  for (let i = begin, o = at * PIXELS_PER_IMAGE; i < end; i++, o++) to[o] = table[source[i]!]!;
}

/** Pixels in [0, 1] back to bytes (0-255); exact for pixels made by bytesToPixels. */
export function pixelsToBytes(pixels: Float32Array): Uint8Array {
  const bytes = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.round(pixels[i]! * 255);
  return bytes;
}

/** Indices of the first `perClass` digits of each class, class by class (0s first). */
export function firstIndicesPerClass(labels: Uint8Array, numClasses: number, perClass: number): number[] {
  const picked: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const bucket = picked[labels[i]!];
    if (bucket && bucket.length < perClass) bucket.push(i);
  }
  return picked.flat();
}

/**
 * Copies the digits `order[start .. start + count)` into a batch: pixels into `x`
 * ([count, 28, 28, 1] row-major) and one-hot labels into `y` ([count, numClasses]).
 */
export function fillBatch(
  images: Pixels,
  labels: Uint8Array,
  order: ArrayLike<number>,
  start: number,
  count: number,
  x: Float32Array,
  y: Float32Array,
  numClasses: number,
): void {
  y.fill(0, 0, count * numClasses);
  for (let i = 0; i < count; i++) {
    const index = order[start + i]!;
    copyDigits(images, index, x, i);
    y[i * numClasses + labels[index]!] = 1;
  }
}

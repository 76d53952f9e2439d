/**
 * A teaching run's batches (src/worker/batches.ts, teachingBatches): order indices past the MNIST
 * digits are the class digits, repeated, each copy with its own light change; the MNIST ones are
 * the digits as stored; the same step gives the same batch (a run is reproducible).
 */
import { describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE } from '../../src/data/mnist';
import { mulberry32 } from '../../src/data/random';
import { bytesToPixels } from '../../src/data/sprite';
import { teachingBatches } from '../../src/worker/batches';

const MNIST = 40;
const random = mulberry32(7);
/** Made-up "MNIST" digits: a filled box each, labels 0-9 in turn; `images` are their pixels. */
const bytes = new Uint8Array(MNIST * PIXELS_PER_IMAGE);
for (let d = 0; d < MNIST; d++)
  for (let y = 8; y < 20; y++) for (let x = 10; x < 18; x++) bytes[d * PIXELS_PER_IMAGE + y * 28 + x] = 128 + Math.floor(random() * 128);
const images = bytesToPixels(bytes);
const train = { bytes, labels: Uint8Array.from({ length: MNIST }, (_, i) => i % 10) };
/** Three class digits: a vertical bar each, labelled 7, 7 and 3. */
const classPixels = new Float32Array(3 * PIXELS_PER_IMAGE);
for (let c = 0; c < 3; c++)
  for (let y = 4; y < 24; y++) for (let x = 12 + c; x < 15 + c; x++) classPixels[c * PIXELS_PER_IMAGE + y * 28 + x] = 1;
const teach = { pixels: classPixels, labels: Uint8Array.of(7, 7, 3) };
const settings = { styles: 0, seed: 5, batchSize: 16 };

const copy = (batch: { images: Float32Array; labels: Uint8Array }, n: number) => ({
  images: batch.images.slice(0, n * PIXELS_PER_IMAGE),
  labels: batch.labels.slice(0, n),
});

describe('teaching batches', () => {
  it('draw the class digits for the indices past MNIST, each copy changed a little, and MNIST digits as stored', () => {
    const source = teachingBatches(train, MNIST, teach, settings);
    // MNIST digits 0..3, then class copies 0..8 (three copies of three digits) and MNIST 39.
    const order = Int32Array.from([0, 1, 2, 3, ...Array.from({ length: 9 }, (_, i) => MNIST + i), 39]);
    const batch = copy(source.next(order, 0, order.length, 1), order.length);
    expect(Array.from(batch.labels)).toEqual([0, 1, 2, 3, 7, 7, 3, 7, 7, 3, 7, 7, 3, 9]);
    for (const [i, digit] of [0, 1, 2, 3].entries()) {
      expect(batch.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)).toEqual(
        images.subarray(digit * PIXELS_PER_IMAGE, (digit + 1) * PIXELS_PER_IMAGE),
      );
    }
    const pixelsOf = (i: number) => batch.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
    const ink = (p: Float32Array) => p.reduce((a, b) => a + b, 0);
    let changed = 0;
    for (let i = 4; i < 13; i++) {
      const own = (i - 4) % 3;
      const original = classPixels.subarray(own * PIXELS_PER_IMAGE, (own + 1) * PIXELS_PER_IMAGE);
      // Still that digit: most of its ink where it was.
      let overlap = 0;
      for (let p = 0; p < PIXELS_PER_IMAGE; p++) overlap += Math.min(pixelsOf(i)[p]!, original[p]!);
      expect(overlap / ink(original)).toBeGreaterThan(0.4);
      if (pixelsOf(i).some((v, p) => Math.abs(v - original[p]!) > 1e-6)) changed++;
    }
    expect(changed, 'most copies are changed (80% on average)').toBeGreaterThanOrEqual(5);
  });

  it('give the same batch for the same step and other changes for another step', () => {
    const order = Int32Array.from({ length: 12 }, (_, i) => MNIST + i);
    const a = copy(teachingBatches(train, MNIST, teach, settings).next(order, 0, 12, 3), 12);
    const b = copy(teachingBatches(train, MNIST, teach, settings).next(order, 0, 12, 3), 12);
    const c = copy(teachingBatches(train, MNIST, teach, settings).next(order, 0, 12, 4), 12);
    expect(b).toEqual(a);
    expect(c.images).not.toEqual(a.images);
  });
});

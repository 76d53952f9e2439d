/**
 * The statistics that say whether a drawing looks like an MNIST digit to the network: where its ink's
 * centre of mass is, how much ink there is, how big its bounding box is. One function for both
 * sides, so MNIST's digits (from the IDX files) and the drawing pipeline's output are measured alike
 * (tests/unit/centring.test.ts). Pure: no DOM, no tfjs.
 */
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from './mnist';
import { centreOfMass } from './drawing';

export interface DigitStatistics {
  /** Centre of mass, continuous coordinates (pixel i covers [i, i + 1]). */
  centre: [number, number];
  /** Sum of the pixels (0-1 each): ink in pixel units. */
  mass: number;
  /** Bounding box of the pixels above INK_THRESHOLD, in pixels. */
  width: number;
  height: number;
}

/** A pixel counts towards the bounding box from this value: the faint anti-aliased fringe does not. */
export const INK_THRESHOLD = 0.25;

/** The statistics of one IMAGE_SIZE x IMAGE_SIZE image of pixels in [0, 1]. */
export function digitStatistics(pixels: Float32Array): DigitStatistics {
  let mass = 0;
  let minX = IMAGE_SIZE;
  let minY = IMAGE_SIZE;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = pixels[y * IMAGE_SIZE + x]!;
      mass += v;
      if (v >= INK_THRESHOLD) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  return {
    centre: centreOfMass({ width: IMAGE_SIZE, height: IMAGE_SIZE, pixels }),
    mass,
    width: maxX >= minX ? maxX - minX + 1 : 0,
    height: maxY >= minY ? maxY - minY + 1 : 0,
  };
}

/** The mean of each statistic over `count` images stored one after another in `images`. */
export function meanStatistics(images: Float32Array, count: number): DigitStatistics {
  const sum = { cx: 0, cy: 0, mass: 0, width: 0, height: 0 };
  for (let i = 0; i < count; i++) {
    const s = digitStatistics(images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE));
    sum.cx += s.centre[0];
    sum.cy += s.centre[1];
    sum.mass += s.mass;
    sum.width += s.width;
    sum.height += s.height;
  }
  return { centre: [sum.cx / count, sum.cy / count], mass: sum.mass / count, width: sum.width / count, height: sum.height / count };
}

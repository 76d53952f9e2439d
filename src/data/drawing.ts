/**
 * Turns a drawing (vector strokes in canvas pixels) into the 28x28 image the network reads, the way
 * MNIST itself was made (LeCun): size-normalise the digit to fit a 20x20 box keeping its aspect
 * ratio, with anti-aliasing, then place it in 28x28 so that its centre of mass is where MNIST's are.
 *
 * The strokes are re-rasterized from the vectors rather than downscaled from the screen: the pen
 * width is a constant in 28-grid pixels, so a digit drawn small or large gets MNIST-like stroke
 * thickness, and a thin "1" stays thin instead of being stretched into a block. Pure: no DOM.
 */
import { IMAGE_SIZE } from './mnist';

/** A pen position in canvas pixels, x to the right, y downward. */
export type Point = [number, number];
/** One pen-down..pen-up; a single point is a dot (a tap). */
export type Stroke = Point[];

/** A grey image, row-major, values in [0, 1], ink bright on dark. */
export interface GrayImage28 {
  width: number;
  height: number;
  pixels: Float32Array;
}

export interface Preprocessed {
  /** IMAGE_SIZE x IMAGE_SIZE values in [0, 1], ink near 1, background 0: what the network sees. */
  pixels: Float32Array;
  /** The digit fitted into its BOX_SIZE box (longer side BOX_SIZE px, aspect kept), before centring. */
  box: GrayImage28;
  /** Ink bounding box on the canvas (through the stroke centre lines), canvas px. */
  bounds: { x: number; y: number; width: number; height: number };
  /** Where the box's top-left landed in the 28x28 after centre-of-mass centring (whole pixels unless centring is subpixel). */
  shift: [number, number];
}

/** Side of the box the digit is size-normalised into (MNIST: 20 of 28). */
export const BOX_SIZE = 20;
/**
 * Pen width in 28-grid pixels (diameter of the round pen). Chosen on real handwriting: the 1,200 UJI
 * pen digits read by LeNet-5 models trained on MNIST (tests/profile/handwriting.profile.ts) score
 * within noise of each other from 1.6 to 2.2 and fall off from 2.4 (3.0: about 2 points lower);
 * 2.0 is the middle of that plateau.
 */
export const PEN_WIDTH_PX28 = 2.0;
/** Samples per output pixel along each axis for the anti-aliasing (area averaging over SxS). */
export const SUPERSAMPLE = 4;

/** How the digit is moved to put its centre of mass at MNIST_CENTRE. */
export type Centring = 'integer' | 'subpixel';
/**
 * The centring used by default: the exact (subpixel) offset, re-rasterized from the vectors. MNIST
 * moved whole pixels, but its digits' centres of mass average out at MNIST_CENTRE; a drawing has
 * one digit, so it goes where the average is (tests/unit/centring.test.ts checks both means).
 */
export const CENTRING: Centring = 'subpixel';
/**
 * Where MNIST's digits have their centre of mass, in continuous coordinates (pixel i covers
 * [i, i + 1]): the middle of pixel 14, not the field's centre 14.0. LeCun centred on the pixel
 * index; over the 70,000 digits the mean is (14.5, 14.5) within 0.02 px. Half a pixel off shows
 * the network a one-pixel fringe it never saw in training (issue 16: 1-2 points on real handwriting).
 */
export const MNIST_CENTRE = IMAGE_SIZE / 2 + 0.5;

export interface PreprocessOptions {
  /** Pen diameter in 28-grid pixels (default PEN_WIDTH_PX28). */
  penWidth?: number;
  /** 'integer' shifts the box by whole pixels; 'subpixel' re-rasterizes at the exact offset (default CENTRING). */
  centring?: Centring;
  /** Where the centre of mass goes, both axes (default MNIST_CENTRE; 14.0 was the pipeline before issue 16). */
  centre?: number;
}

/** MNIST's recipe on strokes; null when there is no ink (empty drawing gives no prediction). */
export function preprocessStrokes(strokes: Stroke[], options: PreprocessOptions = {}): Preprocessed | null {
  const penWidth = options.penWidth ?? PEN_WIDTH_PX28;
  const centring = options.centring ?? CENTRING;
  if (!(penWidth > 0 && penWidth < BOX_SIZE)) throw new RangeError(`penWidth must be in (0, ${BOX_SIZE}); got ${penWidth}`);

  // Points that are not finite numbers carry no position; drop them rather than poison the sums.
  const clean = strokes.map((stroke) => stroke.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))).filter((s) => s.length > 0);
  if (clean.length === 0) return null;

  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of clean) {
    for (const [x, y] of stroke) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  const width = maxX - minX;
  const height = maxY - minY;
  const longer = Math.max(width, height);
  // Centre lines span BOX_SIZE - penWidth, so the ink (a pen radius beyond them) spans BOX_SIZE.
  // A lone dot has no extent: it stays a pen-sized disc.
  const scale = longer > 0 ? (BOX_SIZE - penWidth) / longer : 0;
  const inkWidth = width * scale + penWidth;
  const inkHeight = height * scale + penWidth;
  const boxWidth = Math.min(BOX_SIZE, Math.ceil(inkWidth - 1e-9));
  const boxHeight = Math.min(BOX_SIZE, Math.ceil(inkHeight - 1e-9));
  const radius = penWidth / 2;
  // Centre the ink within the whole-pixel box along its shorter side.
  const originX = radius + (boxWidth - inkWidth) / 2;
  const originY = radius + (boxHeight - inkHeight) / 2;
  const mapped: Point[][] = clean.map((stroke) => stroke.map(([x, y]): Point => [(x - minX) * scale, (y - minY) * scale]));

  const box: GrayImage28 = { width: boxWidth, height: boxHeight, pixels: rasterize(mapped, boxWidth, boxHeight, radius, originX, originY) };
  const [comX, comY] = centreOfMass(box);
  const centre = options.centre ?? MNIST_CENTRE;
  const clampX = (v: number) => Math.min(IMAGE_SIZE - boxWidth, Math.max(0, v));
  const clampY = (v: number) => Math.min(IMAGE_SIZE - boxHeight, Math.max(0, v));

  let pixels: Float32Array;
  let shift: [number, number];
  if (centring === 'integer') {
    shift = [clampX(Math.round(centre - comX)), clampY(Math.round(centre - comY))];
    pixels = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
    for (let y = 0; y < boxHeight; y++) {
      for (let x = 0; x < boxWidth; x++) pixels[(y + shift[1]) * IMAGE_SIZE + x + shift[0]] = box.pixels[y * boxWidth + x]!;
    }
  } else {
    // Re-rasterize from the vectors at the exact offset: moving by a fraction of a pixel without the blur of resampling.
    shift = [clampX(centre - comX), clampY(centre - comY)];
    pixels = rasterize(mapped, IMAGE_SIZE, IMAGE_SIZE, radius, originX + shift[0], originY + shift[1]);
  }
  return { pixels, box, bounds: { x: minX, y: minY, width, height }, shift };
}

/** Centre of mass of an image in continuous coordinates (pixel i covers [i, i + 1]); its centre if blank. */
export function centreOfMass(image: GrayImage28): [number, number] {
  let total = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.pixels[y * image.width + x]!;
      total += v;
      sumX += v * (x + 0.5);
      sumY += v * (y + 0.5);
    }
  }
  return total > 0 ? [sumX / total, sumY / total] : [image.width / 2, image.height / 2];
}

/**
 * Draws round-capped strokes of the given radius (a lone point is a disc) into a width x height
 * image, points offset by (originX, originY): SUPERSAMPLE^2 samples a pixel, each in or out of the
 * ink, averaged, so edges are anti-aliased and overlapping strokes never exceed 1.
 */
function rasterize(strokes: Point[][], width: number, height: number, radius: number, originX: number, originY: number): Float32Array {
  const s = SUPERSAMPLE;
  const sw = width * s;
  const sh = height * s;
  const mask = new Uint8Array(sw * sh);
  const r2 = radius * radius;
  const paint = (ax: number, ay: number, bx: number, by: number) => {
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    // Sample j sits at (j + 0.5) / s in image pixels; visit only those within the capsule's bounding box.
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx) - radius) * s - 0.5));
    const i1 = Math.min(sw - 1, Math.floor((Math.max(ax, bx) + radius) * s - 0.5));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by) - radius) * s - 0.5));
    const j1 = Math.min(sh - 1, Math.floor((Math.max(ay, by) + radius) * s - 0.5));
    for (let j = j0; j <= j1; j++) {
      const py = (j + 0.5) / s - ay;
      for (let i = i0; i <= i1; i++) {
        const px = (i + 0.5) / s - ax;
        const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
        const ex = px - t * dx;
        const ey = py - t * dy;
        if (ex * ex + ey * ey <= r2) mask[j * sw + i] = 1;
      }
    }
  };
  for (const stroke of strokes) {
    const first = stroke[0];
    if (!first) continue;
    if (stroke.length === 1) paint(first[0] + originX, first[1] + originY, first[0] + originX, first[1] + originY);
    for (let k = 1; k < stroke.length; k++) {
      const a = stroke[k - 1]!;
      const b = stroke[k]!;
      paint(a[0] + originX, a[1] + originY, b[0] + originX, b[1] + originY);
    }
  }
  const pixels = new Float32Array(width * height);
  const area = s * s;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let j = 0; j < s; j++) {
        const row = (y * s + j) * sw + x * s;
        for (let i = 0; i < s; i++) sum += mask[row + i]!;
      }
      pixels[y * width + x] = sum / area;
    }
  }
  return pixels;
}

/**
 * "Varied handwriting": MNIST digits rewritten, on the fly, in styles MNIST's American writers rarely
 * used and students elsewhere do (issue 16): a slash through a zero, a flag (and sometimes a foot)
 * on a one, a bar across a seven; and any digit, now and then, bent a little by a smooth random warp
 * (elastic distortion, Simard et al. 2003) with a small rotation. The worker applies it to each
 * training batch just before the step; the stored data never changes.
 *
 * What stays was measured, not guessed, on UJI writers 0-29 with 16 seeds (npm run bench:handwriting,
 * README "Reading handwriting"): the styles and the warp each help only together; fours with a
 * closed top or a short stem (tried) cost MNIST accuracy and did not help, so they are not here;
 * nor, tried later (8 seeds), twos with a looped corner, fours drawn from scratch as a "Ч", or a slant in the warp.
 * Pure: typed arrays in, typed arrays out; no DOM, no tfjs.
 */
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from './mnist';

/** How often each addition is applied to a digit of its class (0 turns it off). */
export interface StyleRates {
  /** A slash through a 0. */
  slashedZero: number;
  /** A flag on a 1 (half of them also get a foot). */
  flaggedOne: number;
  /** A bar across a 7. */
  crossedSeven: number;
  /** A smooth random warp and a small rotation, any digit. */
  elastic: number;
  /** How far the warp moves a control point at most (pixels), and the largest rotation (degrees). */
  warpPx?: number;
  rotationDeg?: number;
}

/** The rates "Varied handwriting" uses. */
export const STYLE_RATES: StyleRates = {
  slashedZero: 0.3,
  flaggedOne: 0.5,
  crossedSeven: 0.4,
  elastic: 0.5,
};

const N = IMAGE_SIZE;

/** Scratch space for one digit; make one per batch pipeline and reuse it. */
export function createStyleScratch() {
  return { image: new Float32Array(PIXELS_PER_IMAGE), field: new Float32Array(2 * 6 * 6) };
}
export type StyleScratch = ReturnType<typeof createStyleScratch>;

/** Rewrites one digit (IMAGE_SIZE^2 pixels in [0, 1], changed in place) in a style for its class, by the rates. */
export function varyDigit(pixels: Float32Array, label: number, random: () => number, scratch: StyleScratch, rates = STYLE_RATES): void {
  let changed = false;
  // The ink's box only for a digit about to get a style: most digits of a batch need none.
  const styled = (rate: number) => random() < rate && inkBox(pixels);
  if (label === 0) {
    const ink = styled(rates.slashedZero);
    if (ink) changed = slashZero(pixels, ink, random);
  } else if (label === 1) {
    const ink = styled(rates.flaggedOne);
    if (ink) changed = flagOne(pixels, ink, random);
  } else if (label === 7) {
    const ink = styled(rates.crossedSeven);
    if (ink) changed = crossSeven(pixels, ink, random);
  }
  // Written that way, the digit would have been fitted to MNIST's 20-pixel box and centred as a whole.
  if (changed) refit(pixels, scratch.image);
  if (random() < rates.elastic) warp(pixels, random, scratch, rates.warpPx ?? WARP_PX, rates.rotationDeg ?? MAX_ROTATION_DEG);
}

interface InkBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounding box of the pixels at or above `minimum` (half ink unless said); null for a blank image. */
function inkBox(pixels: Float32Array, minimum = 0.5): InkBox | null {
  let x0 = N;
  let y0 = N;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++)
      if (pixels[y * N + x]! >= minimum) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** Mean column of the ink at or above half in row y (pixel centres), or -1 if none. */
function inkColumn(pixels: Float32Array, y: number, from = 0, to = N - 1): number {
  let sum = 0;
  let weight = 0;
  for (let x = Math.max(0, from); x <= Math.min(N - 1, to); x++) {
    const v = pixels[y * N + x]!;
    if (v >= 0.5) {
      sum += v * (x + 0.5);
      weight += v;
    }
  }
  return weight > 0 ? sum / weight : -1;
}

/**
 * A pen line from (ax, ay) to (bx, by) (continuous coordinates), radius r, round caps, its edge
 * anti-aliased over one pixel; combined with the digit by max, as ink over ink.
 */
export function penLine(pixels: Float32Array, ax: number, ay: number, bx: number, by: number, r: number): void {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const xLo = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
  const xHi = Math.min(N - 1, Math.ceil(Math.max(ax, bx) + r + 1));
  const yLo = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
  const yHi = Math.min(N - 1, Math.ceil(Math.max(ay, by) + r + 1));
  for (let y = yLo; y <= yHi; y++) {
    for (let x = xLo; x <= xHi; x++) {
      const px = x + 0.5 - ax;
      const py = y + 0.5 - ay;
      const t = len2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / len2)) : 0;
      const d = Math.hypot(px - t * dx, py - t * dy);
      const v = Math.min(1, Math.max(0, r + 0.5 - d));
      const i = y * N + x;
      if (v > pixels[i]!) pixels[i] = v;
    }
  }
}

/** MNIST's strokes are about 2-3 px wide: a pen radius to match. */
const penRadius = (random: () => number) => 0.9 + 0.5 * random();
const between = (random: () => number, lo: number, hi: number) => lo + (hi - lo) * random();

function slashZero(pixels: Float32Array, ink: InkBox, random: () => number): boolean {
  const w = ink.x1 - ink.x0 + 1;
  const h = ink.y1 - ink.y0 + 1;
  if (h < 8) return false;
  // Bottom left to top right, through the middle, reaching to or a little past the ring.
  const inset = between(random, -0.05, 0.2) * w;
  const over = between(random, -0.05, 0.12) * h;
  penLine(pixels, ink.x0 + inset, ink.y1 + 1 + over, ink.x1 + 1 - inset, ink.y0 - over, penRadius(random));
  return true;
}

function flagOne(pixels: Float32Array, ink: InkBox, random: () => number): boolean {
  const h = ink.y1 - ink.y0 + 1;
  const topX = inkColumn(pixels, ink.y0);
  const bottomX = inkColumn(pixels, ink.y1);
  if (h < 10 || topX < 0 || bottomX < 0) return false;
  const r = penRadius(random);
  // The flag: from the top down to the left, 25-65% of the height long, 20-60 degrees below horizontal.
  const length = between(random, 0.25, 0.65) * h;
  const angle = between(random, 0.35, 1.05);
  penLine(pixels, topX, ink.y0 + 0.5, topX - length * Math.cos(angle), ink.y0 + 0.5 + length * Math.sin(angle), r);
  if (random() < 0.5) {
    const half = between(random, 0.15, 0.3) * h;
    const y = ink.y1 + 0.5;
    penLine(pixels, bottomX - half, y, bottomX + half, y + between(random, -0.6, 0.6), r);
  }
  return true;
}

function crossSeven(pixels: Float32Array, ink: InkBox, random: () => number): boolean {
  const h = ink.y1 - ink.y0 + 1;
  const y = Math.round(ink.y0 + between(random, 0.42, 0.58) * h);
  const stem = inkColumn(pixels, y);
  if (h < 10 || stem < 0) return false;
  const half = between(random, 0.15, 0.27) * h;
  const tilt = between(random, -0.08, 0.08) * h;
  penLine(pixels, stem - half, y + 0.5 + tilt, stem + half, y + 0.5 - tilt, penRadius(random));
  return true;
}

/** Fits the ink to MNIST's 20-pixel box (longer side, aspect kept) and puts its centre of mass in pixel 14, as MNIST did. */
function refit(pixels: Float32Array, scratch: Float32Array): void {
  // The faint anti-aliased edge counts: it is part of the stroke MNIST's box held.
  const ink = inkBox(pixels, 0.05);
  if (!ink) return;
  const { x0, y0, x1, y1 } = ink;
  const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const w = Math.max(1, Math.round((x1 - x0 + 1) * scale));
  const h = Math.max(1, Math.round((y1 - y0 + 1) * scale));
  // Resample the box into the top-left w x h of scratch, then move it by its centre of mass.
  scratch.set(pixels);
  pixels.fill(0);
  let total = 0;
  let sx = 0;
  let sy = 0;
  const boxed = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = Math.min(1, bilinear(scratch, x0 + (x + 0.5) / scale - 0.5, y0 + (y + 0.5) / scale - 0.5));
      boxed[y * w + x] = v;
      total += v;
      sx += v * x;
      sy += v * y;
    }
  if (total === 0) return;
  const left = Math.min(N - w, Math.max(0, Math.round(N / 2 - sx / total)));
  const top = Math.min(N - h, Math.max(0, Math.round(N / 2 - sy / total)));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels[(top + y) * N + left + x] = boxed[y * w + x]!;
}

/** MNIST's box for a digit's longer side. */
const BOX = 20;

/** Control points of the warp: a 6x6 grid over the field, a random displacement at each. */
const GRID = 6;
/** The largest displacement at a control point, and the largest rotation. */
const WARP_PX = 1.6;
const MAX_ROTATION_DEG = 12;

/**
 * Elastic distortion: random displacements at a coarse grid, smoothly (bilinearly) interpolated
 * over the field, as Simard's Gaussian-smoothed random field but without its cost; plus a rotation
 * of up to 12 degrees and a scale of 0.9-1.1 about the centre. Resampled bilinearly.
 */
function warp(pixels: Float32Array, random: () => number, scratch: StyleScratch, warpPx: number, rotationDeg: number): void {
  const { image: source, field } = scratch;
  source.set(pixels);
  for (let i = 0; i < field.length; i++) field[i] = (random() * 2 - 1) * warpPx;
  const angle = ((random() * 2 - 1) * rotationDeg * Math.PI) / 180;
  const scale = 0.9 + 0.2 * random();
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const c = N / 2;
  const { corner, weights } = WARP_GRID;
  for (let y = 0, p = 0; y < N; y++) {
    const oy = y + 0.5 - c;
    for (let x = 0; x < N; x++, p++) {
      const k00 = corner[p]!;
      const k10 = k00 + 2;
      const k01 = k00 + 2 * GRID;
      const k11 = k01 + 2;
      const w00 = weights[4 * p]!;
      const w10 = weights[4 * p + 1]!;
      const w01 = weights[4 * p + 2]!;
      const w11 = weights[4 * p + 3]!;
      const dx = w00 * field[k00]! + w10 * field[k10]! + w01 * field[k01]! + w11 * field[k11]!;
      const dy = w00 * field[k00 + 1]! + w10 * field[k10 + 1]! + w01 * field[k01 + 1]! + w11 * field[k11 + 1]!;
      // Where this output pixel's centre comes from in the source (pixel index space).
      const ox = x + 0.5 - c;
      pixels[p] = bilinear(source, c + cos * ox + sin * oy + dx - 0.5, c - sin * ox + cos * oy + dy - 0.5);
    }
  }
}

/** Each pixel's cell of the control grid (the index of its top-left point's x in the field) and its 4 bilinear weights: the same for every warp. */
const WARP_GRID = (() => {
  const corner = new Int32Array(N * N);
  const weights = new Float64Array(4 * N * N);
  const step = (N - 1) / (GRID - 1);
  for (let y = 0, p = 0; y < N; y++) {
    const gy = y / step;
    const j = Math.min(GRID - 2, Math.floor(gy));
    const ty = gy - j;
    for (let x = 0; x < N; x++, p++) {
      const gx = x / step;
      const i = Math.min(GRID - 2, Math.floor(gx));
      const tx = gx - i;
      corner[p] = 2 * (j * GRID + i);
      weights.set([(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty], 4 * p);
    }
  }
  return { corner, weights };
})();

function bilinear(source: Float32Array, x: number, y: number): number {
  // Math.floor for x > -2 (anything further left is outside and 0 either way).
  const x0 = ((x + 2) | 0) - 2;
  const y0 = ((y + 2) | 0) - 2;
  const fx = x - x0;
  const fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 < N - 1 && y0 < N - 1) {
    const top = y0 * N + x0;
    const bottom = top + N;
    return (1 - fy) * ((1 - fx) * source[top]! + fx * source[top + 1]!) + fy * ((1 - fx) * source[bottom]! + fx * source[bottom + 1]!);
  }
  if (x0 < -1 || y0 < -1 || x0 >= N || y0 >= N) return 0;
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < N;
  const top = y0 >= 0 ? y0 * N : -1;
  const bottom = y0 + 1 < N ? (y0 + 1) * N : -1;
  const a = top >= 0 && inX0 ? source[top + x0]! : 0;
  const b = top >= 0 && inX1 ? source[top + x0 + 1]! : 0;
  const c = bottom >= 0 && inX0 ? source[bottom + x0]! : 0;
  const d = bottom >= 0 && inX1 ? source[bottom + x0 + 1]! : 0;
  return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
}

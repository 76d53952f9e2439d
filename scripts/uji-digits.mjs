// @ts-check
/**
 * Real handwriting for the Draw panel's checks: the 1,200 UJI pen digits of
 * tests/fixtures/uji-digits-canvas280.json (60 writers, none of them MNIST's), each placed on the
 * 280 x 280 canvas at a size and a place of its own, as students draw: 40-90% of its 200 px, anywhere
 * inside the canvas. Shared by the end-to-end test and the handwriting benchmark.
 */
import { readFileSync } from 'node:fs';

/** @typedef {[number, number]} Point */
/** @typedef {{ label: number, strokes: Point[][], id: string, writer: string }} UjiDigit */

/** The drawing area's side in its own units (DrawPanel's CANVAS_SIZE). */
export const CANVAS = 280;
/** Keeps the pen inside the canvas. */
const MARGIN = 12;

/** @returns {UjiDigit[]} */
export function loadUjiDigits(path = 'tests/fixtures/uji-digits-canvas280.json') {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The writer (0-59) of a digit: its `writer` names a session, and a writer's two sessions are 2k and 2k + 1.
 * @param {{ writer: string }} digit
 */
export const writerOf = (digit) => Math.floor(Number(/(\d+)$/.exec(digit.writer)?.[1]) / 2);

/**
 * `perClass` digits of each class, spread evenly over the writers, in class order.
 * @param {UjiDigit[]} digits
 * @param {number} perClass at most 120
 */
export function pickDigits(digits, perClass) {
  return Array.from({ length: 10 }, (_, label) => {
    const ofClass = digits.filter((d) => d.label === label);
    const step = ofClass.length / perClass;
    return Array.from({ length: perClass }, (_, i) => /** @type {UjiDigit} */ (ofClass[Math.floor(i * step)]));
  }).flat();
}

const fraction = (/** @type {number} */ x) => x - Math.floor(x);

/**
 * The strokes of the `n`-th digit drawn, scaled and moved. Sizes and places follow a
 * low-discrepancy sequence (R2, Roberts 2018): spread evenly over their ranges, the same every run.
 * @param {UjiDigit} digit
 * @param {number} n
 * @returns {Point[][]}
 */
export function place(digit, n) {
  const points = digit.strokes.flat();
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const factor = 0.4 + 0.5 * fraction(0.5 + (n + 1) * 0.6180339887);
  const [width, height] = [(maxX - minX) * factor, (maxY - minY) * factor];
  const left = MARGIN + fraction(0.5 + (n + 1) * 0.7548776662) * (CANVAS - 2 * MARGIN - width);
  const top = MARGIN + fraction(0.5 + (n + 1) * 0.569840291) * (CANVAS - 2 * MARGIN - height);
  return digit.strokes.map((stroke) =>
    stroke.map(([x, y]) => /** @type {Point} */ ([left + (x - minX) * factor, top + (y - minY) * factor])),
  );
}

/**
 * Digits read right per class, from the labels and what was read.
 * @param {UjiDigit[]} digits
 * @param {string[]} read
 */
export function score(digits, read) {
  const perClass = new Array(10).fill(0);
  digits.forEach((digit, i) => {
    if (read[i] === String(digit.label)) perClass[digit.label]++;
  });
  return { correct: perClass.reduce((a, b) => a + b, 0), perClass };
}

/**
 * Points along a polyline, evenly spaced by length: `n` of them, so two shapes blend point by point.
 * @param {Point[]} points @param {number} n @returns {Point[]}
 */
function resample(points, n) {
  const point = (/** @type {number} */ i) => /** @type {Point} */ (points[i]);
  /** @type {number[]} */
  const lengths = [0];
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [point(i - 1), point(i)];
    lengths.push((lengths[i - 1] ?? 0) + Math.hypot(b[0] - a[0], b[1] - a[1]));
  }
  const length = (/** @type {number} */ i) => lengths[i] ?? 0;
  const total = length(points.length - 1);
  return Array.from({ length: n }, (_, k) => {
    const at = (k / (n - 1)) * total;
    let i = 1;
    while (i < points.length - 1 && length(i) < at) i++;
    const t = (at - length(i - 1)) / (length(i) - length(i - 1) || 1);
    const [a, b] = [point(i - 1), point(i)];
    return /** @type {Point} */ ([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
  });
}

/**
 * An ambiguous drawing for the Draw panel's "not sure": on the 280-unit pad, a 4 with an open top
 * (left arm and bar in one stroke, then the stem) at t = 0, a 9 (a closed loop, then the stem) at
 * t = 1, and the shapes between.
 * @param {number} t in [0, 1] @returns {Point[][]}
 */
export function blendFourNine(t) {
  const unit = (/** @type {Point[]} */ points) => points.map(([x, y]) => /** @type {Point} */ ([60 + x * 160, 40 + y * 200]));
  const four = resample(
    unit([
      [0.35, 0.0],
      [0.05, 0.55],
      [0.95, 0.55],
    ]),
    24,
  );
  const nine = resample(
    unit([
      [0.75, 0.12],
      [0.4, 0.0],
      [0.1, 0.2],
      [0.2, 0.48],
      [0.75, 0.42],
    ]),
    24,
  );
  const loop = four.map(([x, y], i) => {
    const [nx, ny] = /** @type {Point} */ (nine[i]);
    return /** @type {Point} */ ([x + t * (nx - x), y + t * (ny - y)]);
  });
  const stem = unit([
    [0.75 - 0.05 * t, 0.12 * t],
    [0.72, 1.0],
  ]);
  return [loop, stem];
}

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

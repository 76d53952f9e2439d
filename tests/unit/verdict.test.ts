/** The Draw panel's verdict (sure, not sure, not a digit) and the test set's reliability curve, on cases worked by hand. */
import { describe, expect, it } from 'vitest';
import { preprocessStrokes, type Stroke } from '../../src/data/drawing';
import { judgeReading, MAX_INK, notADigit, reliability, SURE_MARGIN, SURE_PROBABILITY, topTwo } from '../../src/data/verdict';

const sevenStrokes: Stroke[] = [
  [
    [60, 60],
    [220, 60],
    [120, 240],
  ],
];
const seven = preprocessStrokes(sevenStrokes)!;
const oneHotish = (digit: number, p: number) => Array.from({ length: 10 }, (_, d) => (d === digit ? p : (1 - p) / 9));

describe('topTwo', () => {
  it('finds the largest and the second, the first of equals winning', () => {
    expect(topTwo([0.1, 0.5, 0.2, 0.5])).toEqual([1, 3]);
    expect(topTwo([0.9, 0.05, 0.05])).toEqual([0, 1]);
    expect(topTwo([0.05, 0.05, 0.9])).toEqual([2, 0]);
    expect(topTwo([1])).toEqual([0, 0]);
  });
});

describe('judgeReading', () => {
  it('names one digit when the top probability is high and far ahead', () => {
    expect(judgeReading(seven, oneHotish(7, 0.97))).toEqual({ kind: 'sure', digit: 7, probability: 0.97 });
    expect(judgeReading(seven, oneHotish(7, SURE_PROBABILITY)).kind).toBe('sure');
  });

  it('is not sure below the probability threshold, or when the second is close', () => {
    expect(judgeReading(seven, oneHotish(7, SURE_PROBABILITY - 0.01)).kind).toBe('unsure');
    const close = new Array(10).fill(0);
    close[4] = 0.55;
    close[9] = 0.45;
    expect(judgeReading(seven, close)).toEqual({ kind: 'unsure', digits: [4, 9], probabilities: [0.55, 0.45] });
    // High, but the second within the margin.
    const near = new Array(10).fill(0);
    near[4] = 0.82;
    near[9] = 0.82 - SURE_MARGIN + 0.01;
    expect(judgeReading(seven, near).kind).toBe('unsure');
  });

  it('calls a dot and a scribble not a digit, whatever the probabilities', () => {
    const dot = preprocessStrokes([[[140, 140]]])!;
    expect(notADigit(dot)).toBe('dot');
    expect(judgeReading(dot, oneHotish(1, 0.99))).toEqual({ kind: 'notDigit', reason: 'dot' });
    // A zigzag filling the pad: far more ink than any MNIST digit.
    const zigzag: Stroke[] = [Array.from({ length: 30 }, (_, i): [number, number] => [40 + (i % 2) * 200, 40 + i * 7])];
    const scribble = preprocessStrokes(zigzag)!;
    expect(scribble.pixels.reduce((a, b) => a + b, 0)).toBeGreaterThan(MAX_INK);
    expect(judgeReading(scribble, oneHotish(8, 0.99))).toEqual({ kind: 'notDigit', reason: 'scribble' });
    expect(notADigit(seven)).toBeNull();
  });
});

describe('reliability', () => {
  it('bins answers by their top probability and counts the right ones', () => {
    // Four answers: 0.97 right, 0.97 wrong, 0.55 right, 0.3 (top) wrong.
    const rows = [oneHotish(3, 0.97), oneHotish(5, 0.97), oneHotish(2, 0.55), oneHotish(0, 0.3)];
    const probabilities = Float32Array.from(rows.flat());
    const labels = [3, 1, 2, 9];
    const { bins, sure } = reliability(probabilities, labels, 4);
    const bin = (from: number) => bins.find((b) => b.from === from)!;
    expect(bin(0.95)).toMatchObject({ count: 2, correct: 1 });
    expect(bin(0.95).confidence).toBeCloseTo(0.97, 6);
    expect(bin(0.5)).toMatchObject({ count: 1, correct: 1 });
    expect(bin(0)).toMatchObject({ count: 1, correct: 0 });
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(4);
    // Only the two 0.97 answers pass the sure rule; one of them is right.
    expect(sure).toEqual({ count: 2, correct: 1 });
  });

  it('puts a top probability of exactly 1 in the last bin', () => {
    const { bins } = reliability(Float32Array.from(oneHotish(4, 1)), [4], 1);
    expect(bins.at(-1)).toMatchObject({ count: 1, correct: 1 });
  });
});

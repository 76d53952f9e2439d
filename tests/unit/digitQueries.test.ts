import { describe, expect, it } from 'vitest';
import { cell, confidence, mistakes, ofClass, type Answers } from '../../src/data/digitQueries';

/** Five digits: their labels, the model's answers and its confidence in each. */
const labels = Uint8Array.from([3, 3, 7, 1, 7]);
function answers(predicted: number[], confidences: number[]): Answers {
  const probabilities = new Float32Array(predicted.length * 10);
  predicted.forEach((p, i) => {
    probabilities.fill((1 - confidences[i]!) / 9, i * 10, (i + 1) * 10);
    probabilities[i * 10 + p] = confidences[i]!;
  });
  return { predictions: Uint8Array.from(predicted), probabilities };
}

describe('digit queries', () => {
  const read = answers([3, 8, 1, 1, 1], [0.9, 0.6, 0.99, 0.8, 0.7]);

  it('confidence is the probability of the model’s own answer', () => {
    expect(confidence(read, 2)).toBeCloseTo(0.99, 6);
  });

  it('mistakes: only the misread digits, the most confident first', () => {
    expect(mistakes(labels, read)).toEqual([2, 4, 1]);
  });

  it('a confusion cell: true 7 read as 1, most confident first; the diagonal too', () => {
    expect(cell(labels, read, 7, 1)).toEqual([2, 4]);
    expect(cell(labels, read, 3, 3)).toEqual([0]);
    expect(cell(labels, read, 0, 0)).toEqual([]);
  });

  it('ties keep the data set order', () => {
    expect(mistakes(labels, answers([3, 8, 1, 1, 1], [0.9, 0.5, 0.5, 0.8, 0.5]))).toEqual([1, 2, 4]);
  });

  it('a class: every digit with that label, in order', () => {
    expect(ofClass(labels, 7)).toEqual([2, 4]);
    expect(ofClass(labels, 5)).toEqual([]);
  });
});

/**
 * What the Draw panel says about a drawing: one digit when the network is sure, "not sure: 4 or 9?"
 * when it is not, and "that doesn't look like a digit" for a dot or a scribble, whatever the
 * network's probabilities (a softmax always sums to one, so it always has a favourite).
 *
 * The thresholds are measured (issue 16; README "Reading handwriting"):
 * - SURE_PROBABILITY and SURE_MARGIN from the reliability of the models' top probability on the
 *   MNIST test set and on the UJI writers used for tuning: below them, a reading is wrong often
 *   enough that saying one digit would mislead a class.
 * - MAX_INK and MAX_FILL from the ink of MNIST's 60,000 training digits (99.9th percentile 228 px,
 *   ink per box area at most 0.8 for a few very bold ones) and of 1,200 pen digits through this
 *   pipeline (at most 161 px and 0.6): a scribble filling the box has 300 px or more.
 * Pure: plain numbers in, a plain object out.
 */
import { PIXELS_PER_IMAGE } from './mnist';
import { digitStatistics } from './digitStats';

export type Verdict =
  | { kind: 'sure'; digit: number; probability: number }
  | { kind: 'unsure'; digits: [number, number]; probabilities: [number, number] }
  | { kind: 'notDigit'; reason: 'dot' | 'scribble' };

/** The top probability at or above which one digit is given (with the margin below). */
export const SURE_PROBABILITY = 0.8;
/** ...and the least lead of the top digit over the second. */
export const SURE_MARGIN = 0.5;
/** More ink than this (pixel units of the 28x28 input) is a scribble, not a digit. */
export const MAX_INK = 240;
/** Ink per area of its bounding box above this is a filled blob, not pen strokes. */
export const MAX_FILL = 0.7;
/** A drawing whose strokes span less than this (canvas units of the 280 x 280 pad) is a dot or a tap. */
export const MIN_EXTENT = 12;

/** The shape of a drawing that the verdict reads (what preprocessStrokes gives). */
export interface DrawnInput {
  pixels: Float32Array;
  bounds: { width: number; height: number };
}

/** Whether a drawing looks like a digit at all; null when it does. */
export function notADigit(input: DrawnInput): 'dot' | 'scribble' | null {
  if (Math.max(input.bounds.width, input.bounds.height) < MIN_EXTENT) return 'dot';
  if (input.pixels.length !== PIXELS_PER_IMAGE) throw new RangeError(`expected ${PIXELS_PER_IMAGE} pixels, got ${input.pixels.length}`);
  const { mass, width, height } = digitStatistics(input.pixels);
  if (mass > MAX_INK || (width * height > 0 && mass / (width * height) > MAX_FILL)) return 'scribble';
  return null;
}

/** The verdict on a drawing from its input and the network's ten probabilities. */
export function judgeReading(input: DrawnInput, probabilities: readonly number[]): Verdict {
  const reason = notADigit(input);
  if (reason) return { kind: 'notDigit', reason };
  const [first, second] = topTwo(probabilities);
  const p1 = probabilities[first]!;
  const p2 = probabilities[second]!;
  if (isSure(p1, p2)) return { kind: 'sure', digit: first, probability: p1 };
  return { kind: 'unsure', digits: [first, second], probabilities: [p1, p2] };
}

/** The rule for one sure digit, from the top probability and the second: high enough, and far enough ahead. */
export function isSure(top: number, second: number): boolean {
  return top >= SURE_PROBABILITY && top - second >= SURE_MARGIN;
}

/** The indices of the largest and the second largest value (the first of equals wins). */
export function topTwo(values: readonly number[]): [number, number] {
  let first = 0;
  let second = -1;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[first]!) {
      second = first;
      first = i;
    } else if (second < 0 || values[i]! > values[second]!) second = i;
  }
  return [first, second < 0 ? first : second];
}

/** One bin of a reliability curve: digits whose top probability fell in [from, to). */
export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  /** Of those, read right. */
  correct: number;
  /** Their mean top probability (what the network claimed). */
  confidence: number;
}

/** Bin edges: fine near 1, where most answers of a trained network are. */
export const RELIABILITY_EDGES = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

/**
 * The reliability curve of `count` answers (probabilities count x 10, labels): for each bin of the
 * top probability, how often the top digit was right. A well-calibrated network's accuracy in a bin
 * equals its confidence there; where it is much lower, "sure" would be a lie. Also the share of
 * answers the Draw panel would give as one digit (the probability rule of judgeReading) and their accuracy.
 */
export function reliability(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  count: number,
  classes = 10,
): { bins: ReliabilityBin[]; sure: { count: number; correct: number } } {
  const bins: ReliabilityBin[] = RELIABILITY_EDGES.slice(0, -1).map((from, i) => ({
    from,
    to: RELIABILITY_EDGES[i + 1]!,
    count: 0,
    correct: 0,
    confidence: 0,
  }));
  const sure = { count: 0, correct: 0 };
  const row = new Array<number>(classes);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < classes; c++) row[c] = probabilities[i * classes + c]!;
    const [first, second] = topTwo(row);
    const p = row[first]!;
    const right = first === labels[i];
    const bin = bins.find((b) => p < b.to) ?? bins[bins.length - 1]!;
    bin.count++;
    bin.confidence += p;
    if (right) bin.correct++;
    if (isSure(p, row[second]!)) {
      sure.count++;
      if (right) sure.correct++;
    }
  }
  for (const bin of bins) bin.confidence = bin.count > 0 ? bin.confidence / bin.count : 0;
  return { bins, sure };
}

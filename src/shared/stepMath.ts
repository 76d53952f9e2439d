/**
 * One optimizer step written out for a person: softmax, the cross-entropy loss, and the update each
 * optimizer makes to one weight from its gradient, with every intermediate number. Pure (no tfjs),
 * so the page, the tests and the worker compute the same thing; tests check it against what tfjs's
 * optimizers actually do to a model (tests/unit/learningStep.test.ts).
 */
import { ADAM_DEFAULTS, RMSPROP_DEFAULTS, type OptimizerName } from '../model/optimizerDefaults';

/** Keras' clipping of a probability before the logarithm (the loss the model trains on). */
export const PROBABILITY_FLOOR = 1e-7;

/** Softmax of scores, computed stably (the largest score subtracted first). */
export function softmax(scores: readonly number[]): number[] {
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Cross-entropy of one digit with its true label: -log(p[label]), p clipped as Keras clips it. */
export function crossEntropyOf(probabilities: readonly number[], label: number): number {
  const p = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, probabilities[label] ?? 0));
  return -Math.log(p);
}

/** The gradient of the loss with respect to the output layer's pre-softmax scores: p - y (y one-hot). */
export function outputDelta(probabilities: readonly number[], label: number): number[] {
  return probabilities.map((p, k) => p - (k === label ? 1 : 0));
}

/** One weight's update by one optimizer, from a fresh optimizer (its first step): every number of the formula. */
export type WeightUpdate =
  /** w <- w - lr * g */
  | { optimizer: 'sgd'; g: number; step: number }
  /** m = (1-b1) g, v = (1-b2) g^2, m^ = m / (1-b1), v^ = v / (1-b2), w <- w - lr * m^ / (sqrt(v^) + eps) */
  | { optimizer: 'adam'; g: number; m: number; v: number; mHat: number; vHat: number; step: number }
  /** s = (1-rho) g^2, w <- w - lr * g / sqrt(s + eps) */
  | { optimizer: 'rmsprop'; g: number; s: number; step: number };

/**
 * The first step of `optimizer` for a weight with gradient `g` (moments start at zero), in tfjs's
 * own order of operations and with Keras' defaults (ADAM_DEFAULTS, RMSPROP_DEFAULTS).
 */
export function firstStep(optimizer: OptimizerName, learningRate: number, g: number): WeightUpdate {
  switch (optimizer) {
    case 'sgd':
      return { optimizer, g, step: -learningRate * g };
    case 'adam': {
      const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
      const m = (1 - beta1) * g;
      const v = (1 - beta2) * g * g;
      const mHat = m / (1 - beta1);
      const vHat = v / (1 - beta2);
      return { optimizer, g, m, v, mHat, vHat, step: -learningRate * (mHat / (Math.sqrt(vHat) + epsilon)) };
    }
    case 'rmsprop': {
      const { decay, epsilon } = RMSPROP_DEFAULTS;
      const s = (1 - decay) * g * g;
      return { optimizer, g, s, step: -learningRate * (g / Math.sqrt(s + epsilon)) };
    }
  }
}

/** The index of the largest magnitude (the weight a worked example is shown for). */
export function largestAt(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]!) > Math.abs(values[best]!)) best = i;
  return best;
}

/**
 * Evidence maps: which pixels of a digit pushed the network towards a digit and which pushed it
 * away, by integrated gradients (Sundararajan, Taly and Yan, 2017).
 *
 * Why this method: the contributions add up to the change in the score between a blank input and
 * the digit ("completeness"), so orange and blue are amounts a class can add up, not just directions.
 * Occlusion sensitivity blurs to its patch size (a 5x5 patch is a fifth of a digit) and a plain
 * gradient saturates where the network is already sure (a confident 7's gradient is near zero
 * everywhere). The score is the digit's log-probability, computed from the pre-softmax scores where
 * the model lets us reach them: raising it means "more this digit than the others".
 *
 * Baseline: the blank (black) image, MNIST's background, so only ink gets a contribution.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, PIXELS_PER_IMAGE } from '../data/mnist';

/** Points on the path from blank to the digit (midpoint rule): completeness holds to about 1% with LeNet-5. */
export const EVIDENCE_STEPS = 32;

/** Each example's score: a [batch] tensor from a [batch, ...] one. */
export type ScoreFunction = (inputs: tf.Tensor) => tf.Tensor1D;

/**
 * Integrated gradients of `score` at `input` from `baseline`, by the midpoint rule with `steps`
 * points: attribution_i = (x_i - x0_i) * mean over k of dScore/dx_i at x0 + a_k (x - x0),
 * a_k = (k + 0.5) / steps. Also the scores at both ends (the attributions add up to their difference).
 * @param input and baseline: one example each, of the same shape (no batch dimension)
 */
export async function integratedGradients(
  score: ScoreFunction,
  input: tf.Tensor,
  baseline: tf.Tensor,
  steps = EVIDENCE_STEPS,
): Promise<{ attributions: Float32Array; score: number; baselineScore: number }> {
  const [attributions, ends] = tf.tidy(() => {
    const x = input.expandDims(0);
    const x0 = baseline.expandDims(0);
    const difference = tf.sub(x, x0);
    const alphas = tf
      .tensor1d(Array.from({ length: steps }, (_, k) => (k + 0.5) / steps))
      .reshape([steps, ...x.shape.slice(1).map(() => 1)]);
    const path = tf.add(x0, tf.mul(alphas, difference));
    const gradients = tf.grad((points: tf.Tensor) => tf.sum(score(points)))(path);
    return [tf.mul(difference, tf.mean(gradients, 0, true)), score(tf.concat([x, x0]))];
  });
  try {
    const [values, endScores] = await Promise.all([attributions.data() as Promise<Float32Array>, ends.data() as Promise<Float32Array>]);
    const [inputScore, baselineScore] = endScores;
    return { attributions: values, score: inputScore!, baselineScore: baselineScore! };
  } finally {
    tf.dispose([attributions, ends]);
  }
}

/**
 * Each class's log-probability, [batch, 10]. For a Sequential model ending in a softmax Dense layer
 * (both presets), from the pre-softmax scores: the log of a probability that rounds to zero in
 * float32 would be -Infinity, and its gradient useless ("why not a 9?" asks about exactly those).
 */
export function logProbabilities(model: tf.LayersModel, inputs: tf.Tensor): tf.Tensor2D {
  const last = model.layers.at(-1);
  if (model instanceof tf.Sequential && last?.getClassName() === 'Dense' && last.getConfig().activation === 'softmax') {
    let hidden = inputs;
    for (const layer of model.layers.slice(0, -1)) hidden = layer.apply(hidden) as tf.Tensor;
    const [kernel, bias] = last.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
    const scores = tf.matMul(hidden as tf.Tensor2D, kernel);
    return tf.logSoftmax(bias ? tf.add(scores, bias) : scores) as tf.Tensor2D;
  }
  // Any other model: the log of its output, kept finite.
  return tf.log(tf.clipByValue(model.apply(inputs) as tf.Tensor2D, 1e-30, 1));
}

export interface Evidence {
  /** The digit whose score is explained. */
  target: number;
  /** 28x28, row-major: positive raised the target's log-probability, negative lowered it. */
  attributions: Float32Array;
  /** The target's log-probability for the digit and for a blank image: the attributions add up to the difference. */
  score: number;
  baselineScore: number;
  steps: number;
}

/**
 * The evidence map of `model` for one 28x28 digit and the digit `target`.
 * @param pixels 28x28 values in [0, 1]
 */
export async function evidenceMap(model: tf.LayersModel, pixels: Float32Array, target: number, steps = EVIDENCE_STEPS): Promise<Evidence> {
  if (pixels.length !== PIXELS_PER_IMAGE) throw new Error(`an evidence map needs ${PIXELS_PER_IMAGE} pixels, not ${pixels.length}`);
  const input = tf.tensor3d(pixels, [IMAGE_SIZE, IMAGE_SIZE, 1]);
  const blank = tf.zerosLike(input);
  try {
    const score: ScoreFunction = (points) => tf.squeeze(tf.slice(logProbabilities(model, points), [0, target], [-1, 1]), [1]);
    const result = await integratedGradients(score, input, blank, steps);
    return { target, ...result, steps };
  } finally {
    tf.dispose([input, blank]);
  }
}

/**
 * Evidence maps checked against their definition: integrated gradients computed by hand where the
 * integral has a closed form, completeness on LeNet-5, and single pixels by finite differences
 * along the path (tfjs's CPU backend, in Node).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evidenceMap, integratedGradients, logProbabilities } from '../../src/model/evidence';
import { buildLeNet5 } from '../../src/model/lenet5';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A made-up 7: a bar and a slanted stroke, each pixel's ink a little different. A stroke of uniform
 * ink gives exactly equal convolution outputs side by side, and a max-pool over exact ties has no
 * derivative (its left and right ones differ), so finite differences could not check it there.
 */
function sevenPixels(): Float32Array {
  const pixels = new Float32Array(784);
  const ink = (i: number) => 0.55 + (0.45 * ((i * 7919) % 97)) / 97;
  for (let x = 7; x < 21; x++) pixels[6 * 28 + x] = ink(6 * 28 + x);
  for (let y = 7; y < 23; y++) {
    const i = y * 28 + (20 - Math.floor((y - 7) / 2));
    pixels[i] = ink(i);
  }
  return pixels;
}

describe('integrated gradients', () => {
  it('matches the closed form of a squared weighted sum, by the midpoint rule', async () => {
    // score(x) = (w . x)^2: d/dx_i = 2 (w . x) w_i, and on the path x0 + a (x - x0) the integral over a
    // of 2 (w . (x0 + a d)) w_i is 2 w_i (w . x0 + (w . d) / 2); the midpoint rule is exact for a linear integrand.
    const w = [0.5, -1, 2, 0.25];
    const x = [1, 0.5, 0.25, 2];
    const x0 = [0.1, 0, 0.2, 0];
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const d = x.map((v, i) => v - x0[i]!);
    const expected = w.map((wi, i) => d[i]! * 2 * wi * (dot(w, x0) + dot(w, d) / 2));
    const weights = tf.tensor1d(w);
    const score = (batch: tf.Tensor) => tf.square(tf.sum(tf.mul(batch, weights), 1)) as tf.Tensor1D;
    const result = await integratedGradients(score, tf.tensor1d(x), tf.tensor1d(x0), 8);
    Array.from(result.attributions).forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 5));
    expect(result.score).toBeCloseTo(dot(w, x) ** 2, 5);
    expect(result.baselineScore).toBeCloseTo(dot(w, x0) ** 2, 5);
    weights.dispose();
  });

  it('on LeNet-5: adds up to the change of the log-probability from a blank image, and agrees with finite differences pixel by pixel', async () => {
    const model = buildLeNet5({ preset: 'lenet5', activation: 'tanh', seed: 3 });
    const pixels = sevenPixels();
    const before = tf.memory().numTensors;
    const evidence = await evidenceMap(model, pixels, 7, 32);
    expect(tf.memory().numTensors).toBe(before);
    // Blank pixels get nothing: only ink is evidence.
    evidence.attributions.forEach((a, i) => {
      if (pixels[i] === 0) expect(Math.abs(a)).toBe(0);
    });
    // Completeness: the sum is the change of the score (midpoint rule: within 1% of it here).
    const sum = evidence.attributions.reduce((s, a) => s + a, 0);
    const change = evidence.score - evidence.baselineScore;
    expect(Math.abs(sum - change)).toBeLessThan(0.01 * Math.abs(change) + 1e-4);
    // The score is log p(7) as the model's own output gives it.
    const p = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(evidence.score).toBeCloseTo(Math.log(p[7]!), 4);

    // Three pixels by definition: mean over the path of a central difference of the score, times x_i.
    const picked = [6 * 28 + 10, 12 * 28 + 18, 6 * 28 + 20];
    const h = 1e-3;
    const steps = 32;
    const batch: Float32Array[] = [];
    for (const i of picked)
      for (let k = 0; k < steps; k++)
        for (const sign of [1, -1]) {
          const point = pixels.map((v) => v * ((k + 0.5) / steps));
          point[i]! += sign * h;
          batch.push(point);
        }
    const flat = new Float32Array(batch.length * 784);
    batch.forEach((b, j) => flat.set(b, j * 784));
    const scores = tf.tidy(() =>
      logProbabilities(model, tf.tensor4d(flat, [batch.length, 28, 28, 1]))
        .slice([0, 7], [-1, 1])
        .dataSync(),
    );
    picked.forEach((i, n) => {
      let mean = 0;
      for (let k = 0; k < steps; k++) {
        const at = (n * steps + k) * 2;
        mean += (scores[at]! - scores[at + 1]!) / (2 * h) / steps;
      }
      expect(pixels[i]).toBeGreaterThan(0);
      expect(Math.abs(evidence.attributions[i]! - pixels[i]! * mean)).toBeLessThan(0.03 * Math.abs(evidence.attributions[i]!) + 2e-4);
    });
    model.dispose();
  });

  it('explains any digit, not only the predicted one ("why not a 9?"), with finite scores where the probability rounds to zero', async () => {
    const model = buildLeNet5({ preset: 'lenet5-classic', activation: 'relu', seed: 5 });
    const pixels = sevenPixels().map((v) => v * 40); // far outside the training range: extreme probabilities
    const why = await evidenceMap(model, pixels, 9, 16);
    expect(Number.isFinite(why.score)).toBe(true);
    expect(why.attributions.every(Number.isFinite)).toBe(true);
    expect(why.target).toBe(9);
    model.dispose();
  });
});

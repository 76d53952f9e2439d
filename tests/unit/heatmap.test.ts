import { describe, expect, it } from 'vitest';
import { channel, convStep, diverging, kernelSlice, maxAbs } from '../../src/ui/inside/heatmap';

describe('heatmap helpers', () => {
  it('slices one channel out of channels-last values', () => {
    // 2x2 with 3 channels: value = 10 * pixel + channel.
    const values = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
    expect(Array.from(channel(values, [2, 2, 3], 2))).toEqual([2, 12, 22, 32]);
  });

  it('slices one kernel out of [kh, kw, in, out] weights', () => {
    // 2x2 kernels, 2 in, 3 out: value = 100 * position + 10 * in + out.
    const kernel = Float32Array.from({ length: 24 }, (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 3) + (i % 3));
    expect(Array.from(kernelSlice(kernel, [2, 2, 2, 3], 1, 2))).toEqual([12, 112, 212, 312]);
  });

  it('diverging: blue for negative, white for 0, orange for positive, clamped at the range', () => {
    expect(diverging(0, 1)).toEqual([247, 247, 247]);
    expect(diverging(-1, 1)).toEqual([33, 102, 172]);
    expect(diverging(5, 1)).toEqual([230, 97, 1]);
    expect(maxAbs([0.5, -2, 1])).toBe(2);
    expect(maxAbs([0, 0])).toBe(1);
  });

  it('works one convolution step as a class would: window, products, sum, bias, activation', () => {
    const input = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4
    const kernel = Float32Array.from([1, 0, 0, -1]); // 2x2
    const step = convStep(input, 4, kernel, 2, 0.5, 'relu', 4); // output 3x3: position 4 = row 1, column 1
    expect(step).toMatchObject({ x: 1, y: 1, window: [5, 6, 9, 10], products: [5, 0, 0, -10], sum: -5, z: -4.5, output: 0 });
    expect(convStep(input, 4, kernel, 2, 0, 'tanh', 0).output).toBeCloseTo(Math.tanh(-5), 10);
  });
});

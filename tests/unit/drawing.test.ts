/** MNIST's recipe on synthetic strokes: bounding box, 20x20 fit with anti-aliasing, centre of mass. */
import { describe, expect, it } from 'vitest';
import { BOX_SIZE, MNIST_CENTRE, PEN_WIDTH_PX28, SUPERSAMPLE, centreOfMass, preprocessStrokes, type Stroke } from '../../src/data/drawing';
import { IMAGE_SIZE } from '../../src/data/mnist';

/** Preprocesses and fails the test on null. */
function run(strokes: Stroke[], options?: Parameters<typeof preprocessStrokes>[1]) {
  const result = preprocessStrokes(strokes, options);
  if (!result) throw new Error('expected ink');
  return result;
}

const field = (pixels: Float32Array) => ({ width: IMAGE_SIZE, height: IMAGE_SIZE, pixels });
const sum = (pixels: Float32Array) => pixels.reduce((a, b) => a + b, 0);
const at = (pixels: Float32Array, x: number, y: number, width = IMAGE_SIZE) => pixels[y * width + x]!;

/** An ellipse ("0") as one closed stroke, centred at (cx, cy) with radii (rx, ry). */
function ellipse(cx: number, cy: number, rx: number, ry: number, n = 48): Stroke {
  return Array.from({ length: n + 1 }, (_, i) => [cx + rx * Math.cos((2 * Math.PI * i) / n), cy + ry * Math.sin((2 * Math.PI * i) / n)]);
}

/** A "2"-like shape in a unit square, scaled by `size` and moved to (x, y). */
function two(x: number, y: number, size: number): Stroke[] {
  const unit: [number, number][] = [
    [0.1, 0.25],
    [0.3, 0.05],
    [0.6, 0.0],
    [0.85, 0.15],
    [0.85, 0.4],
    [0.5, 0.7],
    [0.0, 1.0],
    [1.0, 1.0],
  ];
  return [unit.map(([u, v]) => [x + u * size, y + v * size])];
}

describe('preprocessStrokes', () => {
  it('gives null when there is no ink: no strokes, strokes without points, only non-finite points', () => {
    expect(preprocessStrokes([])).toBeNull();
    expect(preprocessStrokes([[]])).toBeNull();
    expect(preprocessStrokes([[], []])).toBeNull();
    expect(preprocessStrokes([[[NaN, 3]]])).toBeNull();
  });

  it('reports the bounding box of the centre lines in canvas pixels', () => {
    const { bounds } = run([
      [
        [50, 70],
        [120, 40],
      ],
      [[90, 200]],
    ]);
    expect(bounds).toEqual({ x: 50, y: 40, width: 70, height: 160 });
  });

  it('centres an off-centre digit by its centre of mass, the same as one drawn in the middle', () => {
    const corner = run([ellipse(40, 50, 25, 40)]);
    const middle = run([ellipse(140, 140, 25, 40)]);
    const [cx, cy] = centreOfMass(field(corner.pixels));
    expect(Math.abs(cx - IMAGE_SIZE / 2)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - IMAGE_SIZE / 2)).toBeLessThanOrEqual(0.5);
    // The box: longer side (height) BOX_SIZE, the width by the aspect ratio, a pen width wider than the centre lines.
    expect(corner.box.height).toBe(BOX_SIZE);
    expect(corner.box.width).toBe(Math.ceil((50 / 80) * (BOX_SIZE - PEN_WIDTH_PX28) + PEN_WIDTH_PX28));
    expect(corner.shift).toEqual(middle.shift);
    for (let i = 0; i < corner.pixels.length; i++) expect(corner.pixels[i]).toBeCloseTo(middle.pixels[i]!, 5);
  });

  it('moves a lopsided digit by its mass, not its box: a "7" sits low because its weight is at the top', () => {
    const seven = run(
      [
        [
          [60, 60],
          [220, 60],
          [120, 240],
        ],
      ],
      { centring: 'integer' },
    );
    // Height is the longer side: 20 tall, and 160/180 of the centre lines' span plus a pen width wide.
    expect([seven.box.width, seven.box.height]).toEqual([
      Math.ceil((160 / 180) * (BOX_SIZE - PEN_WIDTH_PX28) + PEN_WIDTH_PX28 - 1e-9),
      BOX_SIZE,
    ]);
    const [, boxCy] = centreOfMass(seven.box);
    expect(boxCy).toBeLessThan(BOX_SIZE / 2 - 2);
    // Centring by the box would put its top at (28 - 20) / 2 = 4; by the mass it goes lower.
    expect(seven.shift[1]).toBeGreaterThanOrEqual(6);
    const [cx, cy] = centreOfMass(field(seven.pixels));
    // Whole-pixel centring (asked for here, to check pixels by position) lands within half a pixel.
    expect(Math.hypot(cx - MNIST_CENTRE, cy - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 * Math.SQRT2);
    const p = seven.pixels;
    const [sx, sy] = seven.shift;
    // The bar across the top is solid ink; the stroke's foot is at x = 7-8 (120 px on the canvas); both bottom corners are empty.
    for (let x = 3; x < 16; x++) expect(at(p, sx + x, sy + 1)).toBeGreaterThan(0.9);
    expect(at(p, sx + 7, sy + 18)).toBeGreaterThan(0.9);
    for (let y = 12; y < 20; y++) for (let x = 13; x < 19; x++) expect(at(p, sx + x, sy + y)).toBe(0);
    for (let y = 10; y < 20; y++) for (let x = 0; x < 5; x++) expect(at(p, sx + x, sy + y)).toBe(0);
    expect(at(p, sx + seven.box.width - 2, sy + 2)).toBeGreaterThan(0.5);
  });

  it('gives nearly the same image for the same digit drawn tiny (30 px) and filling the canvas (270 px)', () => {
    const tiny = run(two(200, 30, 30));
    const large = run(two(5, 5, 270));
    let totalDiff = 0;
    let maxDiff = 0;
    for (let i = 0; i < tiny.pixels.length; i++) {
      const d = Math.abs(tiny.pixels[i]! - large.pixels[i]!);
      totalDiff += d;
      maxDiff = Math.max(maxDiff, d);
    }
    expect(totalDiff / tiny.pixels.length).toBeLessThan(0.005);
    expect(maxDiff).toBeLessThanOrEqual(1 / (SUPERSAMPLE * SUPERSAMPLE) + 1e-6);
    // And the stroke keeps MNIST's thickness at both sizes: about a pen width of ink per unit of length.
    expect(sum(tiny.pixels)).toBeGreaterThan(40);
    expect(sum(tiny.pixels)).toBeLessThan(150);
  });

  it('keeps a thin vertical "1" thin: pen-wide and 20 tall, never stretched into a block', () => {
    const one = run([
      [
        [140, 40],
        [142, 240],
      ],
    ]);
    expect(one.box.height).toBe(BOX_SIZE);
    expect(one.box.width).toBeLessThanOrEqual(4);
    const inkColumns = new Set<number>();
    for (let y = 0; y < IMAGE_SIZE; y++) for (let x = 0; x < IMAGE_SIZE; x++) if (at(one.pixels, x, y) > 0.05) inkColumns.add(x);
    expect(inkColumns.size).toBeLessThanOrEqual(4);
    // Ink area: about pen width x 20 (40 px for 2.0), nowhere near a 20x20 block (400).
    expect(sum(one.pixels)).toBeGreaterThan(0.8 * PEN_WIDTH_PX28 * BOX_SIZE);
    expect(sum(one.pixels)).toBeLessThan(1.2 * PEN_WIDTH_PX28 * BOX_SIZE);
    const [cx] = centreOfMass(field(one.pixels));
    expect(Math.abs(cx - MNIST_CENTRE)).toBeLessThanOrEqual(0.5);
  });

  it('keeps the aspect ratio of a wide stroke: a "-" is 20 wide and about a pen width tall', () => {
    const dash = run([
      [
        [30, 150],
        [250, 150],
      ],
    ]);
    expect(dash.box.width).toBe(BOX_SIZE);
    expect(dash.box.height).toBe(Math.ceil(PEN_WIDTH_PX28));
    // Area averaging: each column of the stroke's middle holds about a pen width of ink.
    for (let x = 4; x < 16; x++) {
      let column = 0;
      for (let y = 0; y < dash.box.height; y++) column += at(dash.box.pixels, x, y, dash.box.width);
      expect(Math.abs(column - PEN_WIDTH_PX28)).toBeLessThanOrEqual(1 / SUPERSAMPLE);
    }
  });

  it('draws a tap as a small round blob at the centre, without NaN', () => {
    const dot = run([[[77, 201]]]);
    expect(dot.bounds).toEqual({ x: 77, y: 201, width: 0, height: 0 });
    expect(dot.pixels.every((v) => Number.isFinite(v))).toBe(true);
    // A disc of the pen's diameter: area pi r^2.
    expect(sum(dot.pixels)).toBeCloseTo(Math.PI * (PEN_WIDTH_PX28 / 2) ** 2, 0);
    const [cx, cy] = centreOfMass(field(dot.pixels));
    expect(Math.hypot(cx - MNIST_CENTRE, cy - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 * Math.SQRT2);
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++)
        if (Math.abs(x + 0.5 - MNIST_CENTRE) > 2.5 || Math.abs(y + 0.5 - MNIST_CENTRE) > 2.5) expect(at(dot.pixels, x, y)).toBe(0);
    }
  });

  it('keeps values in [0, 1] where strokes overlap, with solid cores and anti-aliased edges', () => {
    const scribble: Stroke[] = [
      ...Array.from({ length: 5 }, (): Stroke => [
        [20, 20],
        [200, 160],
      ]),
      ellipse(110, 90, 60, 60),
      [[110, 90]],
    ];
    const { pixels, box } = run(scribble);
    expect(pixels).toHaveLength(IMAGE_SIZE * IMAGE_SIZE);
    expect(Math.min(...pixels)).toBe(0);
    expect(Math.max(...pixels)).toBe(1);
    // Not nearest-pixel: a diagonal stroke's edge pixels are partly covered.
    const partial = box.pixels.filter((v) => v > 0.1 && v < 0.9).length;
    expect(partial).toBeGreaterThan(20);
    // The corner of the field (far from any placement of a 20x20 box's ink) is background.
    expect(at(pixels, 0, 0)).toBe(0);
    expect(at(pixels, 27, 27)).toBe(0);
  });

  it('subpixel centring puts the centre of mass on MNIST_CENTRE (14.5, 14.5) within the sampling grid (1/SUPERSAMPLE px)', () => {
    const strokes = [ellipse(40, 50, 25, 40), ...two(100, 100, 80)];
    const integer = run(strokes, { centring: 'integer' });
    const subpixel = run(strokes, { centring: 'subpixel' });
    const [ix, iy] = centreOfMass(field(integer.pixels));
    const [sx, sy] = centreOfMass(field(subpixel.pixels));
    expect(Math.abs(ix - MNIST_CENTRE)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(iy - MNIST_CENTRE)).toBeLessThanOrEqual(0.5);
    // Re-rasterized at a fractional offset, the supersampling grid's phase moves the centre of mass by up to half a sample.
    expect(Math.abs(sx - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 / SUPERSAMPLE);
    expect(Math.abs(sy - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 / SUPERSAMPLE);
    expect(Math.abs(sum(subpixel.pixels) / sum(integer.pixels) - 1)).toBeLessThan(0.05);
  });

  it('refuses a pen width outside (0, BOX_SIZE)', () => {
    expect(() => preprocessStrokes([[[1, 1]]], { penWidth: 0 })).toThrow(RangeError);
    expect(() => preprocessStrokes([[[1, 1]]], { penWidth: BOX_SIZE })).toThrow(RangeError);
  });
});

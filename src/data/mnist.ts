/**
 * MNIST geometry and the manifest that describes the files in public/data/ (written by
 * scripts/generate-data.mjs). The manifest is validated here, at the edge, so the rest of the app
 * can trust its shape.
 */
import { DataFileError } from './dataFileError';

/** Side of an MNIST digit in pixels. */
export const IMAGE_SIZE = 28;
/** Pixels in one digit. */
export const PIXELS_PER_IMAGE = IMAGE_SIZE * IMAGE_SIZE;
/** Digits 0-9. */
export const NUM_CLASSES = 10;
/** The manifest's format tag; bumped when the layout changes. */
export const MANIFEST_FORMAT = 'lenet-lab-mnist/1';
export const MANIFEST_FILE = 'manifest.json';
/** The official split's sizes (LeCun): the app refuses a subset such as the 55,000 of tfjs-examples. */
export const TRAIN_COUNT = 60_000;
export const TEST_COUNT = 10_000;

export type SplitName = 'train' | 'test';
export const OFFICIAL_COUNTS: Record<SplitName, number> = { train: TRAIN_COUNT, test: TEST_COUNT };

export interface FileEntry {
  file: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the file. */
  sha256: string;
}

/** One sprite: digits [first, first + count) as a tile grid, `columns` tiles a row. */
export interface SpriteEntry extends FileEntry {
  first: number;
  count: number;
  width: number;
  height: number;
}

export interface SplitEntry {
  count: number;
  labelCounts: number[];
  /** SHA-256 of all digits' pixel bytes in IDX order: proves the decoded pixels are the IDX bytes. */
  pixelsSha256: string;
  labels: FileEntry;
  sprites: SpriteEntry[];
}

export interface MnistManifest {
  format: string;
  source: string;
  imageSize: number;
  numClasses: number;
  layout: { kind: 'tile-grid'; tileSize: number; columns: number };
  splits: Record<SplitName, SplitEntry>;
}

/** Every file the manifest names, labels first (they are small and fail fast). */
export function manifestFiles(manifest: MnistManifest): FileEntry[] {
  const { train, test } = manifest.splits;
  return [train.labels, test.labels, ...train.sprites, ...test.sprites];
}

/** Bytes to download for the whole data set: the denominator of the progress bar. */
export function manifestTotalBytes(manifest: MnistManifest): number {
  return manifestFiles(manifest).reduce((sum, entry) => sum + entry.bytes, 0);
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: Json): value is number => Number.isInteger(value) && (value as number) >= 0;
const isSha256 = (value: Json): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
/** File names stay inside the data folder: no paths, no URLs. */
const isFileName = (value: Json): value is string => typeof value === 'string' && /^[\w.-]+$/.test(value);

/**
 * Checks that parsed JSON is a manifest this app can load, and returns it typed.
 * @throws DataFileError naming the first field that is wrong
 */
export function parseManifest(json: Json, expectedCounts: Record<SplitName, number> = OFFICIAL_COUNTS): MnistManifest {
  const fail = (expected: string, found: string): never => {
    throw new DataFileError(MANIFEST_FILE, expected, found);
  };
  if (!isRecord(json)) return fail('a JSON object', describe(json));
  if (json.format !== MANIFEST_FORMAT) return fail(`format "${MANIFEST_FORMAT}"`, describe(json.format));
  if (json.imageSize !== IMAGE_SIZE) return fail(`imageSize ${IMAGE_SIZE}`, describe(json.imageSize));
  if (json.numClasses !== NUM_CLASSES) return fail(`numClasses ${NUM_CLASSES}`, describe(json.numClasses));
  const layout = json.layout;
  if (
    !isRecord(layout) ||
    layout.kind !== 'tile-grid' ||
    layout.tileSize !== IMAGE_SIZE ||
    !isCount(layout.columns) ||
    layout.columns === 0
  ) {
    return fail(`layout: a tile grid of ${IMAGE_SIZE} px tiles`, describe(layout));
  }
  const columns = layout.columns;
  if (!isRecord(json.splits)) return fail('splits: train and test', describe(json.splits));

  const file = (value: Json, where: string): FileEntry => {
    if (!isRecord(value) || !isFileName(value.file) || !isCount(value.bytes) || !isSha256(value.sha256)) {
      return fail(`${where}: a file name, a byte size and a SHA-256`, describe(value));
    }
    return { file: value.file, bytes: value.bytes, sha256: value.sha256 };
  };

  const split = (name: SplitName, expectedCount: number): SplitEntry => {
    const s = (json.splits as Record<string, Json>)[name];
    if (!isRecord(s)) return fail(`splits.${name}`, describe(s));
    if (s.count !== expectedCount) return fail(`splits.${name}.count ${expectedCount} (the official MNIST split)`, describe(s.count));
    const labelCounts = s.labelCounts;
    if (!Array.isArray(labelCounts) || labelCounts.length !== NUM_CLASSES || !labelCounts.every(isCount)) {
      return fail(`splits.${name}.labelCounts: ${NUM_CLASSES} counts`, describe(labelCounts));
    }
    if (!isSha256(s.pixelsSha256)) return fail(`splits.${name}.pixelsSha256: a SHA-256`, describe(s.pixelsSha256));
    const labels = file(s.labels, `splits.${name}.labels`);
    if (labels.bytes !== expectedCount) return fail(`splits.${name}.labels: ${expectedCount} bytes`, `${labels.bytes}`);
    if (!Array.isArray(s.sprites) || s.sprites.length === 0) return fail(`splits.${name}.sprites: a list`, describe(s.sprites));
    let next = 0;
    const sprites = s.sprites.map((value: Json, i): SpriteEntry => {
      const where = `splits.${name}.sprites[${i}]`;
      const entry = file(value, where);
      const v = value as Record<string, Json>;
      const rows = isCount(v.count) ? Math.ceil(v.count / columns) : -1;
      if (v.first !== next || !isCount(v.count) || v.count === 0 || v.width !== columns * IMAGE_SIZE || v.height !== rows * IMAGE_SIZE) {
        return fail(
          `${where}: digits from ${next} in a ${columns}-column grid`,
          describe({ first: v.first, count: v.count, width: v.width, height: v.height }),
        );
      }
      next += v.count;
      return { ...entry, first: v.first, count: v.count, width: v.width, height: v.height };
    });
    if (next !== expectedCount) return fail(`splits.${name}.sprites covering ${expectedCount} digits`, `${next}`);
    return { count: expectedCount, labelCounts: labelCounts as number[], pixelsSha256: s.pixelsSha256, labels, sprites };
  };

  return {
    format: MANIFEST_FORMAT,
    source: typeof json.source === 'string' ? json.source : 'unknown',
    imageSize: IMAGE_SIZE,
    numClasses: NUM_CLASSES,
    layout: { kind: 'tile-grid', tileSize: IMAGE_SIZE, columns },
    splits: { train: split('train', expectedCounts.train), test: split('test', expectedCounts.test) },
  };
}

/** A short rendering of a wrong value for an error message. */
function describe(value: Json): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

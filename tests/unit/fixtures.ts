/**
 * A tiny MNIST-shaped data set written by the real generator code (several sprites, the last one
 * partial), served by a fake fetch, decoded by pngjs: the loader runs in Node exactly as in the
 * worker, minus the browser's PNG decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { PNG } from 'pngjs';
import { buildManifest, buildSplit } from '../../scripts/mnist-sprites.mjs';
import type { GrayImage, LoaderIO } from '../../src/data/mnistLoader';
import { registerWasmTrainingKernels } from '../../src/model/wasmKernels';
import { createDataset, type Dataset } from '../../src/worker/dataset';
import { afterAll, expect } from 'vitest';

export const TINY_COUNTS = { train: 30, test: 10 };
const COLUMNS = 4;
const ROWS = 3;

/** Deterministic pseudo-random bytes (a small LCG), with some 0s and 255s like real digits. */
function digitBytes(count: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(count * 784);
  let x = seed;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const v = x >>> 24;
    bytes[i] = v < 96 ? 0 : v > 200 ? 255 : v;
  }
  return bytes;
}

export interface TinyDataset {
  files: Map<string, Uint8Array>;
  manifest: ReturnType<typeof buildManifest>;
  pixels: { train: Uint8Array; test: Uint8Array };
  labels: { train: Uint8Array; test: Uint8Array };
}

/** Builds the tiny data set: labels cycle 0-9, so every class has count / 10 digits. */
export function makeTinyDataset(): TinyDataset {
  const pixels = { train: digitBytes(TINY_COUNTS.train, 1), test: digitBytes(TINY_COUNTS.test, 2) };
  const labels = {
    train: Uint8Array.from({ length: TINY_COUNTS.train }, (_, i) => i % 10),
    test: Uint8Array.from({ length: TINY_COUNTS.test }, (_, i) => (i * 3) % 10),
  };
  const options = { columns: COLUMNS, rows: ROWS };
  const train = buildSplit('train', pixels.train, labels.train, options);
  const test = buildSplit('test', pixels.test, labels.test, options);
  const manifest = buildManifest({ train: train.entry, test: test.entry }, options);
  // Plain Uint8Array copies: the generator returns Buffers, whose slice() is a view, not a copy.
  const files = new Map<string, Uint8Array>([...train.files, ...test.files].map(([name, bytes]) => [name, new Uint8Array(bytes)]));
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return { files, manifest, pixels, labels };
}

export const BASE_URL = 'http://data.test/data/';

/** A fetch over an in-memory folder; `override` may answer a file differently (return undefined to pass). */
export function fakeFetch(files: Map<string, Uint8Array>, override?: (file: string) => Response | undefined): typeof fetch {
  return async (input) => {
    const url = new URL(String(input));
    const file = url.pathname.slice(new URL(BASE_URL).pathname.length);
    const custom = override?.(file);
    if (custom) return custom;
    const bytes = files.get(file);
    if (!bytes) return new Response('Not Found', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/plain' } });
    const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.png') ? 'image/png' : 'application/octet-stream';
    return new Response(bytes.slice(), { headers: { 'content-type': type } });
  };
}

/** Decodes a PNG with pngjs (a pure decoder) into one byte a pixel. */
export async function decodeGrayPngWithPngjs(bytes: Uint8Array): Promise<GrayImage> {
  const png = PNG.sync.read(Buffer.from(bytes));
  const gray = new Uint8Array(png.width * png.height);
  for (let i = 0; i < gray.length; i++) gray[i] = png.data[i * 4]!;
  return { width: png.width, height: png.height, gray };
}

/** Loader I/O over the tiny data set, optionally with some files answered differently. */
export function tinyIO(files: Map<string, Uint8Array>, override?: (file: string) => Response | undefined): LoaderIO {
  return { fetch: fakeFetch(files, override), decodeGrayPng: decodeGrayPngWithPngjs };
}

/** Replaces the manifest in `files` by an edited copy. */
export function withManifest(dataset: TinyDataset, edit: (manifest: TinyDataset['manifest']) => void): Map<string, Uint8Array> {
  const manifest = structuredClone(dataset.manifest);
  edit(manifest);
  const files = new Map(dataset.files);
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return files;
}

/** Loader I/O over the real generated files in public/data (decoded by pngjs, each sprite once per test file). */
export function realDataIO(dir = 'public/data'): LoaderIO {
  const files = new Map<string, Uint8Array>();
  for (const file of readdirSync(dir)) files.set(file, new Uint8Array(readFileSync(join(dir, file))));
  const decoded = new Map<string, Promise<GrayImage>>();
  return {
    fetch: fakeFetch(files),
    decodeGrayPng: (bytes) => {
      const key = createHash('sha256').update(bytes).digest('hex');
      if (!decoded.has(key)) decoded.set(key, decodeGrayPngWithPngjs(bytes));
      return decoded.get(key)!;
    },
  };
}

/** A cheap fingerprint of a loaded data set: a sum over every 61st value of each array. */
function fingerprint(data: Awaited<ReturnType<Dataset['loaded']>>): number[] {
  const sum = (array: ArrayLike<number>) => {
    let total = 0;
    for (let i = 0; i < array.length; i += 61) total += array[i]! * ((i % 7) + 1);
    return total;
  };
  return [data.train, data.test].flatMap((split) => [split.count, sum(split.bytes), sum(split.images), sum(split.labels)]);
}

/**
 * The real data set, loaded once per test file and shared by the sessions given it
 * (`{ dataset }` in place of `{ io }`). A session's load checks every file's SHA-256 and every
 * decoded pixel against the IDX hashes and converts 55 M floats: 1.5 s each time in Node, some
 * forty times in a run of the unit tests. Sessions only read the data set; the file's last hook
 * checks that none wrote into it. The tests of loading itself load afresh.
 */
export function sharedRealData(): Dataset {
  const dataset = createDataset(() => {}, { io: realDataIO() });
  let loadedPrint: number[] | null = null;
  const shared: Dataset = {
    ...dataset,
    load: async (dataUrl) => {
      const summary = await dataset.load(dataUrl);
      loadedPrint ??= fingerprint(await dataset.loaded());
      return summary;
    },
  };
  afterAll(async () => {
    if (loadedPrint) expect(fingerprint(await dataset.loaded()), 'a session wrote into the shared data set').toEqual(loadedPrint);
  });
  return shared;
}

let wasmConfigured = false;

/**
 * Starts the WASM backend in Node with the project's training kernels, as the worker does in the
 * browser. Training tests run on it: the CPU backend is 10-20 times slower, and the kernel tests
 * (wasmKernels.test.ts) pin WASM's gradients to the CPU backend's.
 */
export async function wasmBackend() {
  if (!wasmConfigured) {
    wasmConfigured = true;
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep);
    registerWasmTrainingKernels();
  }
  await tf.setBackend('wasm');
  await tf.ready();
  return { name: 'wasm', trainer: 'tfjs', reason: 'unit test' } as const;
}

/** The same, under a name the React hooks lint leaves alone inside other functions. */
export const useWasm = wasmBackend;

/** The LeNet Lab engine trains, tfjs WASM runs the model beside it (selectBackend's answer for `engine`). */
export async function engineBackend() {
  await wasmBackend();
  return { name: 'wasm', trainer: 'engine', reason: 'unit test' } as const;
}

let engineCompiled: Promise<WebAssembly.Module> | undefined;
/** The checked-in engine, compiled once (a session's `engineModule`). */
export function engineModule(): Promise<WebAssembly.Module> {
  engineCompiled ??= WebAssembly.compile(readFileSync(new URL('../../src/engine/lenet5.wasm', import.meta.url)));
  return engineCompiled;
}

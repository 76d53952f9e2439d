/**
 * The loader's checks, each with the three things a person reads (file, expected, found) and the
 * problem word the UI translates; and its downloads: cancelled on the first bad file, a slow but
 * steady one never called stalled, no timer left behind.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex as nodeSha256Hex } from '../../scripts/mnist-sprites.mjs';
import { DataFileError } from '../../src/data/dataFileError';
import { DEFAULT_STALL_TIMEOUT_MS, loadMnist, sha256Hex, type LoaderIO, type LoadOptions } from '../../src/data/mnistLoader';
import { BASE_URL, TINY_COUNTS, makeTinyDataset, tinyIO, withManifest } from './fixtures';

const options = { baseUrl: BASE_URL, expectedCounts: TINY_COUNTS };
const dataset = makeTinyDataset();

/** The error a load must fail with, as what the page shows: file, expected, found and the problem word. */
async function failure(io: LoaderIO, extra: Partial<LoadOptions> = {}) {
  const error: unknown = await loadMnist(io, { ...options, ...extra }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFileError);
  const { file, expected, found, problem } = error as DataFileError;
  return { file, expected, found, problem };
}

/** A response streaming `bytes` in chunks of `size`, `delayMs` apart. */
function slowResponse(bytes: Uint8Array, size: number, delayMs: number): Response {
  let offset = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
        if (offset >= bytes.length) controller.close();
      },
    }),
    { headers: { 'content-type': 'application/octet-stream' } },
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('loader checks, as the page words them', () => {
  it('a network error', async () => {
    const io = tinyIO(dataset.files);
    const offline: typeof fetch = (input, init) =>
      String(input).endsWith('test-labels.u8') ? Promise.reject(new TypeError('Failed to fetch')) : io.fetch(input, init);
    expect(await failure({ ...io, fetch: offline })).toEqual({
      file: 'test-labels.u8',
      expected: 'a response from the server',
      found: 'a network error (Failed to fetch)',
      problem: 'network',
    });
  });

  it('an HTTP error, with or without a status text', async () => {
    const status = (statusText: string) =>
      tinyIO(dataset.files, (file) => (file === 'train-labels.u8' ? new Response('busy', { status: 503, statusText }) : undefined));
    expect(await failure(status(''))).toEqual({ file: 'train-labels.u8', expected: 'HTTP 200', found: 'HTTP 503', problem: 'http' });
    expect((await failure(status('Service Unavailable'))).found).toBe('HTTP 503 Service Unavailable');
  });

  it('the HTML page a dev server answers for a missing file', async () => {
    const io = tinyIO(dataset.files, (file) =>
      file === 'manifest.json' ? new Response('<!doctype html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }) : undefined,
    );
    expect(await failure(io)).toEqual({
      file: 'manifest.json',
      expected: 'the data file',
      found: 'an HTML page instead: the file is missing on the server (run `npm run data`)',
      problem: 'missing',
    });
  });

  it('takes a file served without a content type', async () => {
    const io = tinyIO(dataset.files, (file) => (file === 'test-labels.u8' ? new Response(dataset.files.get(file)!.slice()) : undefined));
    const data = await loadMnist(io, options);
    expect(Array.from(data.test.labels)).toEqual(Array.from(dataset.labels.test));
  });

  it('a manifest that is not JSON, with the parser’s message and how to regenerate it', async () => {
    const files = new Map(dataset.files);
    files.set('manifest.json', new TextEncoder().encode('{"format": '));
    let detail = '';
    try {
      JSON.parse('{"format": ');
    } catch (error) {
      detail = (error as Error).message;
    }
    expect(await failure(tinyIO(files))).toEqual({
      file: 'manifest.json',
      expected: 'valid JSON',
      found: `${detail} (run \`npm run data\` to regenerate it)`,
      problem: 'manifest',
    });
  });

  it('a response without a body is a file of 0 bytes', async () => {
    const io = tinyIO(dataset.files, (file) => (file === 'test-labels.u8' ? new Response(null) : undefined));
    expect(await failure(io)).toEqual({ file: 'test-labels.u8', expected: '10 bytes', found: '0 bytes (truncated)', problem: 'size' });
  });

  it('a file of the right size with other bytes: both checksums', async () => {
    const files = new Map(dataset.files);
    const damaged = dataset.labels.test.slice();
    damaged[0] = 9;
    files.set('test-labels.u8', damaged);
    const entry = dataset.manifest.splits.test.labels;
    expect(await failure(tinyIO(files))).toEqual({
      file: 'test-labels.u8',
      expected: `SHA-256 ${entry.sha256}`,
      found: `SHA-256 ${nodeSha256Hex(damaged)} (the file is corrupt or from another build)`,
      problem: 'checksum',
    });
  });

  it('an image that does not decode, with the decoder’s message, or of the wrong size', async () => {
    const throwing = (thrown: unknown): LoaderIO => ({
      ...tinyIO(dataset.files),
      decodeGrayPng: () => Promise.reject(thrown),
    });
    // Sprites are decoded as they arrive, in parallel: whichever fails first is reported (on a busy
    // machine not always a split's first: CI once saw train-images-1.png), named by its file.
    const aSprite = expect.stringMatching(
      new RegExp(
        `^(${dataset.manifest.splits.train.sprites
          .concat(dataset.manifest.splits.test.sprites)
          .map((sprite) => sprite.file.replace('.', '\\.'))
          .join('|')})$`,
      ),
    );
    expect(await failure(throwing(new Error('bad PNG signature')))).toEqual({
      file: aSprite,
      expected: 'a decodable PNG image',
      found: 'an error: bad PNG signature',
      problem: 'decode',
    });
    expect((await failure(throwing('no decoder'))).found).toBe('an error: no decoder');
    const io = tinyIO(dataset.files);
    const wide: LoaderIO = { ...io, decodeGrayPng: async (bytes) => ({ ...(await io.decodeGrayPng(bytes)), width: 113 }) };
    expect(await failure(wide)).toEqual({ file: aSprite, expected: 'a 112x84 image', found: '113x84', problem: 'dimensions' });
    const short: LoaderIO = { ...io, decodeGrayPng: async (bytes) => ({ ...(await io.decodeGrayPng(bytes)), height: 83 }) };
    expect((await failure(short)).found).toBe('112x83');
  });

  it('decoded pixels that differ from the IDX bytes: both hashes', async () => {
    const files = withManifest(dataset, (m) => (m.splits.test.pixelsSha256 = '0'.repeat(64)));
    const found = await failure(tinyIO(files));
    expect(found).toMatchObject({
      file: 'test-images-0.png',
      expected: `decoded pixels equal to the IDX bytes (SHA-256 ${'0'.repeat(64)})`,
      problem: 'pixels',
    });
    expect(found.found).toBe(
      `SHA-256 ${dataset.manifest.splits.test.pixelsSha256}: the browser altered the pixels while decoding (colour management?)`,
    );
  });

  it('a label of 10, the first past 0-9', async () => {
    const labels = dataset.labels.test.slice();
    labels[7] = 10;
    const files = withManifest(dataset, (m) => Object.assign(m.splits.test.labels, { sha256: nodeSha256Hex(labels) }));
    files.set('test-labels.u8', labels);
    expect(await failure(tinyIO(files))).toEqual({
      file: 'test-labels.u8',
      expected: 'labels 0-9',
      found: 'label 10 at digit 7',
      problem: 'labels',
    });
  });

  it('label counts that differ from the manifest', async () => {
    const files = withManifest(dataset, (m) => (m.splits.test.labelCounts = [2, 1, 1, 1, 1, 1, 1, 1, 1, 0]));
    expect(await failure(tinyIO(files))).toEqual({
      file: 'test-labels.u8',
      expected: 'label counts 2 1 1 1 1 1 1 1 1 0',
      found: '1 1 1 1 1 1 1 1 1 1',
      problem: 'labels',
    });
  });
});

describe('downloads', () => {
  it('the first bad file cancels every other download', async () => {
    const signals: AbortSignal[] = [];
    const io = tinyIO(dataset.files);
    const watched: typeof fetch = (input, init) => {
      if (init?.signal) signals.push(init.signal);
      return String(input).endsWith('train-labels.u8') ? Promise.resolve(new Response('gone', { status: 410 })) : io.fetch(input, init);
    };
    expect((await failure({ ...io, fetch: watched })).problem).toBe('http');
    // The manifest, then both splits' labels and sprites (3 and 1).
    expect(signals).toHaveLength(1 + 2 + 4);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });

  it('a download that is slow but keeps sending is not stalled: every chunk rearms the watchdog', async () => {
    const sprite = 'train-images-0.png';
    // 400 bytes every 50 ms: more than twice the stall timeout in all.
    const io = tinyIO(dataset.files, (file) => (file === sprite ? slowResponse(dataset.files.get(file)!, 400, 50) : undefined));
    expect(Math.ceil(dataset.files.get(sprite)!.length / 400) * 50).toBeGreaterThan(2 * 250);
    const data = await loadMnist(io, { ...options, stallTimeoutMs: 250 });
    expect(data.train.count).toBe(TINY_COUNTS.train);
  });

  it('a stall names the files still pending, how long nothing came, and says the download stalled', async () => {
    const pending = (signal: AbortSignal | null | undefined) =>
      new Promise<Response>((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const io = tinyIO(dataset.files);
    const hanging: typeof fetch = (input, init) =>
      /test-images-0|train-images-2/.test(String(input)) ? pending(init?.signal) : io.fetch(input, init);
    expect(await failure({ ...io, fetch: hanging }, { stallTimeoutMs: 150 })).toEqual({
      file: 'train-images-2.png, test-images-0.png',
      expected: 'data to keep arriving (at least every 0.15 s)',
      found: 'nothing for 0.15 s: the download stalled (check the connection, then try again)',
      problem: 'stalled',
    });
  });

  it('a slow decode after the downloads is not a stall: its own error is reported', async () => {
    const io = tinyIO(dataset.files);
    const slow: LoaderIO = {
      ...io,
      decodeGrayPng: () => new Promise((_, reject) => setTimeout(() => reject(new Error('out of memory')), 600)),
    };
    expect(await failure(slow, { stallTimeoutMs: 250 })).toMatchObject({ found: 'an error: out of memory', problem: 'decode' });
  });

  it('waits 30 s for the next byte by default, and leaves no timer behind when a load fails', async () => {
    expect(DEFAULT_STALL_TIMEOUT_MS).toBe(30_000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const files = new Map(dataset.files);
    files.delete('manifest.json');
    const failed = failure(tinyIO(files));
    expect(vi.getTimerCount()).toBe(1);
    expect((await failed).problem).toBe('http');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('sha256Hex', () => {
  it('is 64 lowercase hex digits, leading zeros kept', async () => {
    // FIPS 180-4's "abc": its digest holds the byte 0x01, written "01".
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../scripts/mnist-sprites.mjs';
import { DataFileError } from '../../src/data/dataFileError';
import { loadMnist, type GrayImage, type LoaderIO, type LoadOptions } from '../../src/data/mnistLoader';
import { decodeGrayPng } from '../../src/data/png';
import { BASE_URL, TINY_COUNTS, makeTinyDataset, tinyIO, withManifest } from './fixtures';

const options = { baseUrl: BASE_URL, expectedCounts: TINY_COUNTS };

/** Loads and returns the DataFileError it must throw. */
async function loadError(io: LoaderIO, extra: Partial<LoadOptions> = {}): Promise<DataFileError> {
  const error = await loadMnist(io, { ...options, ...extra }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFileError);
  return error as DataFileError;
}

describe('loadMnist', () => {
  const dataset = makeTinyDataset();

  it('loads every split as pixels in [0, 1] (bytes / 255) and labels as bytes, in IDX order', async () => {
    expect(dataset.manifest.splits.train.sprites.map((s) => s.count)).toEqual([12, 12, 6]);
    const data = await loadMnist(tinyIO(dataset.files), options);
    for (const split of ['train', 'test'] as const) {
      expect(data[split].count).toBe(TINY_COUNTS[split]);
      expect(Array.from(data[split].labels)).toEqual(Array.from(dataset.labels[split]));
      expect(data[split].images).toBeInstanceOf(Float32Array);
      expect(data[split].images).toEqual(Float32Array.from(dataset.pixels[split], (b) => b / 255));
    }
  });

  it('reports progress in bytes, rising to the total of the manifest files', async () => {
    const seen: [number, number][] = [];
    await loadMnist(tinyIO(dataset.files), { ...options, onProgress: (loaded, total) => seen.push([loaded, total]) });
    const entries = Object.values(dataset.manifest.splits).flatMap((s) => [s.labels, ...s.sprites]);
    const total = entries.reduce((sum, e) => sum + e.bytes, 0);
    expect(seen[0]).toEqual([0, total]);
    expect(seen.at(-1)).toEqual([total, total]);
    expect(seen.map(([loaded]) => loaded)).toEqual(seen.map(([loaded]) => loaded).sort((a, b) => a - b));
  });

  it('decodes the sprites one at a time, each into the buffer of the one before where the sizes match, and the pixels stay exact', async () => {
    let inFlight = 0;
    let most = 0;
    const made: GrayImage[] = [];
    const given: (Uint8Array | undefined)[] = [];
    const io: LoaderIO = {
      ...tinyIO(dataset.files),
      decodeGrayPng: async (bytes, reuse) => {
        most = Math.max(most, ++inFlight);
        given.push(reuse);
        const image = await decodeGrayPng(bytes, reuse);
        inFlight--;
        made.push(image);
        return image;
      },
    };
    const data = await loadMnist(io, options);
    expect(most).toBe(1);
    expect(made).toHaveLength(given.length);
    // After the first, each decode is offered the buffer of the one before; it is used where the size matches.
    expect(given[0]).toBeUndefined();
    for (let i = 1; i < made.length; i++) {
      expect(given[i]).toBe(made[i - 1]!.gray);
      if (made[i]!.gray.length === made[i - 1]!.gray.length) expect(made[i]!.gray).toBe(made[i - 1]!.gray);
    }
    expect(made.filter((image, i) => i > 0 && image.gray === made[i - 1]!.gray).length).toBeGreaterThan(0);
    for (const split of ['train', 'test'] as const) expect(data[split].bytes).toEqual(dataset.pixels[split]);
  });

  it('names a missing file and the HTTP status', async () => {
    const files = new Map(dataset.files);
    files.delete('train-images-1.png');
    const error = await loadError(tinyIO(files));
    expect(error.file).toBe('train-images-1.png');
    expect(error.expected).toBe('HTTP 200');
    expect(error.found).toBe('HTTP 404 Not Found');
  });

  it('recognises the HTML page a dev server sends for a missing file', async () => {
    const io = tinyIO(dataset.files, (file) =>
      file === 'test-labels.u8' ? new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }) : undefined,
    );
    const error = await loadError(io);
    expect(error.file).toBe('test-labels.u8');
    expect(error.found).toContain('HTML page');
  });

  it('names a truncated file with both sizes', async () => {
    const files = new Map(dataset.files);
    files.set('train-labels.u8', dataset.labels.train.subarray(0, 25));
    const error = await loadError(tinyIO(files));
    expect(error.file).toBe('train-labels.u8');
    expect(error.expected).toBe('30 bytes');
    expect(error.found).toBe('25 bytes (truncated)');
  });

  it('names a file that is too long', async () => {
    const files = new Map(dataset.files);
    files.set('test-labels.u8', new Uint8Array(11));
    const error = await loadError(tinyIO(files));
    expect(error.found).toBe('11 bytes (too long)');
  });

  it('names a file whose checksum differs', async () => {
    const files = new Map(dataset.files);
    const damaged = files.get('train-images-2.png')!.slice();
    damaged[damaged.length - 20]! ^= 1;
    files.set('train-images-2.png', damaged);
    const error = await loadError(tinyIO(files));
    expect(error.file).toBe('train-images-2.png');
    expect(error.expected).toBe(`SHA-256 ${dataset.manifest.splits.train.sprites[2]!.sha256}`);
    expect(error.found).toMatch(/^SHA-256 [0-9a-f]{64} /);
  });

  it('names an image that does not decode, and one of the wrong size', async () => {
    const garbage = new Uint8Array(100).fill(9);
    const files = withManifest(dataset, (m) => Object.assign(m.splits.test.sprites[0]!, { bytes: 100, sha256: sha256Hex(garbage) }));
    files.set('test-images-0.png', garbage);
    const undecodable = await loadError(tinyIO(files));
    expect(undecodable.file).toBe('test-images-0.png');
    expect(undecodable.expected).toBe('a decodable PNG image');

    // A valid PNG of another split's sprite: the right format, the wrong size.
    const wrong = dataset.files.get('train-images-2.png')!;
    const files2 = withManifest(dataset, (m) =>
      Object.assign(m.splits.test.sprites[0]!, { bytes: wrong.length, sha256: sha256Hex(wrong) }),
    );
    files2.set('test-images-0.png', wrong);
    const wrongSize = await loadError(tinyIO(files2));
    expect(wrongSize.expected).toBe('a 112x84 image');
    expect(wrongSize.found).toBe('112x56');
  });

  it('refuses decoded pixels that do not hash to the IDX bytes', async () => {
    const files = withManifest(dataset, (m) => (m.splits.train.pixelsSha256 = 'f'.repeat(64)));
    const error = await loadError(tinyIO(files));
    expect(error.file).toBe('train-images-0.png, train-images-1.png, train-images-2.png');
    expect(error.found).toContain('altered the pixels');
  });

  it('refuses labels out of range and label counts that differ from the manifest', async () => {
    const outOfRange = dataset.labels.test.slice();
    outOfRange[4] = 12;
    const files = withManifest(dataset, (m) => Object.assign(m.splits.test.labels, { sha256: sha256Hex(outOfRange) }));
    files.set('test-labels.u8', outOfRange);
    const range = await loadError(tinyIO(files));
    expect(range.file).toBe('test-labels.u8');
    expect(range.found).toBe('label 12 at digit 4');

    const counts = withManifest(dataset, (m) => (m.splits.train.labelCounts = [4, 2, 3, 3, 3, 3, 3, 3, 3, 3]));
    const mismatch = await loadError(tinyIO(counts));
    expect(mismatch.expected).toBe('label counts 4 2 3 3 3 3 3 3 3 3');
    expect(mismatch.found).toBe('3 3 3 3 3 3 3 3 3 3');
  });

  it('names a manifest that is missing, not JSON, or not a manifest', async () => {
    const files = new Map(dataset.files);
    files.delete('manifest.json');
    expect((await loadError(tinyIO(files))).file).toBe('manifest.json');

    files.set('manifest.json', new TextEncoder().encode('{"format": '));
    const json = await loadError(tinyIO(files));
    expect(json.expected).toBe('valid JSON');

    const wrongFormat = await loadError(tinyIO(withManifest(dataset, (m) => (m.format = 'other/2'))));
    expect(wrongFormat.expected).toBe('format "lenet-lab-mnist/1"');
    expect(wrongFormat.found).toBe('"other/2"');
  });

  it('refuses a manifest that is not the official split (the 55,000-digit subset, say)', async () => {
    const error = await loadMnist(tinyIO(dataset.files), { baseUrl: BASE_URL }).catch((e: unknown) => e as DataFileError);
    expect(error).toBeInstanceOf(DataFileError);
    expect((error as DataFileError).expected).toBe('splits.train.count 60000 (the official MNIST split)');
    expect((error as DataFileError).found).toBe('30');
  });

  it('gives up on a download that stalls, naming the files still pending, instead of waiting forever', async () => {
    // The sprite's server sends headers, then nothing: the read only ends when the loader aborts it.
    const stalled = (signal: AbortSignal | null | undefined) =>
      new Response(
        new ReadableStream({
          start(controller) {
            signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
          },
        }),
      );
    const io = tinyIO(dataset.files);
    const fetchStalling: typeof fetch = (input, init) =>
      String(input).endsWith('train-images-1.png') ? Promise.resolve(stalled(init?.signal)) : io.fetch(input, init);
    const error = await loadError({ ...io, fetch: fetchStalling }, { stallTimeoutMs: 100 });
    expect(error.file).toBe('train-images-1.png');
    expect(error.found).toBe('nothing for 0.1 s: the download stalled (check the connection, then try again)');
  });
});

/**
 * Loads the MNIST files described by public/data/manifest.json: fetches them with progress, checks
 * each against the manifest (HTTP status, byte size, SHA-256, image size, label range and counts),
 * decodes the sprites and proves the decoded pixels are the IDX bytes (their SHA-256 equals the
 * manifest's pixelsSha256). Runs in the worker; fetch and the PNG decoder are passed in, so unit
 * tests run it in Node on files written by the generator.
 */
import { DataFileError } from './dataFileError';
import {
  MANIFEST_FILE,
  NUM_CLASSES,
  OFFICIAL_COUNTS,
  PIXELS_PER_IMAGE,
  manifestTotalBytes,
  parseManifest,
  type FileEntry,
  type MnistManifest,
  type SplitEntry,
  type SplitName,
  type SpriteEntry,
} from './mnist';
import { bytesToPixels, extractTiles } from './sprite';
import { sha256 } from './sha256';

/**
 * One split in memory: `bytes` are the IDX bytes, [count, 28, 28] row-major; `images` the same as
 * pixels in [0, 1] ([count, 28, 28, 1]), made on first use (the first batch), not while the page
 * waits for "ready": 47 million floats take about 0.2 s.
 */
export interface MnistSplit {
  count: number;
  bytes: Uint8Array;
  readonly images: Float32Array;
  labels: Uint8Array;
}

export interface MnistData {
  manifest: MnistManifest;
  train: MnistSplit;
  test: MnistSplit;
}

/**
 * A decoded grayscale image: one byte a pixel, row-major, pixel (x, y) at
 * `offset + y * stride + x` (a PNG decoded in place keeps each row's filter byte: stride width + 1, offset 1).
 */
export interface GrayImage {
  width: number;
  height: number;
  gray: Uint8Array;
  /** Bytes from one row to the next (default: width). */
  stride?: number;
  /** Where the first pixel is (default: 0). */
  offset?: number;
}

export interface LoaderIO {
  fetch: typeof fetch;
  /**
   * Decodes PNG bytes without colour management; throws if they are not a decodable image. `reuse`,
   * if given, is a buffer the caller is done with that the decoder may decode into.
   */
  decodeGrayPng(bytes: Uint8Array, reuse?: Uint8Array): Promise<GrayImage>;
}

export interface LoadOptions {
  /** URL of the folder that holds manifest.json, ending in '/'. */
  baseUrl: string;
  onProgress?: (loadedBytes: number, totalBytes: number) => void;
  /** Digit counts the manifest must declare; the official split unless a test says otherwise. */
  expectedCounts?: Record<SplitName, number>;
  /** Give up when no byte arrives for this long (default DEFAULT_STALL_TIMEOUT_MS). */
  stallTimeoutMs?: number;
}

/** A download that receives nothing for this long is called stalled, so the page never waits forever. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** Loads and checks the whole data set. @throws DataFileError for any file that is not as expected */
export async function loadMnist(io: LoaderIO, options: LoadOptions): Promise<MnistData> {
  // One controller cancels every download: on the first bad file (the error is what the user needs
  // now) or when the watchdog sees no byte arrive for the stall timeout.
  const abort = new AbortController();
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const watchdog = createWatchdog(stallMs, () => abort.abort());
  const pending = new Set<string>();
  const tracked = async <T>(file: string, work: () => Promise<T>): Promise<T> => {
    pending.add(file);
    try {
      const result = await work();
      pending.delete(file);
      return result;
    } catch (error) {
      abort.abort();
      throw error;
    }
  };

  try {
    const manifest = await tracked(MANIFEST_FILE, () => fetchManifest(io, options, abort.signal));
    const totalBytes = manifestTotalBytes(manifest);
    let loadedBytes = 0;
    options.onProgress?.(0, totalBytes);
    const onBytes = (n: number) => {
      watchdog.arm();
      loadedBytes += n;
      options.onProgress?.(loadedBytes, totalBytes);
    };
    const downloads: Promise<Uint8Array>[] = [];
    const download = (entry: FileEntry) => {
      const bytes = tracked(entry.file, () => fetchChecked(io, options.baseUrl, entry, onBytes, abort.signal));
      downloads.push(bytes);
      return bytes;
    };

    // Fetch everything at once (the browser queues what it cannot run in parallel) and decode each
    // sprite as soon as it has arrived and passed its checks: decoding overlaps the downloads, and
    // each compressed file is dropped once its pixels are in place.
    const decode = serialDecoder(io);
    const train = loadSplit(manifest, manifest.splits.train, download, decode);
    const test = loadSplit(manifest, manifest.splits.test, download, decode);
    // Every download has started; once all have arrived, a slow decode is not a stalled network.
    Promise.all(downloads).then(watchdog.stop, () => undefined);
    const [trainSplit, testSplit] = await Promise.all([train, test]);
    return { manifest, train: trainSplit, test: testSplit };
  } catch (error) {
    abort.abort(); // the first failure is what the user needs: the other downloads stop
    if (!watchdog.fired) throw error;
    const seconds = stallMs / 1000;
    throw new DataFileError(
      [...pending].join(', '),
      `data to keep arriving (at least every ${seconds} s)`,
      `nothing for ${seconds} s: the download stalled (check the connection, then try again)`,
      'stalled',
    );
  } finally {
    watchdog.stop();
  }
}

/** Calls `onStall` unless `arm()` is called again within `ms`; armed from the start. */
function createWatchdog(ms: number, onStall: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const state = {
    fired: false,
    arm() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        state.fired = true;
        onStall();
      }, ms);
    },
    stop: () => clearTimeout(timer),
  };
  state.arm();
  return state;
}

async function fetchManifest(io: LoaderIO, options: LoadOptions, signal: AbortSignal): Promise<MnistManifest> {
  const response = await fetchOk(io, options.baseUrl, MANIFEST_FILE, signal);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(MANIFEST_FILE, 'valid JSON', `${errorText(error)} (run \`npm run data\` to regenerate it)`);
  }
  return parseManifest(json, options.expectedCounts ?? OFFICIAL_COUNTS);
}

async function fetchOk(io: LoaderIO, baseUrl: string, file: string, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await io.fetch(new URL(file, baseUrl).href, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new DataFileError(file, 'a response from the server', `a network error (${errorText(error)})`, 'network');
  }
  if (!response.ok) {
    throw new DataFileError(file, 'HTTP 200', `HTTP ${response.status} ${response.statusText}`.trim(), 'http');
  }
  // Vite's dev and preview servers answer a missing file with the app's index.html.
  if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
    throw new DataFileError(
      file,
      'the data file',
      'an HTML page instead: the file is missing on the server (run `npm run data`)',
      'missing',
    );
  }
  return response;
}

/** Downloads one file, counting bytes as they arrive, and checks its size and SHA-256. */
async function fetchChecked(
  io: LoaderIO,
  baseUrl: string,
  entry: FileEntry,
  onBytes: (n: number) => void,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const response = await fetchOk(io, baseUrl, entry.file, signal);
  const bytes = new Uint8Array(entry.bytes);
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length <= bytes.length) bytes.set(value, received);
      received += value.length;
      onBytes(value.length);
    }
  }
  if (received !== entry.bytes) {
    const how = received < entry.bytes ? 'truncated' : 'too long';
    throw new DataFileError(entry.file, `${entry.bytes} bytes`, `${received} bytes (${how})`, 'size');
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== entry.sha256) {
    throw new DataFileError(
      entry.file,
      `SHA-256 ${entry.sha256}`,
      `SHA-256 ${sha256} (the file is corrupt or from another build)`,
      'checksum',
    );
  }
  return bytes;
}

/** Downloads one split, decodes each sprite into its place as it arrives, then proves the pixels are the IDX bytes. */
async function loadSplit(
  manifest: MnistManifest,
  split: SplitEntry,
  download: (entry: FileEntry) => Promise<Uint8Array>,
  decode: SerialDecode,
): Promise<MnistSplit> {
  const bytes = new Uint8Array(split.count * PIXELS_PER_IMAGE);
  const [labels] = await Promise.all([
    download(split.labels).then((labels) => {
      checkLabels(split, labels);
      return labels;
    }),
    ...split.sprites.map(async (sprite) => decodeSprite(decode, manifest, sprite, await download(sprite), bytes)),
  ]);
  const pixelsSha256 = await sha256Hex(bytes);
  if (pixelsSha256 !== split.pixelsSha256) {
    const files = split.sprites.map((s) => s.file).join(', ');
    throw new DataFileError(
      files,
      `decoded pixels equal to the IDX bytes (SHA-256 ${split.pixelsSha256})`,
      `SHA-256 ${pixelsSha256}: the browser altered the pixels while decoding (colour management?)`,
      'pixels',
    );
  }
  let images: Float32Array | null = null;
  return {
    count: split.count,
    bytes,
    get images() {
      return (images ??= bytesToPixels(bytes));
    },
    labels,
  };
}

/** Decodes one sprite and copies its digits into `out` (the split's pixel bytes, in IDX order). */
async function decodeSprite(
  decode: SerialDecode,
  manifest: MnistManifest,
  sprite: SpriteEntry,
  file: Uint8Array,
  out: Uint8Array,
): Promise<void> {
  await decode(file, sprite.file, (image) => {
    if (image.width !== sprite.width || image.height !== sprite.height) {
      throw new DataFileError(sprite.file, `a ${sprite.width}x${sprite.height} image`, `${image.width}x${image.height}`, 'dimensions');
    }
    extractTiles(image, manifest.layout.columns, sprite.count, out, sprite.first);
  });
}

/** Decodes a sprite's file (named `name` in errors) and hands the image to `use`, in turn with the other sprites. */
type SerialDecode = (file: Uint8Array, name: string, use: (image: GrayImage) => void) => Promise<void>;

/**
 * Decodes sprites one after another, in the order they arrive, each into the buffer of the one
 * before, which `use` is done with: one 7.8 MB buffer instead of seven fresh ones a load (fresh
 * memory is a page fault per 4 kB, costly in the virtual machines tests run on). The worker does
 * the decoding on one thread either way, so taking turns costs nothing.
 */
function serialDecoder(io: LoaderIO): SerialDecode {
  let turn: Promise<unknown> = Promise.resolve();
  let spare: Uint8Array | undefined;
  return (file, name, use) => {
    const mine = turn.then(async () => {
      let image: GrayImage;
      try {
        image = await io.decodeGrayPng(file, spare);
      } catch (error) {
        throw new DataFileError(name, 'a decodable PNG image', `an error: ${errorText(error)}`, 'decode');
      }
      spare = undefined;
      use(image);
      spare = image.gray;
    });
    turn = mine.catch(() => undefined);
    return mine;
  };
}

function checkLabels(split: SplitEntry, labels: Uint8Array): void {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label >= NUM_CLASSES) {
      throw new DataFileError(split.labels.file, `labels 0-${NUM_CLASSES - 1}`, `label ${label} at digit ${i}`, 'labels');
    }
    counts[label]!++;
  }
  if (counts.join() !== split.labelCounts.join()) {
    throw new DataFileError(split.labels.file, `label counts ${split.labelCounts.join(' ')}`, counts.join(' '), 'labels');
  }
}

/** Lowercase hex SHA-256 (Web Crypto: in workers, pages and Node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // crypto.subtle exists in secure contexts only: a page over plain http (a school server) hashes in JS.
  const subtle = globalThis.crypto?.subtle as SubtleCrypto | undefined;
  const digest = subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)) : sha256(bytes);
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

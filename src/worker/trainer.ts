/**
 * The worker's session logic, independent of `self`: it takes a `post` function and the loader's
 * I/O, so unit tests drive it directly in Node. trainer.worker.ts wires it to the real worker.
 */
import { DataFileError } from '../data/dataFileError';
import { NUM_CLASSES, OFFICIAL_COUNTS, PIXELS_PER_IMAGE, manifestFiles, type SplitName } from '../data/mnist';
import { loadMnist, type LoaderIO, type MnistData } from '../data/mnistLoader';
import { firstIndicesPerClass, pixelsToBytes } from '../data/sprite';
import { SAMPLES_PER_CLASS, assertNever, type AppError, type DatasetSummary, type WorkerCommand, type WorkerEvent } from './protocol';

export type Post = (event: WorkerEvent, transfer?: Transferable[]) => void;

/** Progress events at most this often: enough for a smooth bar, few enough not to flood the UI. */
const PROGRESS_INTERVAL_MS = 50;

export interface Trainer {
  handle(command: WorkerCommand): Promise<void>;
}

/** Creates the worker-side session: owns the data set (and, later, the model). */
export function createTrainer(
  post: Post,
  io: LoaderIO,
  now: () => number = () => performance.now(),
  expectedCounts: Record<SplitName, number> = OFFICIAL_COUNTS,
): Trainer {
  let data: MnistData | null = null;
  let summary: DatasetSummary | null = null;
  let loading: Promise<void> | null = null;

  async function load(dataUrl: string): Promise<void> {
    const started = now();
    let lastProgress = -Infinity;
    data = await loadMnist(io, {
      baseUrl: dataUrl,
      expectedCounts,
      onProgress: (loadedBytes, totalBytes) => {
        const t = now();
        if (t - lastProgress < PROGRESS_INTERVAL_MS && loadedBytes < totalBytes) return;
        lastProgress = t;
        post({ type: 'loadProgressed', loadedBytes, totalBytes });
      },
    });
    summary = summarize(data, now() - started);
  }

  return {
    async handle(command) {
      try {
        switch (command.type) {
          case 'load': {
            // A second `load` (say, a remount) waits for the first instead of downloading again.
            if (!summary) {
              loading ??= load(command.dataUrl).finally(() => {
                loading = null;
              });
              await loading;
            }
            if (summary) {
              const samples = { ...summary.samples, bytes: summary.samples.bytes.slice() };
              post({ type: 'loaded', dataset: { ...summary, samples } }, [samples.bytes.buffer]);
            }
            return;
          }
          default:
            return assertNever(command.type);
        }
      } catch (error) {
        post({ type: 'failed', error: toAppError(error) });
      }
    },
  };
}

function summarize(data: MnistData, durationMs: number): DatasetSummary {
  const { train, test, manifest } = data;
  const indices = firstIndicesPerClass(train.labels, NUM_CLASSES, SAMPLES_PER_CLASS);
  const bytes = new Uint8Array(indices.length * PIXELS_PER_IMAGE);
  indices.forEach((index, i) => {
    const digit = train.images.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE);
    bytes.set(pixelsToBytes(digit), i * PIXELS_PER_IMAGE);
  });
  const files = manifestFiles(manifest);
  return {
    trainCount: train.count,
    testCount: test.count,
    labelCounts: { train: manifest.splits.train.labelCounts, test: manifest.splits.test.labelCounts },
    source: manifest.source,
    files: files.length,
    downloadedBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    durationMs,
    samples: { indices, labels: indices.map((i) => train.labels[i]!), bytes },
  };
}

/** Maps anything thrown to the protocol's error shape. */
export function toAppError(error: unknown): AppError {
  if (error instanceof DataFileError) return { kind: 'data', file: error.file, expected: error.expected, found: error.found };
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/**
 * The worker's data set: loads it once, reports progress, and hands it to the parts that train,
 * evaluate and show digits. It imports nothing of tfjs, so trainer.worker.ts starts the download
 * the moment the worker runs and imports tfjs and the rest of the session only once it is in.
 */
import { NUM_CLASSES, OFFICIAL_COUNTS, PIXELS_PER_IMAGE, manifestFiles, type SplitName } from '../data/mnist';
import { loadMnist, type LoaderIO, type MnistData } from '../data/mnistLoader';
import { firstIndicesPerClass } from '../data/sprite';
import { SAMPLES_PER_CLASS, type DatasetSummary } from '../shared/protocol';
import { SaidError } from './errors';
import type { Post } from './session';

/** Progress events at most this often: enough for a smooth bar, few enough not to flood the UI. */
const PROGRESS_INTERVAL_MS = 50;

export interface Dataset {
  /** Loads the data set from `dataUrl` once: a call while it loads, or after, shares that load. A failed load can be tried again. */
  load(dataUrl: string): Promise<DatasetSummary>;
  /** The data set, waiting for a load in progress. @throws SaidError when none was loaded */
  loaded(): Promise<MnistData>;
  /** Resolves once no load is in flight, however it ended: work that would slow the load waits for it. */
  settled(): Promise<void>;
}

export interface DatasetOptions {
  io: LoaderIO;
  now?: () => number;
  /** Digit counts the manifest must declare (tests use a tiny data set). */
  expectedCounts?: Record<SplitName, number>;
}

export function createDataset(post: Post, options: DatasetOptions): Dataset {
  const now = options.now ?? (() => performance.now());
  let data: MnistData | null = null;
  let summary: DatasetSummary | null = null;
  let loading: Promise<DatasetSummary> | null = null;

  async function load(dataUrl: string): Promise<DatasetSummary> {
    const started = now();
    let lastProgress = -Infinity;
    data = await loadMnist(options.io, {
      baseUrl: dataUrl,
      expectedCounts: options.expectedCounts ?? OFFICIAL_COUNTS,
      onProgress: (loadedBytes, totalBytes) => {
        const t = now();
        if (t - lastProgress < PROGRESS_INTERVAL_MS && loadedBytes < totalBytes) return;
        lastProgress = t;
        post({ type: 'loadProgressed', loadedBytes, totalBytes });
      },
    });
    summary = summarizeData(data, now() - started);
    return summary;
  }

  const dataset: Dataset = {
    load(dataUrl) {
      if (summary) return Promise.resolve(summary);
      loading ??= load(dataUrl).finally(() => {
        loading = null;
      });
      return loading;
    },
    async loaded() {
      if (loading) await loading;
      if (!data) throw new SaidError('the data set is not loaded yet', 'notLoaded');
      return data;
    },
    async settled() {
      await loading?.catch(() => undefined);
    },
  };
  return dataset;
}

/** Posts `loaded`: the summary, with its own copy of the sample digits' bytes (transferred). */
export function announceLoaded(post: Post, summary: DatasetSummary): void {
  const samples = { ...summary.samples, bytes: summary.samples.bytes.slice() };
  post({ type: 'loaded', dataset: { ...summary, samples } }, [samples.bytes.buffer]);
}

/** What the Data panel shows: counts, source, files, time, and the first digits of each class. */
function summarizeData(data: MnistData, durationMs: number): DatasetSummary {
  const { train, test, manifest } = data;
  const indices = firstIndicesPerClass(train.labels, NUM_CLASSES, SAMPLES_PER_CLASS);
  const bytes = new Uint8Array(indices.length * PIXELS_PER_IMAGE);
  indices.forEach((index, i) => {
    bytes.set(train.bytes.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE), i * PIXELS_PER_IMAGE);
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

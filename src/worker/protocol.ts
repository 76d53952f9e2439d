/**
 * The one contract between the UI thread and the training worker: commands in, events out. Both
 * sides switch on `type` and end with an exhaustiveness check, so a new variant makes `tsc` list
 * every place that must handle it. Payloads are plain data (structured-cloneable), never tensors;
 * large buffers travel as transferables.
 */

// The geometry both threads need, re-exported so the UI imports only this file from below it.
export { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';

/** Commands the UI sends to the worker (imperative names). */
export type WorkerCommand = {
  type: 'load';
  /** Absolute URL of the folder holding manifest.json, ending in '/'. */
  dataUrl: string;
};

/** What went wrong, in terms a person can act on. */
export type AppError =
  /** A data file is missing, truncated, corrupt or undecodable. */
  | { kind: 'data'; file: string; expected: string; found: string }
  /** The worker itself crashed or could not start. */
  | { kind: 'worker'; message: string }
  /** Anything else the worker caught. */
  | { kind: 'internal'; message: string };

/** Sample digits for the Data panel. */
export interface SampleDigits {
  /** Training-set index of each sample. */
  indices: number[];
  labels: number[];
  /** 28x28 bytes (0-255) per sample, one after another. */
  bytes: Uint8Array;
}

export interface DatasetSummary {
  trainCount: number;
  testCount: number;
  /** Digits per class, 0-9. */
  labelCounts: { train: number[]; test: number[] };
  source: string;
  files: number;
  downloadedBytes: number;
  durationMs: number;
  samples: SampleDigits;
}

/** Events the worker posts (past-tense names). */
export type WorkerEvent =
  | { type: 'loadProgressed'; loadedBytes: number; totalBytes: number }
  | { type: 'loaded'; dataset: DatasetSummary }
  | { type: 'failed'; error: AppError };

/** Samples shown per class in the Data panel. */
export const SAMPLES_PER_CLASS = 10;

/** Compile-time exhaustiveness check for switches over the unions above. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}

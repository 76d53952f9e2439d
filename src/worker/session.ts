/**
 * What the parts of the worker's session share, passed to each explicitly: the event sink, the
 * clock, the store, the data set and the backend (both owned by trainer.ts), the saved-model list,
 * and whether a run is training. Also the small helpers and errors they all use.
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/mnistLoader';
import type { BackendInfo, RunRecord, WorkerEvent } from '../shared/protocol';
import type { BackendChoice } from '../shared/settings';
import type { LibraryStore } from './library';

// The errors live in a module without tfjs: the worker's first chunk (dataset.ts) uses them too.
export { errorMessage, SaidError, SettingsError } from './errors';

export type Post = (event: WorkerEvent, transfer?: Transferable[]) => void;

export interface Session {
  post: Post;
  now: () => number;
  /** Saved models and the checkpoint; null where the browser gives the page no storage. */
  store: LibraryStore | null;
  /** The data set, waiting for a load in progress. @throws SaidError when none was loaded */
  loadedData(): Promise<MnistData>;
  /** Starts the chosen backend, or waits for the start under way. */
  ensureBackend(choice: BackendChoice): Promise<BackendInfo>;
  /** The LeNet Lab engine, compiled (once). @throws where this session has none */
  engineModule(): Promise<WebAssembly.Module>;
  /** Posts a storage failure once per worker, not once per epoch. */
  reportStorage(error: unknown): void;
  /** Posts the saved models and the checkpoint as the store holds them now. */
  postLibrary(): Promise<void>;
  /** True while a run trains: its model is the model in use until it ends. */
  training(): boolean;
  /** The model in use changed, or a run's model learned (`epoch`, the epochs it has trained): the class digits are read again. */
  modelUpdated(model: tf.LayersModel, epoch?: number): Promise<void>;
  /** A run finished and its model was adopted: it joins the run history. */
  runFinished(run: Omit<RunRecord, 'id' | 'finishedAt' | 'pinned'>): Promise<void>;
}

/** Digits evaluated per chunk: each chunk is one wait, between which pause, stop and ping get in. */
export const EVAL_CHUNK = 500;

/** Lets queued messages (pause, stop) in between batches: a macrotask, without setTimeout's clamping. */
export function yieldToEvents(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  // One channel for the thread's life, not one per yield. (Yielding only every 12 ms instead of after
  // every batch was measured too: the engine's steps then ran at 13,000 images/s instead of 18,000-21,000.)
  yielder ??= openYielder();
  return yielder();
}

let yielder: (() => Promise<void>) | null = null;

function openYielder(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

/** Bytes of the model's weights as stored (float32). */
export function weightBytes(model: tf.LayersModel): number {
  return model.weights.reduce((sum, w) => sum + w.shape.reduce((n: number, d) => n * (d ?? 1), 1) * 4, 0);
}

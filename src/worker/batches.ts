/**
 * Where a training step's digits come from: the training set itself, or, with "Varied handwriting"
 * on, a copy of the batch rewritten by src/data/styles.ts. The steppers take the digits
 * order[start .. start + count) of what they are given, so both kinds look the same to them.
 *
 * Rewriting a batch takes about 1.1 ms of a step's 5 (ReLU, engine). Where the platform has workers
 * (a browser), a helper thread (styles.worker.ts) rewrites the next batch while this one trains, so
 * it costs the run nothing it can see; elsewhere (Node, the tests) the same function runs inline.
 * Both give the same digits, bit for bit: a step's randomness depends on the seed and its number only.
 */
import { PIXELS_PER_IMAGE } from '../data/mnist';
import { mulberry32 } from '../data/random';
import { copyDigits, type Pixels } from '../data/sprite';
import { createStyleScratch, STYLE_RATES, varyDigit, type StyleRates } from '../data/styles';

export interface Batch {
  images: Pixels;
  labels: Uint8Array;
  order: ArrayLike<number>;
  start: number;
}

/** The digits a source draws from: bytes (0-255) as stored (see Pixels). */
export interface TrainDigits {
  bytes: Uint8Array;
  labels: Uint8Array;
}

export interface BatchSource {
  /** The digits order[start .. start + count) for step number `step` (counted over the whole run from 1). */
  next(order: Int32Array, start: number, count: number, step: number): Batch | Promise<Batch>;
  dispose(): void;
}

/** A source that answers at once (the one the helper thread runs). */
export interface InlineBatchSource extends BatchSource {
  next(order: ArrayLike<number>, start: number, count: number, step: number): Batch;
}

/** A source whose digits are copies, made into pixels (and rewritten) here. */
export interface MadeBatchSource extends InlineBatchSource {
  next(order: ArrayLike<number>, start: number, count: number, step: number): Batch & { images: Float32Array };
}

/** The training digits as they are: their bytes, made into pixels as a stepper copies them. */
export function plainBatches(train: TrainDigits): InlineBatchSource {
  return { next: (order, start) => ({ images: train.bytes, labels: train.labels, order, start }), dispose: () => {} };
}

/**
 * The training digits rewritten in varied styles, computed here. Each step's randomness comes from
 * the run's seed and the step's number alone, so a run resumed from a checkpoint sees the digits it
 * would have seen, and the helper thread computes the same digits as this does.
 */
export function variedBatches(train: TrainDigits, seed: number, maxBatch: number, rates: StyleRates = STYLE_RATES): MadeBatchSource {
  const images = new Float32Array(maxBatch * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(maxBatch);
  const identity = Int32Array.from({ length: maxBatch }, (_, i) => i);
  const scratch = createStyleScratch();
  return {
    next(order, start, count, step) {
      const random = mulberry32((Math.imul(seed, 0x9e3779b1) ^ step) >>> 0);
      for (let i = 0; i < count; i++) {
        const digit = order[start + i]!;
        const pixels = images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
        copyDigits(train.bytes, digit, pixels, 0);
        labels[i] = train.labels[digit]!;
        varyDigit(pixels, labels[i]!, random, scratch, rates);
      }
      return { images, labels, order: identity, start: 0 };
    },
    dispose: () => {},
  };
}

/**
 * What the helper thread is told: the training digits once a session, then for each run its seed
 * and batch size, then a few consecutive batches at a time (a chunk: their orders one after
 * another), with a spent chunk's pixels handed back to be filled again.
 */
export type StylesCommand =
  | { type: 'digits'; bytes: Uint8Array; labels: Uint8Array }
  | { type: 'run'; seed: number; maxBatch: number }
  | { type: 'batches'; id: number; order: Int32Array; counts: number[]; firstStep: number; reuse: Float32Array | null };
export type StylesAnswer = { id: number; images: Float32Array; labels: Uint8Array } | { id: number; error: string };

/** Batches in one request to the helper, and requests kept asked for ahead (12 batches, ~40 ms of the engine's steps). */
export const HELPER_CHUNK = 4;
const HELPER_CHUNKS_AHEAD = 3;

/** Fills `images` and `labels` with the chunk's batches, one after another, as variedBatches makes them (the helper's side). */
export function fillChunk(
  source: MadeBatchSource,
  command: Extract<StylesCommand, { type: 'batches' }>,
  maxBatch: number,
): { images: Float32Array; labels: Uint8Array } {
  const size = HELPER_CHUNK * maxBatch * PIXELS_PER_IMAGE;
  const images = command.reuse?.length === size ? command.reuse : new Float32Array(size);
  const labels = new Uint8Array(HELPER_CHUNK * maxBatch);
  let at = 0;
  command.counts.forEach((n, j) => {
    const batch = source.next(command.order, at, n, command.firstStep + j);
    images.set(batch.images.subarray(0, n * PIXELS_PER_IMAGE), at * PIXELS_PER_IMAGE);
    labels.set(batch.labels.subarray(0, n), at);
    at += n;
  });
  return { images, labels };
}

/**
 * variedBatches on a helper thread, ahead of the training: the helper fills chunks of HELPER_CHUNK
 * batches, HELPER_CHUNKS_AHEAD chunks asked for ahead within the epoch (the next epoch's order is
 * not shuffled yet). The trainer never waits for it: a batch whose chunk has not come back yet is
 * made here instead (the same pixels: a batch depends only on its digits and its step); the chunk's
 * later batches are taken from it if it is back by then. Falls back to this thread for good if the
 * helper fails. (The training digits go
 * to the helper once a session: sending each batch's digits with its request doubled the waits.
 * One request a batch, three ahead, awaited: the trainer waited 0.2-0.45 s a Quick demo, most of it
 * in its first seconds, while the helper started and the page drew its charts.)
 */
export function helperBatches(train: TrainDigits, seed: number, maxBatch: number, helper: StylesHelper): BatchSource {
  const inline = variedBatches(train, seed, maxBatch);
  const identity = Int32Array.from({ length: HELPER_CHUNK * maxBatch }, (_, i) => i);
  interface Chunk {
    id: number;
    /** The chunk's batches: step, and where in the epoch's order. */
    batches: { step: number; start: number; count: number }[];
    answer: { images: Float32Array; labels: Uint8Array } | null;
  }
  const worker = helper.worker;
  let chunks: Chunk[] = [];
  let failed = false;
  /** A spent chunk's pixels, handed back with the next request. */
  let spare: Float32Array | null = null;
  worker.onmessage = (event: MessageEvent<StylesAnswer>) => {
    const answer = event.data;
    const chunk = chunks.find((c) => c.id === answer.id);
    if ('error' in answer) failed ||= chunk !== undefined;
    else if (chunk) chunk.answer = answer;
    else spare = answer.images; // dropped meanwhile (or a previous run's)
  };
  worker.onerror = (event) => {
    event.preventDefault();
    failed = helper.failed = true;
  };
  worker.postMessage({ type: 'run', seed, maxBatch } satisfies StylesCommand);

  /** Asks for the chunk of batches that follows `after` in this epoch's order (none past its end). */
  function ask(order: Int32Array, after: { step: number; start: number; count: number }): boolean {
    const batches: Chunk['batches'] = [];
    let { step, start, count: n } = after;
    while (batches.length < HELPER_CHUNK && start + n < order.length) {
      start += n;
      step += 1;
      n = Math.min(maxBatch, order.length - start);
      batches.push({ step, start, count: n });
    }
    if (batches.length === 0) return false;
    const id = helper.nextId++;
    const first = batches[0]!.start;
    const last = batches.at(-1)!;
    const command: StylesCommand = {
      type: 'batches',
      id,
      order: order.slice(first, last.start + last.count),
      counts: batches.map((b) => b.count),
      firstStep: batches[0]!.step,
      reuse: spare,
    };
    worker.postMessage(command, spare ? [spare.buffer] : []);
    spare = null;
    chunks.push({ id, batches, answer: null });
    return true;
  }

  return {
    next(order, start, n, step) {
      if (failed || helper.failed) return inline.next(order, start, n, step);
      // Chunks before this batch's are spent (or were not needed): their pixels are filled again. A
      // batch no chunk foresaw (a resumed or stopped run, a new epoch) starts over from here.
      const index = chunks.findIndex((c) => c.batches.some((b) => b.step === step && b.start === start && b.count === n));
      for (const spent of chunks.splice(0, index < 0 ? chunks.length : index)) if (spent.answer) spare = spent.answer.images;
      const chunk = chunks[0];
      let batch: Batch;
      if (chunk?.answer) {
        let at = 0;
        for (const b of chunk.batches) {
          if (b.step === step) break;
          at += b.count;
        }
        batch = { images: chunk.answer.images, labels: chunk.answer.labels, order: identity, start: at };
      } else {
        batch = inline.next(order, start, n, step); // its chunk is not back yet (or was never asked for)
      }
      // Keep HELPER_CHUNKS_AHEAD chunks after this batch's asked for.
      const ahead = () => chunks.filter((c) => c.batches[0]!.step > step).length;
      while (ahead() < HELPER_CHUNKS_AHEAD && ask(order, chunks.at(-1)?.batches.at(-1) ?? { step, start, count: n }));
      return batch;
    },
    // The helper stays for the session's next run; its answers to this run find no taker.
    dispose() {
      worker.onmessage = null;
      chunks = [];
    },
  };
}

/**
 * The helper thread of a session, with the session's training digits. Starting it costs the
 * trainer's thread a few hundred ms on a busy 2-core machine (the thread's creation and a 47 MB copy
 * of the digits: 330 and 385 ms measured at a Quick demo's start), so it is started once, while the
 * page is idle after loading (prepareStylesHelper), and serves every run.
 */
export interface StylesHelper {
  worker: Worker;
  /** The digits it holds (the session's training set). */
  train: TrainDigits;
  /** Request ids, unique over the session, so that a run never takes a previous run's answer. */
  nextId: number;
  failed: boolean;
}

let shared: StylesHelper | null = null;

/** Starts the session's helper thread with its training digits, unless it runs already; null where there are no workers. */
export function prepareStylesHelper(train: TrainDigits): StylesHelper | null {
  if (typeof Worker === 'undefined') return null;
  if (shared && !shared.failed && shared.train.bytes === train.bytes) return shared;
  shared?.worker.terminate();
  const worker = new Worker(new URL('./styles.worker.ts', import.meta.url), { type: 'module', name: 'varied handwriting' });
  // A copy, handed over: the trainer keeps its own (the validation split, batches made here).
  const bytes = train.bytes.slice();
  const labels = train.labels.slice();
  worker.postMessage({ type: 'digits', bytes, labels } satisfies StylesCommand, [bytes.buffer, labels.buffer]);
  shared = { worker, train, nextId: 1, failed: false };
  return shared;
}

/** The batch source the settings ask for: varied on the session's helper thread where there are workers. */
export function batchesFor(train: TrainDigits, settings: { styles: number; seed: number; batchSize: number }): BatchSource {
  if (settings.styles !== 1) return plainBatches(train);
  const helper = prepareStylesHelper(train);
  if (!helper) return variedBatches(train, settings.seed, settings.batchSize);
  return helperBatches(train, settings.seed, settings.batchSize, helper);
}

export interface TeachDigits {
  /** digits x PIXELS_PER_IMAGE, in [0, 1]. */
  pixels: Float32Array;
  labels: Uint8Array;
}

/**
 * Copies of class digits get this light change each time they are drawn: a small warp and turn,
 * no added styles (a class's own style is what is taught).
 */
export const TEACH_VARIATION: StyleRates = { slashedZero: 0, flaggedOne: 0, crossedSeven: 0, elastic: 0.8, warpPx: 1.2, rotationDeg: 10 };

/**
 * A teaching run's digits: order indices below `mnistCount` are MNIST training digits (varied, as
 * the settings say), the ones above are the class digits repeated `copies` times, each drawn with a
 * light change of its own (TEACH_VARIATION). Built inline: one batch costs about a millisecond.
 */
export function teachingBatches(
  train: TrainDigits,
  mnistCount: number,
  teach: TeachDigits,
  settings: { styles: number; seed: number; batchSize: number },
): MadeBatchSource {
  const maxBatch = settings.batchSize;
  const images = new Float32Array(maxBatch * PIXELS_PER_IMAGE);
  const labels = new Uint8Array(maxBatch);
  const identity = Int32Array.from({ length: maxBatch }, (_, i) => i);
  const scratch = createStyleScratch();
  const classCount = teach.labels.length;
  return {
    next(order, start, count, step) {
      // Not the seed of variedBatches: a teaching run's changes differ from its model's first run's.
      const random = mulberry32((Math.imul(settings.seed ^ 0x5eed, 0x9e3779b1) ^ step) >>> 0);
      for (let i = 0; i < count; i++) {
        const digit = order[start + i]!;
        const pixels = images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
        if (digit < mnistCount) {
          copyDigits(train.bytes, digit, pixels, 0);
          labels[i] = train.labels[digit]!;
          if (settings.styles === 1) varyDigit(pixels, labels[i]!, random, scratch);
        } else {
          const own = (digit - mnistCount) % classCount;
          pixels.set(teach.pixels.subarray(own * PIXELS_PER_IMAGE, (own + 1) * PIXELS_PER_IMAGE));
          labels[i] = teach.labels[own]!;
          varyDigit(pixels, labels[i]!, random, scratch, TEACH_VARIATION);
        }
      }
      return { images, labels, order: identity, start: 0 };
    },
    dispose: () => {},
  };
}

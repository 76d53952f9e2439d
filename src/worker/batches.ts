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

/** What the helper thread is told: its digits once, then one batch at a time. */
export type StylesCommand =
  | { type: 'start'; bytes: Uint8Array; labels: Uint8Array; seed: number; maxBatch: number }
  | { type: 'batch'; id: number; order: Int32Array; step: number };
export type StylesAnswer = { id: number; images: Float32Array; labels: Uint8Array } | { id: number; error: string };

/**
 * Batches the helper prepares ahead of the one training: with one, the trainer waited for the
 * helper 0.6-1.5 s an epoch of the Quick demo (the moments the helper is not scheduled on 2 busy
 * cores); with three, 0.3-0.8 s.
 */
const HELPER_AHEAD = 3;

/**
 * variedBatches on a helper thread, a few batches ahead: each answer is followed by the requests
 * that keep HELPER_AHEAD batches of the same epoch asked for (the next epoch's order is not
 * shuffled yet, so its first batch is asked for when it is needed). Falls back to variedBatches
 * here if the helper fails. (The training digits go to the helper once, at the start: sending each
 * batch's digits with its request instead made the waits twice as long.)
 */
export function helperBatches(train: TrainDigits, count: number, seed: number, maxBatch: number, helper: Worker): BatchSource {
  const inline = variedBatches(train, seed, maxBatch);
  const identity = Int32Array.from({ length: maxBatch }, (_, i) => i);
  const waiting = new Map<number, { resolve: (batch: Batch) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failed: Error | null = null;
  helper.onmessage = (event: MessageEvent<StylesAnswer>) => {
    const answer = event.data;
    const request = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (!request) return;
    if ('error' in answer) request.reject(new Error(answer.error));
    else request.resolve({ images: answer.images, labels: answer.labels, order: identity, start: 0 });
  };
  helper.onerror = (event) => {
    event.preventDefault();
    failed = new Error(event.message || 'the handwriting helper stopped');
    for (const request of waiting.values()) request.reject(failed);
    waiting.clear();
  };
  // Only the digits a run can draw: a compact copy, handed over.
  const bytes = train.bytes.slice(0, count * PIXELS_PER_IMAGE);
  const labels = train.labels.slice(0, count);
  helper.postMessage({ type: 'start', bytes, labels, seed, maxBatch } satisfies StylesCommand, [bytes.buffer, labels.buffer]);

  const ask = (order: Int32Array, step: number): Promise<Batch> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      helper.postMessage({ type: 'batch', id, order, step } satisfies StylesCommand);
    });
  /** Batches asked for ahead, in step order: a queue absorbs the moments the helper is not scheduled. */
  let ahead: { step: number; start: number; count: number; batch: Promise<Batch> }[] = [];
  return {
    async next(order, start, n, step) {
      let batch: Batch;
      const first = ahead[0];
      const prepared = first && first.step === step && first.start === start && first.count === n ? first.batch : null;
      if (prepared) ahead.shift();
      else ahead = []; // not the batch foreseen (a resumed or stopped run): start over from here
      try {
        if (failed) throw failed;
        batch = await (prepared ?? ask(order.slice(start, start + n), step));
      } catch {
        return inline.next(order, start, n, step);
      }
      // Keep HELPER_AHEAD batches of this epoch asked for (the next epoch's order is not shuffled yet).
      let last = ahead.at(-1) ?? { step, start, count: n };
      while (ahead.length < HELPER_AHEAD && !failed) {
        const nextStart = last.start + last.count;
        if (nextStart >= order.length) break;
        const nextCount = Math.min(maxBatch, order.length - nextStart);
        const promise = ask(order.slice(nextStart, nextStart + nextCount), last.step + 1);
        promise.catch(() => {}); // read (or replaced by the inline path) when its step comes
        last = { step: last.step + 1, start: nextStart, count: nextCount, batch: promise };
        ahead.push(last);
      }
      return batch;
    },
    dispose() {
      helper.terminate();
      waiting.clear();
    },
  };
}

/** The batch source the settings ask for: on a helper thread where there are workers. */
export function batchesFor(train: TrainDigits, count: number, settings: { styles: number; seed: number; batchSize: number }): BatchSource {
  if (settings.styles !== 1) return plainBatches(train);
  if (typeof Worker === 'undefined') return variedBatches(train, settings.seed, settings.batchSize);
  const helper = new Worker(new URL('./styles.worker.ts', import.meta.url), { type: 'module', name: 'varied handwriting' });
  return helperBatches(train, count, settings.seed, settings.batchSize, helper);
}

/** The class digits a teaching run learns, as the network reads them. */
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

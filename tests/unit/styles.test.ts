/** "Varied handwriting": each style does what it says on real MNIST digits, and the batches it makes are reproducible. */
import { describe, expect, it } from 'vitest';
import { digitStatistics } from '../../src/data/digitStats';
import { PIXELS_PER_IMAGE } from '../../src/data/mnist';
import { mulberry32 } from '../../src/data/random';
import { createStyleScratch, penLine, varyDigit, type StyleRates } from '../../src/data/styles';
import {
  fillChunk,
  helperBatches,
  plainBatches,
  variedBatches,
  type Batch,
  type StylesAnswer,
  type StylesCommand,
  type StylesHelper,
} from '../../src/worker/batches';
import { pixelsToBytes } from '../../src/data/sprite';
import { mnist } from './engineFixtures';

const OFF: StyleRates = { slashedZero: 0, flaggedOne: 0, crossedSeven: 0, elastic: 0 };
const data = mnist(200);
const firstOf = (label: number) => {
  const i = data.labels.indexOf(label);
  return data.images.slice(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
};
const at = (p: Float32Array, x: number, y: number) => p[y * 28 + x]!;
const vary = (label: number, rates: Partial<StyleRates>, seed = 1) => {
  const pixels = firstOf(label);
  varyDigit(pixels, label, mulberry32(seed), createStyleScratch(), { ...OFF, ...rates });
  return pixels;
};
const inRange = (p: Float32Array) => p.every((v) => v >= 0 && v <= 1);

describe('penLine', () => {
  it('draws a solid core and an anti-aliased edge, combining with ink by max', () => {
    const p = new Float32Array(PIXELS_PER_IMAGE);
    p[14 * 28 + 20] = 0.3;
    penLine(p, 5, 14.5, 20, 14.5, 1);
    expect(at(p, 10, 14)).toBe(1);
    expect(at(p, 10, 15)).toBeCloseTo(0.5, 5);
    expect(at(p, 10, 16)).toBe(0);
    expect(at(p, 20, 14)).toBe(1);
    expect(inRange(p)).toBe(true);
  });
});

describe('varyDigit', () => {
  it('changes nothing with every rate at 0', () => {
    for (const label of [0, 1, 4, 7, 3]) expect(vary(label, {})).toEqual(firstOf(label));
  });

  it('slashes a zero: ink crosses the hole in the middle, fitted back into the 20-pixel box', () => {
    const before = firstOf(0);
    const after = vary(0, { slashedZero: 1 });
    expect(at(before, 14, 14)).toBeLessThan(0.2);
    // The slash runs through the ring's middle: somewhere near the centre is now ink.
    let centre = 0;
    for (let y = 12; y <= 16; y++) for (let x = 12; x <= 16; x++) centre = Math.max(centre, at(after, x, y));
    expect(centre).toBeGreaterThan(0.8);
    const s = digitStatistics(after);
    // 20 pixels with the faint edge; its solid part (what digitStatistics boxes) a little less.
    expect(Math.max(s.width, s.height)).toBeGreaterThanOrEqual(17);
    expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(21);
    expect(inRange(after)).toBe(true);
  });

  it('bars a seven: more ink, across the middle of its height', () => {
    const before = digitStatistics(firstOf(7)).mass;
    const after = vary(7, { crossedSeven: 1 });
    expect(digitStatistics(after).mass).toBeGreaterThan(before * 1.05);
    expect(inRange(after)).toBe(true);
  });

  it('flags a one: ink to the left of the stem, in its upper half', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const one = new Float32Array(PIXELS_PER_IMAGE);
      penLine(one, 14.5, 4.5, 14.5, 23.5, 1);
      varyDigit(one, 1, mulberry32(seed), createStyleScratch(), { ...OFF, flaggedOne: 1 });
      // The stem's column, from the lower part of the image.
      let stem = 0;
      for (let x = 0; x < 28; x++) if (at(one, x, 20) > at(one, stem, 20)) stem = x;
      let flag = 0;
      for (let y = 0; y < 14; y++) for (let x = 0; x < stem - 2; x++) flag = Math.max(flag, at(one, x, y));
      expect(flag).toBeGreaterThan(0.5);
      expect(inRange(one)).toBe(true);
    }
  });

  it('only touches the classes a style is for', () => {
    const all = { slashedZero: 1, flaggedOne: 1, crossedSeven: 1 };
    for (const label of [2, 3, 4, 5, 6, 8, 9]) expect(vary(label, all)).toEqual(firstOf(label));
  });

  it('warps a digit but keeps it a digit: about the same ink, in range, centre within a few pixels', () => {
    const before = digitStatistics(firstOf(3));
    for (let seed = 1; seed <= 5; seed++) {
      const after = vary(3, { elastic: 1 }, seed);
      expect(after).not.toEqual(firstOf(3));
      expect(inRange(after)).toBe(true);
      const s = digitStatistics(after);
      expect(s.mass / before.mass).toBeGreaterThan(0.75);
      expect(s.mass / before.mass).toBeLessThan(1.3);
      expect(Math.hypot(s.centre[0] - before.centre[0], s.centre[1] - before.centre[1])).toBeLessThan(3);
    }
  });
});

describe('batches', () => {
  const train = { images: data.images, bytes: pixelsToBytes(data.images), labels: data.labels };
  const order = Int32Array.from({ length: 200 }, (_, i) => 199 - i);
  const imagesOf = (batch: Batch, n: number) => batch.images.slice(0, n * PIXELS_PER_IMAGE);

  it('plain: the training set itself (its bytes), in the given order', () => {
    const batch = plainBatches(train).next(order, 10, 5, 1);
    expect(batch).toMatchObject({ images: train.bytes, labels: data.labels, order, start: 10 });
  });

  it('varied: copies, the same digits for the same seed and step, different for another step; the data set untouched', () => {
    const copy = data.images.slice();
    const a = variedBatches(train, 1, 64);
    const b = variedBatches(train, 1, 64);
    const first = a.next(order, 0, 64, 7);
    const firstImages = imagesOf(first, 64);
    expect(Array.from(first.labels.subarray(0, 64))).toEqual(Array.from(order.subarray(0, 64), (i) => data.labels[i]));
    expect(imagesOf(b.next(order, 0, 64, 7), 64)).toEqual(firstImages);
    expect(imagesOf(b.next(order, 0, 64, 8), 64)).not.toEqual(firstImages);
    expect(data.images).toEqual(copy);
    expect([first.start, first.order[5]]).toEqual([0, 5]);
    // From the bytes alone (the helper thread's case): the same pixels.
    expect(imagesOf(variedBatches({ bytes: train.bytes, labels: train.labels }, 1, 64).next(order, 0, 64, 7), 64)).toEqual(firstImages);
  });

  /** A helper thread in this one: runs styles.worker.ts's protocol (fillChunk on variedBatches), answering `delay` ms later. */
  function fakeHelper(failAt = Infinity, delay = 1) {
    let digits: { bytes: Uint8Array; labels: Uint8Array } | null = null;
    let run: ReturnType<typeof variedBatches> | null = null;
    const log: string[] = [];
    const posted: Float32Array[] = [];
    const reused: Float32Array[] = [];
    const worker = {
      onmessage: null as ((event: MessageEvent<StylesAnswer>) => void) | null,
      onerror: null as ((event: ErrorEvent) => void) | null,
      postMessage(command: StylesCommand) {
        if (command.type === 'digits') {
          digits = { bytes: command.bytes, labels: command.labels };
          return;
        }
        if (command.type === 'run') {
          log.push(`run ${command.seed}`);
          run = variedBatches(digits!, command.seed, command.maxBatch);
          return;
        }
        log.push(`${command.firstStep}:${command.order[0]}+${command.counts.join('+')}`);
        if (command.reuse) reused.push(command.reuse);
        setTimeout(() => {
          if (command.firstStep >= failAt) {
            worker.onerror?.({ message: 'boom', preventDefault: () => {} } as ErrorEvent);
            return;
          }
          const answer = fillChunk(run!, command, 64);
          posted.push(answer.images);
          worker.onmessage?.({ data: { id: command.id, ...answer } } as MessageEvent);
        }, delay);
      },
    };
    const copy = { bytes: train.bytes.slice(), labels: train.labels.slice() };
    worker.postMessage({ type: 'digits', ...copy });
    const helper: StylesHelper = { worker: worker as unknown as Worker, train, nextId: 1, failed: false };
    return { helper, worker, log, posted, reused };
  }

  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** One epoch of 200 digits in batches of 64 (64, 64, 64, 8), then the next epoch's first two. */
  const steps = [0, 64, 128, 192, 0, 64].map((start, k) => ({ start, n: Math.min(64, 200 - start), step: k + 1 }));

  it('on a helper thread: the same digits, chunks of the epoch asked for ahead, their pixels handed back to be filled again; the helper serves the next run', async () => {
    const { helper, worker, log, posted, reused } = fakeHelper();
    for (const seed of [3, 4]) {
      const inline = variedBatches(train, seed, 64);
      const source = helperBatches(train, seed, 64, helper);
      const fromHelper: boolean[] = [];
      for (const { start, n, step } of steps) {
        const got = await source.next(order, start, n, step);
        fromHelper.push(posted.includes(got.images as Float32Array));
        expect(imagesOf({ ...got, images: got.images.subarray(got.start * PIXELS_PER_IMAGE) }, n)).toEqual(
          imagesOf(inline.next(order, start, n, step), n),
        );
        expect(Array.from(got.labels.subarray(got.start, got.start + n))).toEqual(
          Array.from(order.subarray(start, start + n), (i) => train.labels[i]),
        );
        await tick(10); // the step's time: the helper answers meanwhile
      }
      // The first batch of each epoch is made here (its order was not known before); the rest came from the helper.
      expect(fromHelper).toEqual([false, true, true, true, false, true]);
      source.dispose();
      expect(worker.onmessage).toBeNull();
    }
    // Per run: its seed, then one chunk asked for after each epoch's first batch (the rest of the epoch, up to its end).
    const run = [`2:${order[64]}+64+64+8`, `6:${order[64]}+64+64+8`];
    expect(log).toEqual(['run 3', ...run, 'run 4', ...run]);
    // The first epoch's chunk, spent, went back with the second request.
    expect(reused[0]).toBe(posted[0]);
    // Ids are unique over the session: a run never takes a previous run's answer.
    expect(helper.nextId).toBe(5);
  });

  it('never waits for the helper: a batch not back yet is made here, the same pixels; after a failure, every batch is, and the helper is marked to be replaced', async () => {
    const inline = variedBatches(train, 3, 64);
    for (const [failAt, delay] of [
      [Infinity, 1000], // a slow helper: nothing comes back in time
      [2, 1], // a helper that fails on its first chunk
    ]) {
      const { helper, log, posted } = fakeHelper(failAt, delay);
      const source = helperBatches(train, 3, 64, helper);
      for (const { start, n, step } of steps) {
        const got = source.next(order, start, n, step);
        expect(got).not.toBeInstanceOf(Promise);
        const batch = got as Batch;
        expect(posted.includes(batch.images as Float32Array)).toBe(false);
        expect(imagesOf({ ...batch, images: batch.images.subarray(batch.start * PIXELS_PER_IMAGE) }, n)).toEqual(
          imagesOf(inline.next(order, start, n, step), n),
        );
        await tick(10);
      }
      // The failed helper is asked nothing more, and is marked for the session to replace.
      if (failAt === 2) {
        expect(log).toEqual(['run 3', `2:${order[64]}+64+64+8`]);
        expect(helper.failed).toBe(true);
      }
      source.dispose();
    }
  });
});

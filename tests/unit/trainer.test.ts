/**
 * The worker's session logic driven without a worker: a `post` that records events, the tiny data
 * set behind a fake fetch, and a fake clock for the progress throttle.
 */
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnistLoader';
import { createTrainer, toAppError } from '../../src/worker/trainer';
import type { WorkerEvent } from '../../src/worker/protocol';
import { BASE_URL, TINY_COUNTS, makeTinyDataset, tinyIO } from './fixtures';

/** A trainer over the tiny data set (which it is told to expect instead of the official counts). */
function tinyTrainer(files = makeTinyDataset().files) {
  const events: WorkerEvent[] = [];
  const io = tinyIO(files);
  let requests = 0;
  const countingIO = { ...io, fetch: ((input, init) => (requests++, io.fetch(input, init))) as typeof fetch };
  let clock = 0;
  const trainer = createTrainer(
    (event) => events.push(event),
    countingIO,
    () => (clock += 10),
    TINY_COUNTS,
  );
  return { trainer, events, requests: () => requests };
}

describe('createTrainer', () => {
  it('loads the data, posts throttled progress, then `loaded` with ten samples of each class present', async () => {
    const { trainer, events } = tinyTrainer();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    const progress = events.filter((e) => e.type === 'loadProgressed');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.loadedBytes).toBe(progress.at(-1)!.totalBytes);
    const loaded = events.at(-1)!;
    expect(loaded.type).toBe('loaded');
    if (loaded.type !== 'loaded') return;
    expect(loaded.dataset).toMatchObject({ trainCount: 30, testCount: 10, files: 6 });
    // The tiny set has 3 digits a class: all of them, in class order.
    expect(loaded.dataset.samples.labels).toEqual([
      0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9,
    ]);
    expect(loaded.dataset.samples.indices.slice(0, 3)).toEqual([0, 10, 20]);
    const data = await loadMnist(tinyIO(makeTinyDataset().files), { baseUrl: BASE_URL, expectedCounts: TINY_COUNTS });
    const first = loaded.dataset.samples.bytes.subarray(0, 784);
    expect(Array.from(first)).toEqual(Array.from(data.train.images.subarray(0, 784), (p) => Math.round(p * 255)));
  });

  it('answers a second `load` from memory, without downloading again', async () => {
    const { trainer, events, requests } = tinyTrainer();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    const before = requests();
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(requests()).toBe(before);
    expect(events.filter((e) => e.type === 'loaded')).toHaveLength(2);
  });

  it('posts `failed` naming the file when the data is bad, and can load again after', async () => {
    const files = makeTinyDataset().files;
    const good = files.get('test-labels.u8')!;
    files.set('test-labels.u8', good.subarray(0, 4));
    const { trainer, events } = tinyTrainer(files);
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(events.at(-1)).toEqual({
      type: 'failed',
      error: { kind: 'data', file: 'test-labels.u8', expected: '10 bytes', found: '4 bytes (truncated)' },
    });
    files.set('test-labels.u8', good);
    await trainer.handle({ type: 'load', dataUrl: BASE_URL });
    expect(events.at(-1)!.type).toBe('loaded');
  });

  it('maps unexpected exceptions to an internal error with their message', () => {
    expect(toAppError(new TypeError('boom'))).toEqual({ kind: 'internal', message: 'boom' });
    expect(toAppError('plain')).toEqual({ kind: 'internal', message: 'plain' });
  });
});

/**
 * The class digits in the worker's session (the engine trains, tfjs WASM reads, in Node; real
 * MNIST; IndexedDB from fake-indexeddb): drawings added with the digit meant, kept over a new session, exported and
 * imported without duplicates, bad files and empty drawings refused without a change, measured with
 * the model in use and after every epoch of a run, and taught: a new saved model whose run saw the
 * class digits' copies, the original kept, an interrupted run's checkpoint left alone.
 */
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { teachingCopies } from '../../src/data/classDigits';
import type { Stroke } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, splitSizes, type TrainSettings } from '../../src/shared/settings';
import type { LibraryStore } from '../../src/worker/library';
import { TEACHING } from '../../src/worker/teaching';
import { sharedRealData, useWasm } from './fixtures';
import { engineSession, expectFailed, newStore } from './session';

const data = sharedRealData();
const small: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 1, trainSize: 1000, batchSize: 50, backend: 'engine' };

/** A digit-like drawing of its own for each (label, n): a bent line, placed by n. */
function drawing(label: number, n: number): Stroke[] {
  const x = 60 + ((n * 37) % 120);
  return [
    [
      [x, 50],
      [x + 40 + label * 3, 60 + n],
      [x + 10, 150],
      [x + 20 + label, 220],
    ],
  ];
}

/** A session as the page starts one, asking for its class digits. */
const session = (store: LibraryStore | null) => engineSession(data, store, [{ type: 'listClassDigits' }]);

beforeAll(async () => {
  await useWasm();
});

describe('collecting class digits', () => {
  it('keeps drawings with the digit meant, over a new session; the same drawing twice is one digit; delete and clear', async () => {
    const factory = new IDBFactory();
    const first = await session(newStore(factory));
    expect(first.last('classDigitsListed')!.digits).toEqual([]);
    for (let n = 0; n < 6; n++) await first.send({ type: 'addClassDigit', strokes: drawing(n % 3, n), label: n % 3 });
    await first.send({ type: 'addClassDigit', strokes: drawing(0, 0), label: 0 });
    const listed = first.last('classDigitsListed')!;
    expect(listed.digits.map((d) => d.label)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(listed.bytes).toHaveLength(6 * 784);
    expect(Math.max(...listed.bytes)).toBe(255);
    // No model yet: nothing measured.
    expect(first.last('classDigitsMeasured')!.measurement).toBeNull();

    const second = await session(newStore(factory));
    expect(second.last('classDigitsListed')!.digits).toEqual(listed.digits);
    await second.send({ type: 'deleteClassDigit', id: listed.digits[1]!.id });
    expect(second.last('classDigitsListed')!.digits.map((d) => d.id)).toEqual(listed.digits.filter((_, i) => i !== 1).map((d) => d.id));
    await second.send({ type: 'clearClassDigits' });
    expect(second.last('classDigitsListed')!.digits).toEqual([]);
    expect((await session(newStore(factory))).last('classDigitsListed')!.digits).toEqual([]);
  });

  it('digits added within one millisecond keep the order they were added in, over a new session too', async () => {
    // The clock stands still (only Date is faked: fake-indexeddb's own timers run): each digit must
    // still get a later time than the one before, or a reload sorts equal times by id.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-12-02T14:45:30.772Z'));
      const factory = new IDBFactory();
      const first = await session(newStore(factory));
      for (let n = 0; n < 6; n++) await first.send({ type: 'addClassDigit', strokes: drawing(n % 3, n), label: n % 3 });
      const listed = first.last('classDigitsListed')!.digits;
      expect(listed.map((d) => d.label)).toEqual([0, 1, 2, 0, 1, 2]);
      expect(new Set(listed.map((d) => d.addedAt)).size).toBe(6);
      expect((await session(newStore(factory))).last('classDigitsListed')!.digits).toEqual(listed);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an empty drawing, a dot and a label out of range, with a message, changing nothing', async () => {
    const s = await session(null);
    await s.send({ type: 'addClassDigit', strokes: drawing(1, 1), label: 1 });
    expectFailed(3);
    await s.send({ type: 'addClassDigit', strokes: [], label: 1 });
    await s.send({ type: 'addClassDigit', strokes: [[[100, 100]]], label: 1 });
    await s.send({ type: 'addClassDigit', strokes: drawing(1, 2), label: 12 });
    const errors = s.of('failed').map((e) => e.error);
    expect(errors.map((e) => e.kind)).toEqual(['class', 'class', 'class']);
    expect(errors.map((e) => ('said' in e ? e.said?.code : null))).toEqual(['classDigitEmpty', 'classDigitNotDigit', 'classDigitLabel']);
    expect(s.last('classDigitsListed')!.digits).toHaveLength(1);
  });
});

describe('class-digit files', () => {
  it('export, then import into another browser twice: every digit once; a damaged file changes nothing', async () => {
    const from = await session(null);
    for (let n = 0; n < 8; n++) await from.send({ type: 'addClassDigit', strokes: drawing(n % 4, n), label: n % 4 });
    await from.send({ type: 'exportClassDigits' });
    const exported = from.last('classDigitsExported')!;
    expect(exported.count).toBe(8);
    expect(exported.name).toMatch(/^lenet-lab-class-digits-\d{4}-\d{2}-\d{2}\.json$/);

    const to = await session(newStore(new IDBFactory()));
    await to.send({ type: 'addClassDigit', strokes: drawing(9, 40), label: 9 });
    await to.send({ type: 'importClassDigits', files: [{ name: exported.name, text: exported.text }] });
    expect(to.last('classDigitsImported')).toMatchObject({ added: 8, duplicates: 0, files: 1 });
    await to.send({ type: 'importClassDigits', files: [{ name: exported.name, text: exported.text }] });
    expect(to.last('classDigitsImported')).toMatchObject({ added: 0, duplicates: 8 });
    const ids = to.last('classDigitsListed')!.digits.map((d) => d.id);
    expect(ids).toHaveLength(9);
    expect(new Set(ids).size).toBe(9);

    // One good file and one damaged one chosen together: neither is imported.
    await to.send({ type: 'clearClassDigits' });
    await to.send({
      type: 'importClassDigits',
      files: [
        { name: 'good.json', text: exported.text },
        { name: 'bad.json', text: exported.text.slice(0, 300) },
      ],
    });
    expect(to.last('classImportRejected')!.message).toMatch(/^"bad\.json" cannot be read/);
    expect(to.last('classDigitsListed')!.digits).toEqual([]);
  });
});

describe('measuring and teaching', () => {
  it('measures after every epoch and when the model changes; teaching saves a new model, keeps the original and an interrupted run', async () => {
    const factory = new IDBFactory();
    const store = newStore(factory);
    const s = await session(store);
    for (let n = 0; n < 12; n++) await s.send({ type: 'addClassDigit', strokes: drawing(n % 4, n), label: n % 4 });
    await s.send({ type: 'train', settings: { ...small, epochs: 2 } });
    const measured = s.of('classDigitsMeasured');
    // Epoch 0, 1 and 2 of the run, then the model adopted at its end.
    expect(measured.filter((m) => m.measurement !== null).length).toBeGreaterThanOrEqual(4);
    const original = s.last('modelChanged')!.model;
    const measurement = measured.at(-1)!.measurement!;
    expect(measurement.all.count).toBe(12);
    expect(measurement.readings.map((r) => r.label)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);

    // An interrupted run's checkpoint stays (teaching saves none of its own).
    const checkpoint = {
      settings: small,
      epoch: 1,
      history: [],
      weights: [],
      optimizer: { weights: [], accBeta: null },
      savedAt: '2026-11-30T00:00:00.000Z',
    };
    await store.putCheckpoint(checkpoint);

    Object.assign(TEACHING, { epochs: 1 });
    try {
      await s.send({ type: 'teachClassDigits' });
    } finally {
      Object.assign(TEACHING, { epochs: 2 });
    }
    const digits = s.last('classDigitsListed')!.digits;
    const held = digits.filter((d) => d.heldOut).length;
    expect(held).toBe(4); // one of each digit's three
    const plan = s.last('trainingStarted')!.plan;
    const copies = teachingCopies(12 - held, splitSizes(small).train);
    expect(plan.teaching).toEqual({ classDigits: 8, copies });
    expect(plan.trainCount).toBe(splitSizes(small).train + 8 * copies);
    expect(plan.settings).toMatchObject({ learningRate: TEACHING.learningRate, schedule: 'linear', epochs: 1, seed: small.seed + 1 });

    const result = s.last('taught')!.result;
    const taught = s.last('modelChanged')!.model;
    expect(result.from).toEqual({ id: original.id, name: original.name });
    expect(result.model.id).toBe(taught.id);
    expect(taught.classDigits).toBe(8);
    expect(taught.name).toBe(`${original.name} + our class digits (8)`);
    expect(result.before.mnist).toBe(original.evaluation.accuracy);
    expect(result.after.mnist).toBe(taught.evaluation.accuracy);
    expect(result.before.heldOut.count).toBe(4);
    expect(result.after.taught.count).toBe(8);
    const after = s.last('classDigitsMeasured')!.measurement!;
    expect(result.after.heldOut.correct).toBe(after.heldOut.correct);
    expect(after.heldOut.count).toBe(4);

    const saved = await store.list();
    expect(saved.map((m) => m.id)).toEqual([taught.id, original.id]);
    expect(await store.getCheckpoint()).toMatchObject({ epoch: 1, savedAt: checkpoint.savedAt });
  });

  it('says what is missing when there is no model or no digit to teach', async () => {
    const s = await session(null);
    expectFailed(2);
    await s.send({ type: 'teachClassDigits' });
    await s.send({ type: 'train', settings: small });
    await s.send({ type: 'teachClassDigits' });
    expect(s.of('failed').map((e) => ('said' in e.error ? e.error.said?.code : null))).toEqual(['classNoModel', 'classSetEmpty']);
    expect(s.of('failed').every((e) => e.error.kind === 'class')).toBe(true);
  });
});

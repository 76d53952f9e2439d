/**
 * The class digits' family of the reducer (src/ui/state/classDigits.ts): the list and its
 * measurement (never a stale one shown against a new list), what the last operation said, a
 * refusal that leaves the page as it was, and teaching from its request to its result.
 */
import { describe, expect, it } from 'vitest';
import { initialState, reduce } from '../../src/ui/state/appState';
import { currentMeasurement } from '../../src/ui/state/classDigits';
import type { ClassMeasurement, TeachResult } from '../../src/shared/protocol';

const digits = [
  { id: 'a', label: 1, addedAt: '2026-11-30T10:00:00.000Z', heldOut: false },
  { id: 'b', label: 7, addedAt: '2026-11-30T10:00:01.000Z', heldOut: true },
];
const tally = (count: number, correct: number) => ({ count, correct });
const measurement: ClassMeasurement = {
  all: tally(2, 1),
  heldOut: tally(1, 0),
  perDigit: Array.from({ length: 10 }, (_, d) => (d === 1 || d === 7 ? tally(1, d === 1 ? 1 : 0) : tally(0, 0))),
  confusion: Array.from({ length: 10 }, () => new Array<number>(10).fill(0)),
  readings: [
    { id: 'a', label: 1, predicted: 1, top: [] },
    { id: 'b', label: 7, predicted: 1, top: [] },
  ],
};

describe('class digits in the UI state', () => {
  it('keeps the list and its measurement; a measurement of another list is not shown', () => {
    let state = reduce(initialState(), { type: 'classDigitsListed', digits, bytes: new Uint8Array(2 * 784) });
    state = reduce(state, { type: 'classDigitsMeasured', measurement, epoch: null });
    expect(currentMeasurement(state)).toBe(measurement);
    // A digit deleted: until the new measurement comes, the old one is not shown against the new list.
    state = reduce(state, { type: 'classDigitsListed', digits: digits.slice(1), bytes: new Uint8Array(784) });
    expect(currentMeasurement(state)).toBeNull();
    state = reduce(state, { type: 'classDigitsMeasured', measurement: null, epoch: null });
    expect(state.classMeasurement).toBeNull();
  });

  it('says what the last operation did; a new one clears it; a refusal changes nothing else', () => {
    const ready = { ...initialState(), phase: 'done' as const };
    let state = reduce(ready, { type: 'classDigitsImported', added: 3, duplicates: 2, files: 2 });
    expect(state.classNote).toEqual({ kind: 'imported', added: 3, duplicates: 2, files: 2 });
    state = reduce(state, { type: 'classRequested' });
    expect(state.classNote).toBeNull();
    state = reduce(state, {
      type: 'classImportRejected',
      message: '"x.json" cannot be read',
      said: { code: 'classFileNotJson', values: { file: 'x.json' } },
    });
    expect(state.classNote).toEqual({
      kind: 'error',
      message: '"x.json" cannot be read',
      said: { code: 'classFileNotJson', values: { file: 'x.json' } },
    });
    state = reduce(state, { type: 'teachRequested' });
    expect(state.teaching).toBe(true);
    const refused = reduce(state, {
      type: 'failed',
      error: { kind: 'class', message: 'Add some class digits first.', said: { code: 'classSetEmpty', values: {} } },
    });
    expect(refused).toEqual({
      ...state,
      teaching: false,
      classNote: { kind: 'error', message: 'Add some class digits first.', said: { code: 'classSetEmpty', values: {} } },
    });
    expect(refused.phase).toBe('done');
    expect(refused.error).toBeNull();
  });

  it('holds the teaching result until the next teaching starts', () => {
    const result: TeachResult = {
      from: { id: 'm1', name: 'first' },
      model: { id: 'm2', name: 'first + our class digits (20)' },
      copies: 100,
      epochs: 2,
      stopped: false,
      before: { heldOut: tally(10, 9), taught: tally(20, 19), mnist: 0.98 },
      after: { heldOut: tally(10, 10), taught: tally(20, 20), mnist: 0.985 },
    };
    let state = reduce({ ...initialState(), teaching: true }, { type: 'taught', result });
    expect(state).toMatchObject({ teaching: false, taught: result });
    state = reduce(state, { type: 'teachRequested' });
    expect(state).toMatchObject({ teaching: true, taught: null });
  });
});

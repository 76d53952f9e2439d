/**
 * The class digits' pure part (src/data/classDigits.ts): content ids, the file and every way a file
 * can be refused, merging without duplicates, the held-out quarter, the measurement from
 * probabilities, and how often teaching repeats a digit.
 */
import { describe, expect, it } from 'vitest';
import {
  classDigitId,
  ClassFileError,
  classFileName,
  classFileText,
  heldOutIds,
  measureClass,
  newDigits,
  parseClassFile,
  teachingCopies,
  type ClassDigit,
} from '../../src/data/classDigits';
import type { Stroke } from '../../src/data/drawing';
import { PIXELS_PER_IMAGE } from '../../src/data/mnist';

function digit(label: number, n: number): ClassDigit {
  const strokes: Stroke[] = [
    [
      [10 + n, 20],
      [100, 150 + label],
    ],
    [[50, 50 + n]],
  ];
  const bytes = Uint8Array.from({ length: PIXELS_PER_IMAGE }, (_, i) => (i * (n + 3) + label) % 256);
  return { id: classDigitId(label, strokes), label, strokes, bytes, addedAt: new Date(Date.UTC(2026, 10, 30, 9, 0, n)).toISOString() };
}

const set = Array.from({ length: 30 }, (_, i) => digit(i % 10, i));
const text = classFileText(set, '2026-11-30T10:00:00.000Z');

/** The error parseClassFile throws for `content` (fails the test if it accepts it). */
function refusal(content: string, name = 'class.json'): ClassFileError {
  try {
    parseClassFile(content, name);
  } catch (error) {
    expect(error).toBeInstanceOf(ClassFileError);
    return error as ClassFileError;
  }
  throw new Error('the file was accepted');
}

const edited = (edit: (file: { version: number; digits: Record<string, unknown>[] } & Record<string, unknown>) => void) => {
  const file = JSON.parse(text);
  edit(file);
  return JSON.stringify(file);
};

describe('class digit ids', () => {
  it('are the same for the same label and strokes, and differ when either differs', () => {
    const a = digit(3, 1);
    expect(classDigitId(3, structuredClone(a.strokes))).toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(classDigitId(4, a.strokes)).not.toBe(a.id);
    expect(classDigitId(3, [[[11, 20]], ...a.strokes.slice(1)])).not.toBe(a.id);
  });
});

describe('the class-digits file', () => {
  it('round-trips every digit: label, strokes, the 28x28 bytes and the date', () => {
    expect(parseClassFile(text, 'class.json')).toEqual(set);
    expect(JSON.parse(text)).toMatchObject({ format: 'lenet-lab-class-digits', version: 1, count: 30, imageSize: 28 });
    expect(classFileName('2026-11-30T10:00:00.000Z')).toBe('lenet-lab-class-digits-2026-11-30.json');
  });

  it('refuses a file that is not JSON, naming it', () => {
    const error = refusal(text.slice(0, 500), 'phone-3.json');
    expect(error.said.code).toBe('classFileNotJson');
    expect(error.message).toBe('"phone-3.json" cannot be read: it is not JSON (damaged or cut short?). Nothing was imported.');
  });

  it('refuses JSON of another kind, and says where a model file goes', () => {
    expect(refusal('{"hello": 1}').said.code).toBe('classFileForeign');
    expect(refusal('[1, 2]').said.code).toBe('classFileForeign');
    expect(refusal('null').said.code).toBe('classFileForeign');
    const model = refusal(JSON.stringify({ modelTopology: {}, weightsManifest: [] }), 'lenet-lab-model.json');
    expect(model.said.code).toBe('classFileModel');
    expect(model.message).toMatch(/is a model file, not class digits: open it under Saved models/);
  });

  it('refuses a newer version', () => {
    const error = refusal(edited((f) => (f.version = 2)));
    expect(error.said).toEqual({ code: 'classFileNewer', values: { file: 'class.json', version: 2, supported: 1 } });
  });

  it.each([
    ['a label out of range', (d: Record<string, unknown>) => (d.label = 10), /digit 5: the label 10 is not a digit 0-9/],
    ['a label that is not a whole number', (d: Record<string, unknown>) => (d.label = 2.5), /the label 2.5 is not a digit 0-9/],
    [
      'strokes that are not points',
      (d: Record<string, unknown>) => (d.strokes = [[[1, 'a']]]),
      /its strokes are not lists of \[x, y\] points/,
    ],
    ['no strokes', (d: Record<string, unknown>) => (d.strokes = []), /its strokes are not lists/],
    ['an input of the wrong size', (d: Record<string, unknown>) => (d.input = btoa('abc')), /its input is not 28x28 pixels/],
    ['an input that is not base64', (d: Record<string, unknown>) => (d.input = '***'), /its input is not 28x28 pixels/],
    ['a missing date', (d: Record<string, unknown>) => delete d.addedAt, /its date is missing or not a date/],
    [
      'a changed label (the id no longer matches)',
      (d: Record<string, unknown>) => (d.label = ((d.label as number) + 1) % 10),
      /its id does not match/,
    ],
  ])('refuses the whole file for %s in one digit', (_, edit, message) => {
    const error = refusal(edited((f) => edit(f.digits[4]!)));
    expect(error.said.code).toBe('classFileDigit');
    expect(error.said.values.position).toBe(5);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/nothing was imported/);
  });

  it('refuses more digits than a class set may have', () => {
    const error = refusal(edited((f) => (f.digits = Array.from({ length: 10_001 }, () => ({})))));
    expect(error.said.code).toBe('classFileTooMany');
  });
});

describe('merging', () => {
  it('adds only digits not there yet, each once, and counts the rest as duplicates', () => {
    const { added, duplicates } = newDigits(set.slice(0, 10), [...set.slice(5, 20), set[12]!]);
    expect(added.map((d) => d.id)).toEqual(set.slice(10, 20).map((d) => d.id));
    expect(duplicates).toBe(6);
  });
});

describe('the held-out class digits', () => {
  it('are about a quarter of each digit (one of 3, 2 of 7), the same whatever the order', () => {
    const counts = [1, 2, 3, 4, 5, 7, 8, 11, 0, 3];
    const digits = counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => digit(label, 100 + i)));
    const held = heldOutIds(digits);
    const heldPerLabel = counts.map((_, label) => digits.filter((d) => d.label === label && held.has(d.id)).length);
    expect(heldPerLabel).toEqual(counts.map((n) => Math.floor((n + 1) / 4)));
    expect(heldPerLabel).toEqual([0, 0, 1, 1, 1, 2, 2, 3, 0, 1]);
    expect(heldOutIds(digits.slice().reverse())).toEqual(held);
  });
});

describe('the measurement', () => {
  it('counts right answers overall, held out and per digit, fills the confusion matrix and ranks the three likeliest', () => {
    const digits = [digit(0, 1), digit(1, 2), digit(1, 3), digit(7, 4)];
    const rows = [
      [0.9, 0.05, 0.05, 0, 0, 0, 0, 0, 0, 0], // 0 read right
      [0, 0.6, 0, 0, 0, 0, 0, 0.4, 0, 0], // 1 read right
      [0, 0.2, 0, 0, 0.2, 0, 0, 0.6, 0, 0], // 1 read as 7; 1 and 4 tie: the lower digit first
      [0, 0.7, 0, 0, 0, 0, 0, 0.3, 0, 0], // 7 read as 1
    ];
    const m = measureClass(digits, Float32Array.from(rows.flat()), new Set([digits[2]!.id, digits[0]!.id]));
    expect(m.all).toEqual({ count: 4, correct: 2 });
    expect(m.heldOut).toEqual({ count: 2, correct: 1 });
    expect(m.perDigit[0]).toEqual({ count: 1, correct: 1 });
    expect(m.perDigit[1]).toEqual({ count: 2, correct: 1 });
    expect(m.perDigit[7]).toEqual({ count: 1, correct: 0 });
    expect(m.perDigit[5]).toEqual({ count: 0, correct: 0 });
    expect(m.confusion[1]![7]).toBe(1);
    expect(m.confusion[7]![1]).toBe(1);
    expect(m.confusion.flat().reduce((a, b) => a + b)).toBe(4);
    expect(m.readings.map((r) => r.predicted)).toEqual([0, 1, 7, 1]);
    expect(m.readings[2]!.top.map((t) => t.digit)).toEqual([7, 1, 4]);
    expect(m.readings[2]!.top[0]!.probability).toBeCloseTo(0.6);
  });
});

describe('teaching copies', () => {
  it('make the class digits about 15% of an epoch, at most 100 copies each, at least one', () => {
    expect(teachingCopies(300, 48_000)).toBe(24);
    expect(teachingCopies(20, 48_000)).toBe(100);
    expect(teachingCopies(5000, 48_000)).toBe(1);
    expect(teachingCopies(0, 48_000)).toBe(0);
    expect(teachingCopies(40, 400)).toBe(2);
    expect(teachingCopies(300, 48_000, 0.05)).toBe(8);
    expect(teachingCopies(300, 48_000, 0), 'the benchmark control: none').toBe(0);
  });
});

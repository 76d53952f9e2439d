/**
 * "Our class digits" (issue 17): digits a class draws and labels itself, kept in the browser, moved
 * between devices as one file, measured with the model in use and used to teach it. This module is
 * the pure part: what a class digit is, its id, the file format and its checks, which digits are
 * kept out of teaching, and the measurement from the network's probabilities. No DOM, no tfjs.
 *
 * A digit's id is a hash of its label and its strokes: the same drawing imported from two files, or
 * twice from one, is one digit, so merging the phones and tablets of a class never duplicates.
 */
import type { Stroke } from './drawing';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS_PER_IMAGE } from './mnist';
import { sha256 } from './sha256';

export interface ClassDigit {
  /** classDigitId(label, strokes). */
  id: string;
  /** The digit the student meant (whatever the network read). */
  label: number;
  /** As drawn, in the Draw canvas's units (CANVAS_SIZE a side). */
  strokes: Stroke[];
  /** The network's 28x28 input made from the strokes, bytes 0-255. */
  bytes: Uint8Array;
  /** ISO 8601: when it was first added on any device. */
  addedAt: string;
}

/** The file's `format`; `version` rises when a reader of the old one could not read the new. */
export const CLASS_FILE_FORMAT = 'lenet-lab-class-digits';
export const CLASS_FILE_VERSION = 1;
/** A class set this large is already far more than a class draws; a file claiming more is not ours. */
export const MAX_CLASS_DIGITS = 10_000;
/** Strokes are in canvas units (0-280); a little past the edge is a stroke that left the canvas. */
const COORDINATE_LIMIT = 10_000;
const MAX_POINTS = 20_000;

/** The id of a digit with this label and these strokes: 32 hex digits of SHA-256 over both. */
export function classDigitId(label: number, strokes: Stroke[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify([label, strokes]));
  return Array.from(sha256(bytes).subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Why a class-digits file cannot be imported (the UI words each in the page's language). */
export type ClassFileCode =
  'classFileNotJson' | 'classFileForeign' | 'classFileModel' | 'classFileNewer' | 'classFileDigit' | 'classFileTooMany';

export class ClassFileError extends Error {
  override readonly name = 'ClassFileError';
  constructor(
    message: string,
    readonly said: { code: ClassFileCode; values: Record<string, string | number> },
  ) {
    super(message);
  }
}

interface FileDigit {
  id: string;
  label: number;
  addedAt: string;
  strokes: Stroke[];
  /** The 28x28 bytes in base64. */
  input: string;
}

/** The class set as one JSON file: versioned, and checked digit by digit when it comes back. */
export function classFileText(digits: readonly ClassDigit[], exportedAt: string): string {
  const file = {
    format: CLASS_FILE_FORMAT,
    version: CLASS_FILE_VERSION,
    exportedAt,
    imageSize: IMAGE_SIZE,
    count: digits.length,
    digits: digits.map((d): FileDigit => ({ id: d.id, label: d.label, addedAt: d.addedAt, strokes: d.strokes, input: toBase64(d.bytes) })),
  };
  return JSON.stringify(file);
}

/** The file name an export gets, e.g. lenet-lab-class-digits-2026-11-30.json. */
export const classFileName = (exportedAt: string) => `${CLASS_FILE_FORMAT}-${exportedAt.slice(0, 10)}.json`;

/**
 * The digits of a class-digits file, every one checked; the whole file is refused at the first
 * problem, so a damaged file changes nothing. @throws ClassFileError naming the file and the problem
 */
export function parseClassFile(text: string, fileName: string): ClassDigit[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClassFileError(`"${fileName}" cannot be read: it is not JSON (damaged or cut short?). Nothing was imported.`, {
      code: 'classFileNotJson',
      values: { file: fileName },
    });
  }
  const file = json as Record<string, unknown> | null;
  if (!file || typeof file !== 'object' || file.format !== CLASS_FILE_FORMAT) {
    if (file && typeof file === 'object' && 'modelTopology' in file) {
      throw new ClassFileError(`"${fileName}" is a model file, not class digits: open it under Saved models. Nothing was imported.`, {
        code: 'classFileModel',
        values: { file: fileName },
      });
    }
    throw new ClassFileError(`"${fileName}" is not a LeNet Lab class-digits file. Nothing was imported.`, {
      code: 'classFileForeign',
      values: { file: fileName },
    });
  }
  if (file.version !== CLASS_FILE_VERSION) {
    const version = typeof file.version === 'number' ? file.version : String(file.version);
    throw new ClassFileError(
      `"${fileName}" is version ${version} of the class-digits format; this page reads version ${CLASS_FILE_VERSION}. Nothing was imported.`,
      { code: 'classFileNewer', values: { file: fileName, version, supported: CLASS_FILE_VERSION } },
    );
  }
  const list = file.digits;
  if (!Array.isArray(list)) throw digitError(fileName, 0, 'there is no list of digits');
  if (list.length > MAX_CLASS_DIGITS) {
    throw new ClassFileError(`"${fileName}" holds ${list.length} digits, more than the ${MAX_CLASS_DIGITS} a class set may have.`, {
      code: 'classFileTooMany',
      values: { file: fileName, count: list.length, max: MAX_CLASS_DIGITS },
    });
  }
  return list.map((entry, i) => checkDigit(entry, fileName, i + 1));
}

function digitError(fileName: string, position: number, problem: string): ClassFileError {
  const where = position > 0 ? `, digit ${position}` : '';
  return new ClassFileError(`"${fileName}"${where}: ${problem}. The file is damaged; nothing was imported.`, {
    code: 'classFileDigit',
    values: { file: fileName, position, problem },
  });
}

function checkDigit(entry: unknown, fileName: string, position: number): ClassDigit {
  const fail = (problem: string) => digitError(fileName, position, problem);
  if (!entry || typeof entry !== 'object') throw fail('not a digit record');
  const { id, label, addedAt, strokes, input } = entry as Partial<Record<keyof FileDigit, unknown>>;
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= NUM_CLASSES) {
    throw fail(`the label ${JSON.stringify(label)} is not a digit 0-9`);
  }
  if (!isStrokes(strokes)) throw fail('its strokes are not lists of [x, y] points');
  if (typeof addedAt !== 'string' || Number.isNaN(Date.parse(addedAt))) throw fail('its date is missing or not a date');
  let bytes: Uint8Array | null = null;
  try {
    bytes = typeof input === 'string' ? fromBase64(input) : null;
  } catch {
    bytes = null;
  }
  if (!bytes || bytes.length !== PIXELS_PER_IMAGE) throw fail(`its input is not ${IMAGE_SIZE}x${IMAGE_SIZE} pixels`);
  // The id is recomputed: one that does not match says the record was changed or damaged.
  const expected = classDigitId(label, strokes);
  if (id !== expected) throw fail('its id does not match its label and strokes');
  return { id: expected, label, strokes, bytes, addedAt };
}

function isStrokes(value: unknown): value is Stroke[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  let points = 0;
  for (const stroke of value) {
    if (!Array.isArray(stroke) || stroke.length === 0) return false;
    for (const point of stroke) {
      if (!Array.isArray(point) || point.length !== 2) return false;
      if (!point.every((v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= COORDINATE_LIMIT)) return false;
      if (++points > MAX_POINTS) return false;
    }
  }
  return true;
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** What merging `incoming` into `current` adds: digits not there yet (by id), each once. */
export function newDigits(current: readonly ClassDigit[], incoming: readonly ClassDigit[]): { added: ClassDigit[]; duplicates: number } {
  const seen = new Set(current.map((d) => d.id));
  const added: ClassDigit[] = [];
  for (const digit of incoming) {
    if (seen.has(digit.id)) continue;
    seen.add(digit.id);
    added.push(digit);
  }
  return { added, duplicates: incoming.length - added.length };
}

/** Oldest first (ties by id): the order the grid shows and the file keeps. */
export const byAdded = (a: ClassDigit, b: ClassDigit) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : a.id < b.id ? -1 : 1);

/**
 * The class digits kept out of teaching, so "after" is measured on digits it never learned from:
 * about a quarter of each digit's drawings (one of 3, 2 of 7), chosen by id. Ids are hashes, so the
 * choice is as good as random, and the same on every device that holds the same set.
 */
export function heldOutIds(digits: readonly ClassDigit[]): Set<string> {
  const held = new Set<string>();
  for (let label = 0; label < NUM_CLASSES; label++) {
    const ids = digits
      .filter((d) => d.label === label)
      .map((d) => d.id)
      .sort();
    const keep = Math.floor((ids.length + 1) / 4);
    for (const id of ids.slice(0, keep)) held.add(id);
  }
  return held;
}

/** A class digit as the network reads it: the three likeliest digits, best first. */
export interface ClassReading {
  id: string;
  label: number;
  predicted: number;
  top: { digit: number; probability: number }[];
}

/** Right answers out of how many. */
export interface Tally {
  count: number;
  correct: number;
}

/** How the model in use does on the class set. */
export interface ClassMeasurement {
  /** Every class digit. */
  all: Tally;
  /** The digits kept out of teaching. */
  heldOut: Tally;
  /** By the digit meant, 0-9. */
  perDigit: Tally[];
  /** confusion[meant][read]. */
  confusion: number[][];
  /** One per class digit, in the order given. */
  readings: ClassReading[];
}

/** The measurement from the network's probabilities for `digits` (digits.length x 10, in order). */
export function measureClass(digits: readonly ClassDigit[], probabilities: Float32Array, heldOut: ReadonlySet<string>): ClassMeasurement {
  const tally = (): Tally => ({ count: 0, correct: 0 });
  const all = tally();
  const held = tally();
  const perDigit = Array.from({ length: NUM_CLASSES }, tally);
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const readings = digits.map((digit, i) => {
    const row = Array.from(probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
    const ranked = row
      .map((probability, d) => ({ digit: d, probability }))
      .sort((a, b) => b.probability - a.probability || a.digit - b.digit);
    const predicted = ranked[0]!.digit;
    const right = predicted === digit.label ? 1 : 0;
    for (const t of heldOut.has(digit.id) ? [all, perDigit[digit.label]!, held] : [all, perDigit[digit.label]!]) {
      t.count++;
      t.correct += right;
    }
    confusion[digit.label]![predicted]!++;
    return { id: digit.id, label: digit.label, predicted, top: ranked.slice(0, 3) };
  });
  return { all, heldOut: held, perDigit, confusion, readings };
}

/**
 * Teaching aims for the class digits to be this share of what an epoch sees. Measured with UJI
 * writers standing in for a class (tests/profile/teach.profile.ts, 3 seeds): their held-out digits
 * were read 96.0% before, 96.3% after the same run without them, 97.3% at 5%, 98.7% at 15%.
 */
export const TEACH_SHARE = 0.15;
/** No digit is repeated more than this in an epoch (with light random changes each time). */
export const MAX_COPIES = 100;

/**
 * How often each class digit is repeated in a teaching epoch among `mnistCount` MNIST digits: so
 * that 50 digits matter among 48,000 (`share` 15%, at most 100 copies each), never less than once
 * (a share of 0, the benchmark's control, gives none).
 */
export function teachingCopies(teachCount: number, mnistCount: number, share = TEACH_SHARE): number {
  if (teachCount <= 0 || share <= 0) return 0;
  return Math.max(1, Math.min(MAX_COPIES, Math.round((share * mnistCount) / teachCount)));
}

/**
 * The class's own digits: the list and its 28x28 images, how the model reads them, what the last
 * import, export or refusal said, and a teaching run from its request to its result.
 */
import { assertNever, type ClassDigitInfo, type ClassMeasurement, type TeachResult } from '../../shared/protocol';
import { saying, type AppAction, type AppState } from './base';

/** The actions of this family (routed here by appState.ts). */
export type ClassDigitsAction = Extract<AppAction, { type: ClassDigitsActionType }>;
export type ClassDigitsActionType =
  | 'classDigitsListed'
  | 'classDigitsMeasured'
  | 'classDigitsExported'
  | 'classDigitsImported'
  | 'classImportRejected'
  | 'taught'
  | 'classRequested'
  | 'teachRequested';

/** The class digits as the worker listed them: `bytes` holds 28x28 bytes per digit, in list order. */
export interface ClassDigitList {
  digits: ClassDigitInfo[];
  bytes: Uint8Array;
}

/** The last thing a class-digit operation said (one at a time: the newest replaces the last). */
export type ClassNote =
  | { kind: 'imported'; added: number; duplicates: number; files: number }
  | { kind: 'exported'; count: number }
  | { kind: 'error'; message: string; said?: import('../../shared/protocol').Said };

export function reduceClassDigits(state: AppState, action: ClassDigitsAction): AppState {
  switch (action.type) {
    case 'classDigitsListed':
      return { ...state, classDigits: { digits: action.digits, bytes: action.bytes } };
    case 'classDigitsMeasured':
      return { ...state, classMeasurement: action.measurement ? { measurement: action.measurement, epoch: action.epoch } : null };
    case 'classDigitsExported':
      return { ...state, classNote: { kind: 'exported', count: action.count } };
    case 'classDigitsImported':
      return { ...state, classNote: { kind: 'imported', added: action.added, duplicates: action.duplicates, files: action.files } };
    case 'classImportRejected':
      return { ...state, classNote: { kind: 'error', ...saying(action) } };
    case 'classRequested':
      // A new operation: the last one's words no longer apply.
      return { ...state, classNote: null };
    case 'teachRequested':
      return { ...state, teaching: true, taught: null, classNote: null };
    case 'taught':
      return { ...state, teaching: false, taught: action.result };
    default:
      return assertNever(action);
  }
}

/** The measurement, if it is of the digits listed now (a stale one is never shown against a new list). */
export function currentMeasurement(state: Pick<AppState, 'classDigits' | 'classMeasurement'>): ClassMeasurement | null {
  const measurement = state.classMeasurement?.measurement ?? null;
  const digits = state.classDigits?.digits ?? [];
  if (!measurement || measurement.readings.length !== digits.length) return null;
  return measurement.readings.every((r, i) => r.id === digits[i]!.id) ? measurement : null;
}

export type { TeachResult };

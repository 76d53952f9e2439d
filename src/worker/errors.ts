/** The errors the worker's parts throw and word; no tfjs here, so the worker's first chunk can use them. */
import type { Said } from '../shared/protocol';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error the worker words itself: its English message and the code other languages word it by. */
export class SaidError extends Error {
  readonly said: Said;
  constructor(message: string, code: Said['code'], values: Said['values'] = {}) {
    super(message);
    this.said = { code, values };
  }
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    message: string,
    readonly said: Said,
  ) {
    super(message);
  }
}

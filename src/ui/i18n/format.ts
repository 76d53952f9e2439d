import type { Language } from './language';
import { LOCALES } from './language';

/** Numbers, sizes, durations and dates, formatted for one language. */
export interface Format {
  /** A count with the language's grouping (60,000). */
  count(n: number): string;
  /** A fraction as a percentage (0.9871 -> "98.71%"). */
  percent(fraction: number, digits?: number): string;
  /** A decimal number with a fixed number of digits (0.0412). */
  decimal(value: number, digits: number): string;
  /** A byte count as MB with one decimal (12.9 MB). */
  megabytes(bytes: number): string;
  /** A duration: "1 min 05 s" / "1 分 05 秒", or "42 s" / "42 秒". */
  duration(ms: number): string;
  /** A date and time in the reader's time zone, as the language writes them. */
  dateTime(iso: string): string;
}

const DURATION_UNITS: Record<Language, { minutes: string; seconds: string }> = {
  en: { minutes: ' min ', seconds: ' s' },
  zh: { minutes: ' 分 ', seconds: ' 秒' },
};

/** The formatters for a language: built once per language, since Intl formatters are costly to make. */
export function formatFor(language: Language): Format {
  const locale = LOCALES[language];
  // Each made on first use: the first Intl formatter of a page loads the locale's data (tens of
  // milliseconds), which should not all land in the page's first render.
  let counts: Intl.NumberFormat | undefined;
  let dates: Intl.DateTimeFormat | undefined;
  const units = DURATION_UNITS[language];
  // toLocaleString with options builds a formatter on every call (about 0.1 ms): one per digit count, kept.
  const decimals = new Map<number, Intl.NumberFormat>();
  const decimal = (value: number, digits: number) => {
    let formatter = decimals.get(digits);
    if (!formatter) {
      formatter = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
      decimals.set(digits, formatter);
    }
    return formatter.format(value);
  };
  return {
    count: (n) => (counts ??= new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })).format(n),
    percent: (fraction, digits = 2) => `${decimal(fraction * 100, digits)}%`,
    decimal,
    megabytes: (bytes) => `${decimal(bytes / 1_000_000, 1)} MB`,
    duration: (ms) => {
      const seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds < 60) return `${seconds}${units.seconds}`;
      return `${Math.floor(seconds / 60)}${units.minutes}${String(seconds % 60).padStart(2, '0')}${units.seconds}`;
    },
    dateTime: (iso) =>
      (dates ??= new Intl.DateTimeFormat(locale, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
      })).format(new Date(iso)),
  };
}

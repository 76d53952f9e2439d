import type { Language } from './language';

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

/**
 * The formatters for a language. None is an Intl formatter: the page's first one loads the
 * locale's data, a task of 90-130 ms on the test machine (45-65 ms on a bare page), and the page
 * needs only what is written here as Intl writes it (unit-tested against Intl): counts and decimals
 * the same way in both languages (60,000; 98.71), and one style of date.
 */
export function formatFor(language: Language): Format {
  const units = DURATION_UNITS[language];
  const decimal = fixedDigits;
  return {
    count: (n) => groupThousands(fixedDigits(n, 0)),
    percent: (fraction, digits = 2) => `${decimal(fraction * 100, digits)}%`,
    decimal,
    megabytes: (bytes) => `${decimal(bytes / 1_000_000, 1)} MB`,
    duration: (ms) => {
      const seconds = Math.max(0, Math.round(ms / 1000));
      if (seconds < 60) return `${seconds}${units.seconds}`;
      return `${Math.floor(seconds / 60)}${units.minutes}${String(seconds % 60).padStart(2, '0')}${units.seconds}`;
    },
    dateTime: (iso) => dateTime(language, new Date(iso)),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date and time in the reader's time zone, as Intl.DateTimeFormat writes it with year numeric,
 * month short, day numeric, hour numeric, minute 2-digit: "Dec 1, 2026, 7:05 AM" (en-US) and
 * "2026年12月1日 7:05" (zh-CN).
 */
export function dateTime(language: Language, date: Date): string {
  const minutes = String(date.getMinutes()).padStart(2, '0');
  const hours = date.getHours();
  if (language === 'zh') return `${date.getFullYear()}年${date.getMonth() + 1}月${date.getDate()}日 ${hours}:${minutes}`;
  return `${MONTHS[date.getMonth()]} ${date.getDate()}, ${date.getFullYear()}, ${hours % 12 || 12}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * `value` with exactly `digits` decimals, as Intl.NumberFormat writes it for English and Chinese
 * without grouping: the shortest decimal that reads back as `value` (what String(value) gives),
 * rounded half away from zero (so 1.005 -> "1.01", where toFixed gives "1.00"); infinities as ∞.
 * Negative zero is "0" (Intl writes "-0").
 */
export function fixedDigits(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(value)))!;
  let all = match[1]! + (match[2] ?? '');
  let point = match[1]!.length + Number(match[3] ?? 0); // where the decimal point sits in `all`
  if (point <= 0) {
    all = '0'.repeat(1 - point) + all;
    point = 1;
  }
  const keep = point + digits;
  let kept = all.slice(0, keep).padEnd(keep, '0');
  if ((all[keep] ?? '0') >= '5') {
    // Add one in the last kept place, carrying left.
    const places = kept.split('').map(Number);
    let i = places.length - 1;
    while (i >= 0 && places[i] === 9) places[i--] = 0;
    if (i >= 0) places[i]! += 1;
    else {
      places.unshift(1);
      point += 1;
    }
    kept = places.join('');
  }
  const whole = kept.slice(0, point).replace(/^0+(?=\d)/, '');
  const sign = value < 0 ? '-' : '';
  return digits > 0 ? `${sign}${whole}.${kept.slice(point)}` : `${sign}${whole}`;
}

/** An integer as fixedDigits writes it, with a comma between groups of three digits (60,000). */
export function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+$)/g, ',');
}

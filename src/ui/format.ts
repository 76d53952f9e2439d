/** Formats a count with thousands separators (60,000). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Formats a byte count as MB with one decimal (12.9 MB). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Formats a fraction as a percentage with two decimals (0.9871 -> "98.71%"). */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Formats a duration as "1 min 05 s" or "42 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Formats an ISO date as local "2026-11-27 10:42": unambiguous in any classroom. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Formats a count with thousands separators (60,000). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Formats a byte count as MB with one decimal (12.9 MB). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

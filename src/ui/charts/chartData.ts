/** Shapes the worker's numbers into what the charts draw. Pure, so unit tests check it in Node. */

/** Averages consecutive points into at most `maxPoints` buckets, so a 15,000-batch run stays light to draw. */
export function downsample(points: [number, number][], maxPoints: number): { x: number; y: number }[] {
  if (points.length <= maxPoints) return points.map(([x, y]) => ({ x, y }));
  const size = Math.ceil(points.length / maxPoints);
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push({ x: bucket[bucket.length - 1]![0], y: bucket.reduce((sum, [, y]) => sum + y, 0) / bucket.length });
  }
  return out;
}

export interface Series {
  name: string;
  points: { x: number; y: number }[];
  /** Drawn dashed: a baseline run's curve beside the live one. */
  dashed?: boolean;
  /**
   * Kept in the chart while it has no points yet (a live curve beside a baseline, before its first
   * epoch): the chart is then made once with every series, not made again when the first point comes.
   */
  expected?: boolean;
}

/**
 * Series on one shared list of x values, a missing point as NaN (vega leaves it out): tfjs-vis's line
 * chart takes every series' i-th point at the first series' i-th x, and a baseline of 20 epochs
 * beside a run at its 3rd does not line up otherwise.
 */
export function alignSeries(series: readonly Series[]): Series[] {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  if (series.every((s) => s.points.length === xs.length)) return [...series];
  return series.map((s) => {
    const ys = new Map(s.points.map((p) => [p.x, p.y]));
    return { ...s, points: xs.map((x) => ({ x, y: ys.get(x) ?? NaN })) };
  });
}

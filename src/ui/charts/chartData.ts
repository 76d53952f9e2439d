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

import { useEffect, useRef } from 'react';
import { diverging } from '../inside/heatmap';
import { paintPixels } from './pixels';

interface HeatCanvasProps {
  /** Row-major, width*height values; NaN draws a neutral gray (not computed yet). */
  values: ArrayLike<number>;
  width: number;
  height: number;
  /** Values at -range and +range get the scale's end colours. */
  range: number;
  label: string;
  className?: string;
  testId?: string;
  [dataAttribute: `data-${string}`]: string | number | undefined;
}

const NOT_YET: [number, number, number] = [200, 200, 205];

/** A small map on the diverging scale (blue negative, white zero, orange positive); CSS enlarges it with visible pixels. */
export function HeatCanvas({ values, width, height, range, label, className, testId, ...data }: HeatCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    paintPixels(ref.current, width, height, (i) => {
      const v = values[i] ?? NaN;
      return Number.isNaN(v) ? NOT_YET : diverging(v, range);
    });
  }, [values, width, height, range]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      className={className ?? 'heat'}
      data-testid={testId}
      {...data}
    />
  );
}

import { useEffect, useRef } from 'react';
import { diverging } from './heatmap';

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
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const v = values[i] ?? NaN;
      const [r, g, b] = Number.isNaN(v) ? NOT_YET : diverging(v, range);
      image.data[i * 4] = r;
      image.data[i * 4 + 1] = g;
      image.data[i * 4 + 2] = b;
      image.data[i * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
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

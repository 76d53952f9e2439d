import { useEffect, useRef } from 'react';
import { paintPixels } from './pixels';

interface GrayCanvasProps {
  /** Pixels in [0, 1], row-major, bright = ink; null draws an empty (black) field of `emptySize`. */
  image: { width: number; height: number; pixels: Float32Array } | null;
  label: string;
  className?: string;
  testId?: string;
  emptySize?: number;
}

/** A small grayscale image at its own resolution; CSS enlarges it with visible pixels. */
export function GrayCanvas({ image, label, className, testId, emptySize = 28 }: GrayCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const width = image?.width ?? emptySize;
  const height = image?.height ?? emptySize;
  const painted = useRef(false);

  useEffect(() => {
    // Empty and never painted: the canvas is transparent over a black CSS background already.
    if (!image && !painted.current) return;
    painted.current = true;
    paintPixels(ref.current, width, height, (i) => {
      const v = Math.round(Math.min(1, Math.max(0, image?.pixels[i] ?? 0)) * 255);
      return [v, v, v];
    });
  }, [image, width, height]);

  return <canvas ref={ref} width={width} height={height} className={className} role="img" aria-label={label} data-testid={testId} />;
}

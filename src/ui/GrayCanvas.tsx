import { useEffect, useRef } from 'react';

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

  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const data = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const v = Math.round(Math.min(1, Math.max(0, image?.pixels[i] ?? 0)) * 255);
      data.data[i * 4] = v;
      data.data[i * 4 + 1] = v;
      data.data[i * 4 + 2] = v;
      data.data[i * 4 + 3] = 255;
    }
    context.putImageData(data, 0, 0);
  }, [image, width, height]);

  return <canvas ref={ref} width={width} height={height} className={className} role="img" aria-label={label} data-testid={testId} />;
}

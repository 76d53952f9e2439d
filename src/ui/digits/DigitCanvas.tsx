import { useEffect, useRef } from 'react';
import { IMAGE_SIZE as SIZE } from '../../shared/protocol';
import { cancelPaint, queuePaint } from './paintQueue';
import { paintGrayBytes } from './pixels';

interface DigitCanvasProps {
  /** 28x28 bytes, 0 = background, 255 = ink. */
  bytes: Uint8Array;
  label: string;
  className?: string;
  [dataAttribute: `data-${string}`]: string | number;
}

/** Draws one 28x28 digit exactly as stored (bright ink on dark, as MNIST is), a few frames after it mounts at most; CSS enlarges it. */
export function DigitCanvas({ bytes, label, className, ...data }: DigitCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);

  // Queued: a gallery of a hundred digits fills in over a few frames, not in one long task.
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    queuePaint(canvas, () => paintGrayBytes(canvas, SIZE, SIZE, bytes));
    return () => cancelPaint(canvas);
  }, [bytes]);

  return <canvas ref={ref} width={SIZE} height={SIZE} role="img" aria-label={label} className={className ?? 'digit'} {...data} />;
}

import { useEffect, useRef } from 'react';
import { IMAGE_SIZE as SIZE } from '../../shared/protocol';
import { paintGrayBytes } from './pixels';

interface DigitCanvasProps {
  /** 28x28 bytes, 0 = background, 255 = ink. */
  bytes: Uint8Array;
  label: string;
  className?: string;
  [dataAttribute: `data-${string}`]: string | number;
}

/** Draws one 28x28 digit exactly as stored (bright ink on dark, as MNIST is); CSS enlarges it. */
export function DigitCanvas({ bytes, label, className, ...data }: DigitCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    paintGrayBytes(ref.current, SIZE, SIZE, bytes);
  }, [bytes]);

  return <canvas ref={ref} width={SIZE} height={SIZE} role="img" aria-label={label} className={className ?? 'digit'} {...data} />;
}

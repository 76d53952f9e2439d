import { useEffect, useRef } from 'react';
import { IMAGE_SIZE as SIZE } from '../worker/protocol';

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
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(SIZE, SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) {
      const v = bytes[i] ?? 0;
      image.data[i * 4] = v;
      image.data[i * 4 + 1] = v;
      image.data[i * 4 + 2] = v;
      image.data[i * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [bytes]);

  return <canvas ref={ref} width={SIZE} height={SIZE} role="img" aria-label={label} className={className ?? 'digit'} {...data} />;
}

/**
 * Paints a small image pixel by pixel: the one loop behind every digit, map and filter canvas
 * (CSS then enlarges it with visible pixels).
 */
export function paintPixels(
  canvas: HTMLCanvasElement | null,
  width: number,
  height: number,
  rgbAt: (i: number) => readonly [number, number, number],
) {
  const context = contextOf(canvas);
  if (!context) return;
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = rgbAt(i);
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** Paints 0-255 gray bytes (a digit as stored) with one 32-bit write a pixel. */
export function paintGrayBytes(canvas: HTMLCanvasElement | null, width: number, height: number, bytes: Uint8Array) {
  const context = contextOf(canvas);
  if (!context) return;
  const image = context.createImageData(width, height);
  const words = new Uint32Array(image.data.buffer);
  // RGBA in memory is 0xAABBGGRR as a little-endian word; every browser the app runs on is little-endian.
  for (let i = 0; i < width * height; i++) words[i] = 0xff000000 | ((bytes[i] ?? 0) * 0x010101);
  context.putImageData(image, 0, 0);
}

/**
 * The canvas's 2D context, backed by CPU memory. The page's canvases are small (digits, maps,
 * filters, the 280-px drawing area): on a GPU-backed canvas each putImageData waits for the GPU
 * (1.7 ms a digit against 0.2 ms on this project's test machine: 160 digits cost a 270 ms stall),
 * and the first such canvas opens the page's GPU channel synchronously (0.47 s there).
 */
export function contextOf(canvas: HTMLCanvasElement | null): CanvasRenderingContext2D | null {
  return canvas?.getContext('2d', { willReadFrequently: true }) ?? null;
}

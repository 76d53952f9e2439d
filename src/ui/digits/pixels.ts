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
  const context = canvas?.getContext('2d');
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

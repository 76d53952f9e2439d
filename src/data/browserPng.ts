import type { GrayImage } from './mnistLoader';

/**
 * Decodes a grayscale PNG in a browser or worker with the bytes left as they are: no colour-space
 * conversion, no premultiplication (alpha is 255 anyway), read back through an OffscreenCanvas.
 * The loader then proves exactness against the manifest's pixel hash.
 */
export async function decodeGrayPngInBrowser(bytes: Uint8Array): Promise<GrayImage> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D context on an OffscreenCanvas');
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, width, height).data;
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4]!;
    return { width, height, gray };
  } finally {
    bitmap.close();
  }
}

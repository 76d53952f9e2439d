/**
 * Plain http, as on a school's LAN server or `npm start -- --host` opened from another device: not
 * a secure context, so the browser gives the page (and its worker) no crypto.subtle and no service
 * worker. The data is still checked, by the JavaScript SHA-256 (a damaged file is still caught),
 * the page trains, and the header says offline use needs https.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { useBrowser, waitForState } from './harness';

/** The test server's address under a name that is not localhost (mapped to 127.0.0.1 below). */
const plainHttp = (path = '') => {
  const url = new URL(path, inject('baseUrl'));
  url.hostname = inject('plainHttpHost');
  return url.href;
};

describe('over plain http (not a secure context)', () => {
  const browser = useBrowser({
    viewport: { width: 1280, height: 900 },
    extraArgs: [`--host-resolver-rules=MAP ${inject('plainHttpHost')} 127.0.0.1`],
  });

  it('checks every file with the JavaScript SHA-256, trains, and says offline use needs https', async () => {
    const { page } = await browser.open(plainHttp('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm'));
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.evaluate(() => [window.isSecureContext, typeof crypto.subtle, 'serviceWorker' in navigator])).resolves.toEqual([
      false,
      'undefined',
      false,
    ]);
    const worker = page.workers().find((w) => w.url().includes('trainer'))!;
    await expect(worker.evaluate(() => [self.isSecureContext, typeof crypto.subtle])).resolves.toEqual([false, 'undefined']);
    await expect(page.getByTestId('data-status').innerText()).resolves.toContain('60,000');
    await expect(page.getByTestId('offline-status').getAttribute('data-offline')).resolves.toBe('unavailable');
    await expect(page.getByTestId('offline-status').innerText()).resolves.toBe('Offline use needs https');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
  });

  it('still names a damaged file there: the JavaScript SHA-256 really checks', async () => {
    const damaged = readFileSync('public/data/train-images-3.png');
    damaged.writeUInt8(damaged.readUInt8(damaged.length >> 1) ^ 0xff, damaged.length >> 1);
    const { page } = await browser.open(plainHttp(), (p) =>
      p.route('**/data/train-images-3.png', (route) => route.fulfill({ body: damaged, contentType: 'image/png' })),
    );
    expect(await waitForState(page, ['ready', 'error'])).toBe('error');
    const text = await page.getByTestId('error-message').innerText();
    expect(text).toContain('train-images-3.png');
    expect(text).toContain('corrupt');
  });
});

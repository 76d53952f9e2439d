/**
 * Offline use in Chromium: one visit caches the app, the MNIST data and the WASM binaries (the
 * service worker); then, with the browser offline, a reload loads the data, trains and reads a
 * drawn digit, as a class on lost Wi-Fi would.
 */
import { describe, expect, it } from 'vitest';
import { drawSeven, readDrawing, useBrowser, waitForState } from './harness';

describe('Offline', () => {
  const browser = useBrowser({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'allow' });

  it('after one visit, loads, trains and reads a drawing with the network off', async () => {
    const { page, allowErrors } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&lang=en');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    // The service worker registers once the data has loaded, then caches everything.
    const status = page.getByTestId('offline-status');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="offline-status"]')?.getAttribute('data-offline') === 'ready',
      null,
      {
        timeout: 60_000,
      },
    );
    await expect(status.innerText()).resolves.toBe('Works offline');
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const urls = (await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat().map((r) => new URL(r.url).pathname);
      return urls;
    });
    for (const file of ['/index.html', '/data/manifest.json', '/data/train-images-5.png', '/data/test-labels.u8']) {
      expect(cached, file).toContain(file);
    }
    expect(cached.some((url) => /tfjs-backend-wasm-simd-.*\.wasm$/.test(url))).toBe(true);
    expect(cached.some((url) => /trainer\.worker-.*\.js$/.test(url))).toBe(true);

    await page.context().setOffline(true);
    allowErrors(/ERR_INTERNET_DISCONNECTED \(http:\/\/[^)]*\/not-cached-\d+\.txt\)/);
    // The network really is off: a file the service worker does not hold cannot be fetched.
    await expect(
      page.evaluate(() =>
        fetch(`./not-cached-${Date.now()}.txt`).then(
          () => 'fetched',
          () => 'failed',
        ),
      ),
    ).resolves.toBe('failed');
    await page.reload();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.evaluate(() => navigator.onLine)).resolves.toBe(false);
    await expect(page.evaluate(() => navigator.serviceWorker.controller !== null)).resolves.toBe(true);
    await expect(page.getByTestId('data-status').innerText()).resolves.toMatch(/60,000/);

    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    expect(accuracy).toBeGreaterThan(0.8);

    await drawSeven(page);
    expect(await readDrawing(page, 1)).toBe('7');
    await page.context().setOffline(false);
  });
});

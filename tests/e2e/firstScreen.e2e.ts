/**
 * The first screen, as a class sees it on a laptop (1366x768) and on a 1080p projector: without
 * scrolling, the download's progress while the data loads, then the Train button with the two
 * presets, the epoch progress and the Draw canvas.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser, waitForState } from './harness';

/** The test ids among `ids` whose element is not wholly inside the viewport as the page is now (none scrolled). */
async function offScreen(page: Page, ids: string[]): Promise<string[]> {
  const { width, height } = page.viewportSize()!;
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  const off: string[] = [];
  for (const id of ids) {
    const box = await page.getByTestId(id).boundingBox();
    if (!box || box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height)
      off.push(`${id} ${JSON.stringify(box)}`);
  }
  return off;
}

const LESSON = ['preset-seed', 'preset-quick', 'train-button', 'epoch-progress', 'draw-canvas'];

describe('The first screen', () => {
  const browser = useBrowser({ viewport: { width: 1366, height: 768 } });

  it('at 1366x768 and 1920x1080: the loading bar, then Train with the presets, the epoch progress and the Draw canvas, unscrolled', async () => {
    // The last sprite is held back a moment, so the loading state can be looked at.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { page } = await browser.open('', (p) =>
      p.route('**/data/test-images-0.png', async (route) => {
        await held;
        await route.fallback();
      }),
    );
    await page.getByTestId('data-progress').waitFor();
    expect(await offScreen(page, ['data-progress', 'train-button', 'draw-canvas'])).toEqual([]);
    // No Chinese character drawn as text on the English page (the language switch's 中文 is outlines):
    // one would make the first layout load a CJK font, 120-200 ms on the test machine.
    const cjk = await page.evaluate(() => (document.body.innerText.match(/[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/g) ?? []).join(''));
    expect(cjk).toBe('');
    await expect(page.getByRole('button', { name: '中文' }).count()).resolves.toBe(1);
    release();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    expect(await offScreen(page, LESSON)).toEqual([]);
    await expect(page.getByTestId('preset-seed').getAttribute('aria-pressed')).resolves.toBe('true');
    // Each preset says how long it takes here, from the engine's calibration, once that has run.
    for (const id of ['seed', 'quick']) {
      await page.getByTestId(`preset-time-${id}`).waitFor({ timeout: 30_000 });
      await expect(page.getByTestId(`preset-time-${id}`).innerText()).resolves.toMatch(/^ · about \d+ (s|min)$/);
    }

    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(await offScreen(page, LESSON)).toEqual([]);
    // A preset chosen shows as chosen; the settings stay folded to one line.
    await page.getByTestId('preset-quick').click();
    await expect(page.getByTestId('preset-quick').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.getByTestId('preset-seed').getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(page.getByTestId('settings-details').getAttribute('open')).resolves.toBeNull();
    expect(await offScreen(page, LESSON)).toEqual([]);
  });
});

/**
 * A tablet held upright (820 x 1180, touch) with a pen: the page fits, and a digit written with
 * the pen (pen pointer events, as a stylus sends them) is read.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { layoutWidth, readDrawing, useBrowser, waitForState } from './harness';

/** A pen stroke through `points` (fractions of the element's box), as DevTools sends a stylus's events. */
async function penStroke(page: Page, testId: string, points: [number, number][]) {
  const box = (await page.getByTestId(testId).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: [number, number]) => ({ x: box.x + x * box.width, y: box.y + y * box.height, pointerType: 'pen' as const });
  await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at(points[0]!), button: 'left', buttons: 1, clickCount: 1 });
  for (const point of points.slice(1)) {
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', ...at(point), button: 'left', buttons: 1 });
    await page.waitForTimeout(16); // a pen's pace: one move per frame
  }
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at(points.at(-1)!), button: 'left', buttons: 0, clickCount: 1 });
  await cdp.detach();
}

describe('On a tablet with a pen (820 px, touch)', () => {
  const browser = useBrowser({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });

  it('fits the width and reads a digit written with a pen', async () => {
    const { page } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    expect(await layoutWidth(page)).toBe(820);
    await page.getByTestId('train-button').tap();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');

    const canvas = page.getByTestId('draw-canvas');
    await canvas.scrollIntoViewIfNeeded();
    await page.evaluate(() => {
      const w = window as unknown as { pointerTypes: string[] };
      w.pointerTypes = [];
      document
        .querySelector('[data-testid="draw-canvas"]')!
        .addEventListener('pointerdown', (event) => w.pointerTypes.push((event as PointerEvent).pointerType));
    });
    await penStroke(page, 'draw-canvas', [
      [0.25, 0.2],
      [0.45, 0.2],
      [0.75, 0.2],
      [0.62, 0.5],
      [0.5, 0.82],
    ]);
    await expect(page.evaluate(() => (window as unknown as { pointerTypes: string[] }).pointerTypes)).resolves.toEqual(['pen']);
    const read = await readDrawing(page, 1);
    // Seeded training on WASM and a stroke at fixed points: the model's answer is the same on every run.
    expect(read).toBe('7');
    expect(await layoutWidth(page)).toBe(820);
  });
});

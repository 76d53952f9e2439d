/**
 * A phone: 360 px wide, touch. Nothing overflows sideways in any state, the controls are reached
 * by tapping, and a digit drawn with a finger (real touch events) is read without the page
 * scrolling under the finger.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { layoutWidth, readDrawing, useBrowser, visitAllViews, waitForState } from './harness';

/**
 * Page width beyond the 360 px screen, in CSS px (0: nothing sticks out sideways). A phone zooms a
 * page that is too wide out to fit it, so the layout viewport itself must stay at 360.
 */
const overflow = async (page: Page) => (await layoutWidth(page)) - 360;

/** A finger stroke through `points` (fractions of the element's box), as touch events. */
async function swipe(page: Page, testId: string, points: [number, number][]) {
  const box = (await page.getByTestId(testId).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: [number, number]) => [{ x: box.x + x * box.width, y: box.y + y * box.height, id: 0 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]!) });
  for (const point of points.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(point) });
    await page.waitForTimeout(16); // a finger's pace: one move per frame
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

describe('On a phone (360 px, touch)', () => {
  const browser = useBrowser({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });

  it('fits the width in every state, trains by tapping, and reads a digit drawn with a finger', async () => {
    const { page } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByTestId('train-button').tap();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    // Every view mounted (they mount when scrolled to), then the width checked again.
    await visitAllViews(page);
    await page.getByTestId('mistakes-digits').locator('[data-testid="gallery-digit"]').first().waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    const canvas = page.getByTestId('draw-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(250); // big enough for a finger
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    const scrollBefore = await page.evaluate(() => window.scrollY);
    await swipe(page, 'draw-canvas', [
      [0.25, 0.2],
      [0.45, 0.2],
      [0.75, 0.2],
      [0.62, 0.5],
      [0.5, 0.82],
    ]);
    const read = await readDrawing(page, 1);
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore); // the finger drew; the page stayed
    // Seeded training on WASM and a stroke at fixed points: the model's answer is the same on every run.
    expect(read).toBe('7');
    // Kept as a class digit (the canvas clears for the next). Clicked, not tapped: in Chromium's
    // touch emulation the first tap after a finger stroke on the canvas does not always become a
    // click (1 run in 3 here); open in issue 7 until a real phone or tablet shows whether it is the
    // emulation or the page.
    await page.getByTestId('class-digit-label-7').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="class-digits"]')?.getAttribute('data-count') === '1');
    // The class digits' grid, accuracy and confusion matrix fit the phone too.
    await page.waitForFunction(() => document.querySelector('[data-testid="class-accuracy"]')?.getAttribute('data-correct') !== null);
    await page.getByTestId('class-confusion-matrix').scrollIntoViewIfNeeded();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="draw-canvas"]')?.getAttribute('data-strokes') === '0',
      undefined,
      {
        timeout: 5000,
      },
    );
  });
});

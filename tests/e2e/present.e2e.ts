/**
 * Projector mode in Chromium: from the URL and the toggle, large type and only the essentials
 * (curves, results, canvas, prediction), and training and drawing work in it.
 */
import { describe, expect, it } from 'vitest';
import { useBrowser, waitForState } from './harness';

describe('Projector mode', () => {
  const browser = useBrowser();

  it('?present=1 shows only the curves, the results and the canvas in large type; the toggle leaves and re-enters it', async () => {
    const { page } = await browser.open('?present=1&epochs=1&trainSize=3000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    const root = page.locator('#app');
    await expect(root.getAttribute('data-present')).resolves.toBe('true');
    const panels = () => page.locator('[data-testid^="panel-"]').evaluateAll((all) => all.map((p) => p.getAttribute('data-testid')));
    await page.getByTestId('panel-evaluate').waitFor(); // mounted an idle moment after the lesson
    await expect(panels()).resolves.toEqual(['panel-train', 'panel-draw', 'panel-evaluate']);
    await expect(page.locator('#setting-epochs').count()).resolves.toBe(0); // the settings come from the link
    const rootFontPx = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(await rootFontPx()).toBeGreaterThanOrEqual(22);

    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    const chart = page.getByTestId('loss-chart').locator('canvas').first();
    await chart.waitFor({ timeout: 10_000 });
    // Drawn smaller and zoomed 1.5x: the chart still fills its place, with 1.5x lines and labels.
    const chartBox = (await chart.boundingBox())!;
    const figureBox = (await page.getByTestId('loss-chart').boundingBox())!;
    expect(chartBox.width).toBeGreaterThan(figureBox.width * 0.8);
    await expect(
      page
        .getByTestId('loss-chart')
        .locator('.chart__canvas')
        .evaluate((e) => getComputedStyle(e).zoom),
    ).resolves.toBe('1.5');
    await expect(page.getByTestId('test-accuracy').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('confusion-matrix').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('mistakes-gallery').count()).resolves.toBe(0);
    const canvas = (await page.getByTestId('draw-canvas').boundingBox())!;
    expect(canvas.width).toBeGreaterThanOrEqual(400);

    await page.getByTestId('present-toggle').click();
    await expect(root.getAttribute('data-present')).resolves.toBe('false');
    expect(new URL(page.url()).searchParams.has('present')).toBe(false);
    expect(new URL(page.url()).searchParams.get('epochs')).toBe('1');
    await expect(panels()).resolves.toContain('panel-data');
    expect(await rootFontPx()).toBe(16);
    await page.getByTestId('present-toggle').click();
    expect(new URL(page.url()).searchParams.get('present')).toBe('1');
    await expect(page.getByTestId('present-toggle').getAttribute('aria-pressed')).resolves.toBe('true');
  });
});

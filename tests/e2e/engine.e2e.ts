/**
 * The LeNet Lab engine in Chromium, against the production build: `auto` trains on it (no GPU
 * here), the badge says so with its measured rate, the trained model reads a drawing, and a browser
 * without WebAssembly SIMD (the worker told to act as one) trains on tfjs and says why. (The Quick
 * demo in draw.e2e.ts also trains on the engine.)
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { POINT, expectFigure } from './figures';
import { drawSeven, readDrawing, useBrowser, waitForState } from './harness';

const badge = (page: Page) => page.getByTestId('backend-badge');

describe('LeNet Lab engine', () => {
  const browser = useBrowser();

  it('auto trains on the engine: the badge names it with its measured rate, the model reads a drawing', async () => {
    const { page } = await browser.open('?lang=en&epochs=1&trainSize=12000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'], 120_000)).toBe('done');
    await expect(badge(page).getAttribute('data-backend')).resolves.toBe('engine');
    const rate = Number(await badge(page).getAttribute('data-engine-rate'));
    expect(rate).toBeGreaterThan(0);
    await expect(badge(page).innerText()).resolves.toMatch(/LeNet Lab engine, WASM SIMD: [\d,]+ images\/s \(auto: fastest available\)/);
    const trained = Number(await page.getByTestId('epoch-progress').getAttribute('data-images-per-second'));
    console.log(`engine: ${trained} images/s training, ${rate} images/s in the calibration`);
    expectFigure('engine.testAccuracy', Number(await page.getByTestId('test-accuracy').getAttribute('data-value')), POINT);
    // The engine's weights reached the tfjs model, which reads drawings.
    await drawSeven(page);
    expect(await readDrawing(page, 1)).toMatch(/7/);
  });

  it('without WebAssembly SIMD, tfjs trains and the badge says why', async () => {
    const { page } = await browser.open('?lang=en&epochs=1&trainSize=3000&validationSplit=0&testFault=no-wasm-simd');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'], 120_000)).toBe('done');
    await expect(badge(page).getAttribute('data-backend')).resolves.toBe('wasm');
    await expect(badge(page).innerText()).resolves.toMatch(/WebAssembly SIMD is not available here, so tfjs trains/);
    expect(Number(await page.getByTestId('test-accuracy').getAttribute('data-value'))).toBeGreaterThan(0.5);
  });
});

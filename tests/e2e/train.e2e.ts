/**
 * Training through the UI in Chromium, against the production build: the worker trains, the
 * charts render, the test accuracy is real, the controls work, the settings come from the URL, and
 * the main thread's longest task is measured and reported.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { POINT, expectFigure } from './figures';
import { useBrowser, waitForState } from './harness';

/** Records the longest main-thread task (Chromium reports tasks of 50 ms or more). */
async function watchLongTasks(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { longestTaskMs: number };
    w.longestTaskMs = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longestTaskMs = Math.max(w.longestTaskMs, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

const longestTask = (page: Page) => page.evaluate(() => (window as unknown as { longestTaskMs: number }).longestTaskMs);

/** Text of an element, as a number ("98.71%" -> 98.71). */
const numberIn = async (page: Page, testId: string) => parseFloat((await page.getByTestId(testId).innerText()).replace(/[^\d.]/g, ''));

describe('Train and Evaluate panels', () => {
  const browser = useBrowser();

  it('trains in the worker from a URL recipe, draws the curves, and evaluates on the 10,000 test digits', async () => {
    // 2 epochs of 4,800 digits: the seed's recipe for 1 epoch (75 batches) lands at 88-90%. WASM:
    // seeded runs there are deterministic, so the figures below are checked against measured ones.
    const { page } = await browser.open('?epochs=2&trainSize=6000&backend=wasm', watchLongTasks);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.getByTestId('model-summary').getAttribute('data-total-params')).resolves.toBe('44426');
    await expect(page.locator('#setting-epochs').inputValue()).resolves.toBe('2');

    // Measure from the click: loading the page and warming up the charts come before.
    await page.evaluate(() => ((window as unknown as { longestTaskMs: number }).longestTaskMs = 0));
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['training', 'error'], 30_000)).toBe('training');
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(true);
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await expect(page.getByTestId('backend-badge').getAttribute('data-backend')).resolves.toBe('wasm');

    // What the charts drew (set once tfjs-vis has drawn them; redraws are throttled, so the last
    // one may land after `done`): epoch 0 (the untrained model) and the two epochs; every batch of
    // both epochs in the batch curve.
    const drawn = { 'loss-chart': 3, 'accuracy-chart': 3, 'batch-loss-chart': 150 };
    for (const [id, points] of Object.entries(drawn)) {
      await page.waitForFunction(
        ([testId, n]) =>
          document.querySelector(`[data-testid="${testId}"] .chart__canvas`)?.getAttribute('data-drawn-points') === String(n),
        [id, points] as const,
      );
      const box = await page.getByTestId(id).locator('canvas').first().boundingBox();
      expect(box!.width, id).toBeGreaterThan(100);
      expect(box!.height, id).toBeGreaterThan(100);
    }

    const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    console.log(`test accuracy after 2 epochs on 4,800 digits: ${accuracy}, test loss ${await page.getByTestId('test-loss').innerText()}`);
    expectFigure('train.testAccuracy', accuracy, POINT);
    expect(await numberIn(page, 'test-loss')).toBeLessThan(0.5);

    // The matrix drew the 10,000 test digits, those read right on its diagonal.
    const matrix = page.getByTestId('confusion-matrix');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="confusion-matrix"] .chart__canvas')?.getAttribute('data-drawn-total') === '10000',
    );
    await expect(matrix.locator('.chart__canvas').getAttribute('data-drawn-diagonal')).resolves.toBe(String(Math.round(accuracy * 10_000)));
    // The table sits in a closed <details>: read textContent, not the (empty) rendered text.
    const cells = await matrix.locator('[data-testid^="confusion-cell-"]').allTextContents();
    expect(cells).toHaveLength(100);
    expect(cells.reduce((sum, text) => sum + Number(text.replace(/,/g, '')), 0)).toBe(10_000);
    const perClass = await page.getByTestId('per-class-accuracy').locator('td').allInnerTexts();
    expect(perClass).toHaveLength(10);
    for (const [digit, text] of perClass.entries()) expectFigure(`train.perClassAccuracy.digit${digit}`, parseFloat(text) / 100, POINT);

    console.log(`longest main-thread task from Train to the confusion matrix: ${Math.round(await longestTask(page))} ms`);
  });

  it('pauses, resumes and stops between batches, and evaluates the model trained so far', async () => {
    const { page } = await browser.open('?epochs=5&trainSize=30000&validationSplit=0.1');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    const progress = page.getByTestId('epoch-progress');
    const batchNumber = async () => Number(/batch (\d+)\//.exec(await progress.innerText())?.[1] ?? 0);
    await page.waitForFunction(() =>
      /batch ([2-9]\d|\d{3})\//.test(document.querySelector('[data-testid="epoch-progress"]')?.textContent ?? ''),
    );

    await page.getByTestId('pause-button').click();
    expect(await waitForState(page, ['paused', 'error'], 10_000)).toBe('paused');
    const pausedAt = await batchNumber();
    // Not a wait for a state but an observation window: a paused run stays on its batch for a second.
    await page.waitForTimeout(1000);
    expect(await batchNumber()).toBe(pausedAt);
    await expect(page.getByTestId('resume-button').isEnabled()).resolves.toBe(true);

    await page.getByTestId('resume-button').click();
    expect(await waitForState(page, ['training', 'error'], 10_000)).toBe('training');
    await page.waitForFunction((at) => {
      const match = /batch (\d+)\//.exec(document.querySelector('[data-testid="epoch-progress"]')?.textContent ?? '');
      return match !== null && Number(match[1]) > at + 5;
    }, pausedAt);

    await page.getByTestId('stop-button').click();
    expect(await waitForState(page, ['done', 'error'], 60_000)).toBe('done');
    const evaluate = await page.locator('#evaluate').innerText();
    expect(evaluate).toContain('Stopped after 0 complete epochs');
    // Not a seeded figure: the batch Stop lands on depends on timing. The model trained so far (some
    // 30-60 batches) is evaluated: far above chance (10%).
    expect(await numberIn(page, 'test-accuracy')).toBeGreaterThan(50);
    await expect(page.getByTestId('train-button').isEnabled()).resolves.toBe(true);
  });

  it('names a bad URL setting with its range, and blocks Train while a typed value is out of range', async () => {
    const { page } = await browser.open('?epochs=0&optimizer=adagrad&model=lenet5-classic');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    const notice = await page.getByTestId('settings-error').innerText();
    expect(notice).toContain('epochs must be a whole number from 1 to 100; got "0"');
    expect(notice).toContain('optimizer must be one of adam, sgd, rmsprop; got "adagrad"');
    // The good parameters are used: the classic 32x32 model.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="model-summary"]')?.getAttribute('data-total-params') === '61706',
    );
    await expect(page.getByTestId('train-button').isEnabled()).resolves.toBe(true);

    // The settings are folded on a normal visit; values out of range in the address unfold them.
    await expect(page.getByTestId('settings-details').getAttribute('open')).resolves.not.toBeNull();
    await page.locator('#setting-learningRate').fill('5');
    await page.getByText('learningRate must be a number from 0.00001 to 1; got "5"').waitFor();
    await expect(page.getByTestId('train-button').isDisabled()).resolves.toBe(true);
    await page.locator('#setting-learningRate').fill('0.002');
    await expect(page.getByTestId('train-button').isEnabled()).resolves.toBe(true);
    // Every setting is written back to the URL, so the page can be shared as a link.
    expect(new URL(page.url()).searchParams.get('learningRate')).toBe('0.002');
    expect(new URL(page.url()).searchParams.get('model')).toBe('lenet5-classic');
  });
});

/**
 * Accessibility, checked by axe-core in Chromium on the whole page in each of its states: loaded,
 * trained (every panel filled: curves, results, mistakes, the Inside views, a drawn digit), in
 * projector mode, and in Chinese. No serious or critical violation is allowed.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations as violations, drawSeven, useBrowser, visitAllViews, waitForState } from './harness';

describe('Accessibility (axe-core)', () => {
  const browser = useBrowser();

  it('has no serious or critical violation when loaded, after training with every view shown, in projector mode and in Chinese', async () => {
    const { page } = await browser.open('?epochs=2&trainSize=3000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await visitAllViews(page);
    expect(await violations(page), 'loaded').toEqual([]);

    // Progress is announced once per epoch, never per batch: count the live region's changes.
    await page.evaluate(() => {
      const region = document.querySelector('[data-testid="epoch-announcement"]')!;
      const w = window as unknown as { announcements: string[] };
      w.announcements = [];
      new MutationObserver(() => w.announcements.push(region.textContent ?? '')).observe(region, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await expect(page.getByTestId('epoch-announcement').getAttribute('aria-live')).resolves.toBe('polite');
    const announced = await page.evaluate(() => (window as unknown as { announcements: string[] }).announcements);
    const distinct = announced.filter((text, i) => text !== '' && text !== announced[i - 1]);
    expect(distinct.map((text) => text.replace(/\d+\.\d\d%/, 'N%'))).toEqual([
      'Epoch 1 of 2 done: training accuracy N%.',
      'Epoch 2 of 2 done: training accuracy N%.',
      'Training done: N% of the 10,000 test digits read right.',
    ]);
    await drawSeven(page);
    await visitAllViews(page);
    await page.getByTestId('feature-maps').waitFor();
    await page.getByTestId('mistakes-digits').locator('[data-testid="gallery-digit"]').first().waitFor();
    expect(await violations(page), 'trained').toEqual([]);

    await page.getByTestId('present-toggle').click();
    expect(await violations(page), 'projector mode').toEqual([]);

    // In Chinese, every view open again.
    await page.getByTestId('present-toggle').click();
    await page.getByTestId('language-switch').click();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh');
    await visitAllViews(page);
    expect(await violations(page), 'Chinese').toEqual([]);
  });
});

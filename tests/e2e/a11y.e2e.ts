/**
 * Accessibility, checked by axe-core in Chromium on the whole page in each of its states: loaded,
 * trained (every panel filled: curves, results, mistakes, the Inside views, a drawn digit), and in
 * projector mode. No serious or critical violation is allowed.
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser, waitForState } from './harness';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical violations on the page, as "rule: element, element" lines. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} -- ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join(', ')}`,
    );
}

/** Scrolls through the page so the views that mount when seen are all there. */
async function visitAll(page: Page) {
  for (const id of ['explorer', 'evaluate', 'models', 'draw', 'inside']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
  }
}

describe('Accessibility (axe-core)', () => {
  const browser = useBrowser();

  it('has no serious or critical violation when loaded, after training with every view shown, and in projector mode', async () => {
    const { page } = await browser.open('?epochs=2&trainSize=3000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await visitAll(page);
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
    const canvas = page.getByTestId('draw-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.up();
    await visitAll(page);
    await page.getByTestId('feature-maps').waitFor();
    await page.getByTestId('mistakes-digits').locator('[data-testid="gallery-digit"]').first().waitFor();
    expect(await violations(page), 'trained').toEqual([]);

    await page.getByTestId('present-toggle').click();
    expect(await violations(page), 'projector mode').toEqual([]);
  });
});

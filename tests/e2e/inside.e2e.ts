/**
 * Inside the network, in Chromium through the UI: the filters during and after training, every
 * layer's maps for a drawn digit, the convolution explainer agreeing with the worker's feature
 * map, the mistakes gallery and the confusion matrix's cells, a picked test digit looked inside,
 * and the data explorer.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawSeven, useBrowser, waitForState } from './harness';

/** How many pixels of a canvas are not white (a drawn map or filter has many). */
const colouredPixels = (canvas: Locator) =>
  canvas.evaluate((element: HTMLCanvasElement) => {
    const { data } = element.getContext('2d')!.getImageData(0, 0, element.width, element.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) count++;
    return count;
  });

const number = async (locator: Locator) => Number(await locator.getAttribute('data-value'));

describe('Inside the network', () => {
  const browser = useBrowser();

  it('shows filters, feature maps and the convolution step by step, for a drawing and for a test digit', async () => {
    const { page } = await browser.open('?epochs=2&trainSize=6000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    // The views mount when scrolled to (a page of dozens of canvases would otherwise mount at once).
    await page.locator('#inside').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('#inside [data-seen]')?.getAttribute('data-seen') === 'true');
    // Every picture of conv1's filters the page draws, by the epoch it shows: recorded from before
    // the click, so however fast the run, the untrained filters (epoch 0) are not missed.
    await page.evaluate(() => {
      const w = window as unknown as { conv1ByEpoch: Record<string, string> };
      w.conv1ByEpoch = {};
      new MutationObserver(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="filters-layer"] canvas[data-drawn-epoch]');
        const epoch = canvas?.dataset.drawnEpoch;
        if (canvas && epoch) w.conv1ByEpoch[epoch] = canvas.toDataURL();
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn-epoch'] });
    });
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    // The filters are there from epoch 0 (the untrained model) and change as it learns.
    await page.waitForFunction(() => Object.keys((window as unknown as { conv1ByEpoch: object }).conv1ByEpoch).length === 3);
    const conv1ByEpoch = await page.evaluate(() => (window as unknown as { conv1ByEpoch: Record<string, string> }).conv1ByEpoch);
    expect(Object.keys(conv1ByEpoch).sort()).toEqual(['0', '1', '2']);
    expect(conv1ByEpoch['1']).not.toBe(conv1ByEpoch['0']);
    expect(conv1ByEpoch['2']).not.toBe(conv1ByEpoch['1']);
    await expect(page.getByTestId('filters').getAttribute('data-epoch')).resolves.toBe('2');
    await expect(
      page.getByTestId('filters-layer').evaluateAll((layers) => layers.map((l) => l.getAttribute('data-shape'))),
    ).resolves.toEqual(['5x5x1x6', '5x5x6x16']);
    expect(await colouredPixels(page.getByTestId('filters-layer').nth(1).locator('canvas'))).toBeGreaterThan(2000);

    // Before anything is drawn or picked, the panel is not empty: the test set's first digit (a 7), every layer.
    await page.waitForFunction(() => document.querySelector('#inside')?.textContent?.includes('test digit #0'));
    await expect(page.locator('#inside .inside__subject').innerText()).resolves.toMatch(/test digit #0.*7/);
    await expect(page.getByTestId('feature-map-layer').count()).resolves.toBeGreaterThanOrEqual(4);

    // A drawn 7: every layer, labelled with its shape; conv1's six maps, conv2's sixteen.
    await drawSeven(page);
    const maps = page.getByTestId('feature-maps');
    await maps.waitFor();
    const rows = maps.getByTestId('feature-map-layer');
    await expect(
      rows.evaluateAll((r) => r.map((row) => `${row.getAttribute('data-layer')} ${row.getAttribute('data-shape')}`)),
    ).resolves.toEqual([
      'input 28x28x1',
      'conv1 24x24x6',
      'pool1 12x12x6',
      'conv2 8x8x16',
      'pool2 4x4x16',
      'flatten 256',
      'fc1 120',
      'fc2 84',
      'output 10',
    ]);
    await expect(rows.nth(1).locator('canvas').count()).resolves.toBe(6);
    await expect(rows.nth(3).locator('canvas').count()).resolves.toBe(16);
    expect(await colouredPixels(rows.nth(1).locator('canvas').first())).toBeGreaterThan(50);
    await expect(rows.nth(1).innerText()).resolves.toContain('24×24×6');
    const output = await rows
      .nth(8)
      .locator('[data-value]')
      .evaluateAll((units) => units.map((u) => Number(u.getAttribute('data-value'))));
    expect(output).toHaveLength(10);
    expect(output.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(output.indexOf(Math.max(...output))).toBe(Number(await page.getByTestId('prediction').innerText()));

    // The explainer: the arithmetic done on the page equals the worker's feature map, at every step.
    const explainer = page.getByTestId('conv-explainer');
    await explainer.scrollIntoViewIfNeeded();
    const agrees = async () => {
      const [computed, worker] = [
        await number(page.getByTestId('conv-explainer-output')),
        await number(page.getByTestId('conv-explainer-map-value')),
      ];
      expect(Math.abs(computed - worker)).toBeLessThan(1e-4);
    };
    await agrees();
    await page.getByTestId('conv-explainer-filter-3').click();
    await expect(explainer.getAttribute('data-filter')).resolves.toBe('3');
    await page.getByTestId('conv-explainer-position').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageUp'); // the keyboard moves the window too
    const position = Number(await explainer.getAttribute('data-position'));
    expect(position).toBeGreaterThan(0);
    await page.getByTestId('conv-explainer-step').click();
    await expect(explainer.getAttribute('data-position')).resolves.toBe(String(position + 1));
    await agrees();
    await page.getByTestId('conv-explainer-position').press('End');
    await expect(explainer.getAttribute('data-position')).resolves.toBe(String(24 * 24 - 1));
    await agrees();
    await page.getByTestId('conv-explainer-play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="conv-explainer"]')?.getAttribute('data-position')) >= 3);
    await page.getByTestId('conv-explainer-play').click();
    await agrees();
    await expect(page.getByTestId('conv-explainer-window').locator('td').count()).resolves.toBe(25);

    // Mistakes: all misread, the most confident first; their number is what the matrix says.
    const gallery = page.getByTestId('mistakes-gallery');
    await gallery.scrollIntoViewIfNeeded();
    const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    const mistakes = page.getByTestId('mistakes-digits');
    await page.waitForFunction(() => document.querySelector('[data-testid="mistakes-digits"]')?.getAttribute('data-total') !== '');
    await expect(mistakes.getAttribute('data-total')).resolves.toBe(String(10_000 - Math.round(accuracy * 10_000)));
    const shown = await gallery
      .getByTestId('gallery-digit')
      .evaluateAll((items) => items.map((item) => [item.getAttribute('data-label'), item.getAttribute('data-predicted')]));
    expect(shown).toHaveLength(60);
    expect(shown.every(([label, predicted]) => label !== predicted)).toBe(true);

    // A cell of the confusion matrix: its digits.
    const cells = await page
      .locator('[data-testid^="confusion-cell-"]')
      .evaluateAll((buttons) => buttons.map((b) => [b.getAttribute('data-testid'), Number(b.textContent?.replace(/,/g, ''))] as const));
    const [id, count] = cells.filter(([cell]) => cell!.split('-').at(-1) !== cell!.split('-').at(-2)).sort((a, b) => b[1] - a[1])[0]!;
    const [truth, predicted] = id!.split('-').slice(-2);
    await page.getByTestId(id!).click();
    await expect(gallery.getAttribute('data-cell')).resolves.toBe(`${truth}-${predicted}`);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="mistakes-digits"]')?.getAttribute('data-total') === String(n),
      count,
    );
    const inCell = await gallery
      .getByTestId('gallery-digit')
      .evaluateAll((items) => items.map((item) => `${item.getAttribute('data-label')}-${item.getAttribute('data-predicted')}`));
    expect(inCell).toHaveLength(Math.min(60, count));
    expect(new Set(inCell)).toEqual(new Set([`${truth}-${predicted}`]));

    // Clicking a digit looks inside the network at it: its output layer is the gallery's answer for it.
    const first = gallery.getByTestId('gallery-digit').first();
    const index = await first.getAttribute('data-index');
    const firstPredicted = Number(await first.getAttribute('data-predicted'));
    const galleryProbabilities = (await first.getAttribute('data-probabilities'))!.split(' ').map(Number);
    await first.click();
    await page.waitForFunction(
      (i) => document.querySelector('#inside')?.textContent?.includes(`test digit #${Number(i).toLocaleString('en-US')}`),
      index,
    );
    await expect(page.getByTestId('feature-maps').getByTestId('feature-map-layer').count()).resolves.toBe(9);
    const picked = await page
      .getByTestId('feature-maps')
      .locator('[data-testid="feature-map-layer"][data-layer="output"] [data-value]')
      .evaluateAll((units) => units.map((u) => Number(u.getAttribute('data-value'))));
    expect(picked.indexOf(Math.max(...picked))).toBe(firstPredicted);
    expect(galleryProbabilities).toHaveLength(10);
    for (const [digit, p] of picked.entries()) expect(Math.abs(p - galleryProbabilities[digit]!), `digit ${digit}`).toBeLessThan(1e-4);
  });

  it('the data explorer browses each class of both splits, a page at a time', async () => {
    const { page } = await browser.open('');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    const explorer = page.getByTestId('data-explorer');
    await explorer.scrollIntoViewIfNeeded();
    const digits = page.getByTestId('explorer-digits');
    await page.waitForFunction(() => document.querySelector('[data-testid="explorer-digits"]')?.getAttribute('data-total') === '5923'); // training zeros
    await page.getByTestId('explorer-split-test').click();
    await page.getByTestId('explorer-class-4').click();
    await expect(explorer.getAttribute('data-split')).resolves.toBe('test');
    await page.waitForFunction(() => document.querySelector('[data-testid="explorer-digits"]')?.getAttribute('data-total') === '982');
    const labels = await digits.getByTestId('gallery-digit').evaluateAll((items) => items.map((item) => item.getAttribute('data-label')));
    expect(labels).toHaveLength(60);
    expect(new Set(labels)).toEqual(new Set(['4']));
    expect(await colouredPixels(digits.locator('canvas').first())).toBeGreaterThan(100);
    await digits.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="explorer-digits"]')?.getAttribute('data-offset') === '60');
  });
});

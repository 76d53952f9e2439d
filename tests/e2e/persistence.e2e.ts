/**
 * Never losing a trained model, in Chromium through the UI against the production build: a saved
 * model survives a reload; a downloaded model uploads back with the same predictions; bad files
 * get specific messages while the model in use stays. (Faults and recovery: recovery.e2e.ts and
 * faults.e2e.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SEVEN, useBrowser, waitForState } from './harness';
import { accuracy, draw, dropFiles, probabilities, source, trainToDone } from './runs';

/** Waits until the saved-models list has caught up with the model in use (it is listed, marked in use). */
const libraryShowsModelInUse = (page: Page) =>
  page.waitForFunction(
    () => {
      const id = document.querySelector('[data-testid="model-source"]')?.getAttribute('data-model-id');
      return !!id && document.querySelector(`[data-testid="saved-model"][data-id="${id}"]`)?.getAttribute('data-in-use') === 'true';
    },
    undefined,
    { timeout: 30_000 },
  );

describe('saved models and files', () => {
  const browser = useBrowser();

  it('keeps the trained model across a reload, and a downloaded model uploads back with the same predictions', async () => {
    const { page } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0');
    await trainToDone(page);
    const trainedAccuracy = await accuracy(page);
    // "done" comes with the test evaluation; the model is saved and the list read back just after.
    await libraryShowsModelInUse(page);
    const count = Number(await page.getByTestId('saved-models').getAttribute('data-count'));
    expect(count).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('saved-model').first().getAttribute('data-in-use')).resolves.toBe('true');
    await draw(page, SEVEN);
    const expected = await probabilities(page);

    // Reload: the page offers the model it saved, with its accuracy and date.
    await page.reload();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    expect(await source(page)).toBe('none');
    const offer = page.getByTestId('saved-model-offer');
    // The date as this browser writes it in English (ICU decides the spaces: U+202F before PM in newer ones).
    const savedAt = (await page.getByTestId('saved-model').first().getAttribute('data-saved-at'))!;
    const date = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(
          new Date(iso),
        ),
      savedAt,
    );
    await expect(offer.innerText()).resolves.toBe(`Use saved model: ${(trainedAccuracy * 100).toFixed(1)}% test accuracy, trained ${date}`);
    await expect(page.getByTestId('use-saved-model').first().innerText()).resolves.toBe(await offer.innerText());
    await offer.click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    expect(await source(page)).toBe('restored');
    expect(await accuracy(page)).toBe(trainedAccuracy);
    await draw(page, SEVEN);
    expect(await probabilities(page)).toEqual(expected);

    // Download: model.json and its weights, as TensorFlow.js writes them.
    const folder = mkdtempSync(join(tmpdir(), 'lenet-lab-download-'));
    const downloads: string[] = [];
    const started: string[] = [];
    const bothDownloaded = new Promise<void>((resolve) => {
      page.on('download', (download) => {
        started.push(download.suggestedFilename());
        const path = join(folder, download.suggestedFilename());
        void download.saveAs(path).then(() => {
          downloads.push(path);
          if (downloads.length === 2) resolve();
        });
      });
    });
    await page.getByTestId('download-model').click();
    // Bounded, and naming what came: one run under load once waited here until the test's own timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>(
      (resolve) =>
        (timer = setTimeout(
          () => resolve(`${downloads.length} of the 2 files saved after 30 s (downloads started: ${started.join(', ') || 'none'})`),
          30_000,
        )),
    );
    await expect(Promise.race([bothDownloaded.then(() => 'both'), late])).resolves.toBe('both');
    clearTimeout(timer);
    const json = downloads.find((p) => p.endsWith('.json'))!;
    const weights = downloads.find((p) => p.endsWith('.bin'))!;
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({
      format: 'layers-model',
      weightsManifest: [{ paths: ['./lenet-lab-model.weights.bin'] }],
    });
    expect(readFileSync(weights).byteLength).toBe(44_426 * 4);

    // Upload them back: the same model, measured again on the test digits, reads the 7 the same.
    await page.getByTestId('upload-model').setInputFiles([json, weights]);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'uploaded',
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(await accuracy(page)).toBe(trainedAccuracy);
    await draw(page, SEVEN);
    expect(await probabilities(page)).toEqual(expected);

    // Bad files: each gets its own message, and the uploaded model stays in use.
    const bad = (name: string, contents: string | Buffer) => {
      const path = join(mkdtempSync(join(folder, 'bad-')), name);
      writeFileSync(path, contents);
      return path;
    };
    const json5 = JSON.parse(readFileSync(json, 'utf8')) as { modelTopology: { config: { layers: { config: { units?: number } }[] } } };
    json5.modelTopology.config.layers.at(-1)!.config.units = 5;
    const cases: [string, string[], RegExp][] = [
      ['malformed JSON', [bad('broken.json', '{"modelTopology": '), weights], /broken\.json is not valid JSON/],
      ['no weights file', [json], /lenet-lab-model\.weights\.bin.*was not chosen/],
      ['short weights', [json, bad('lenet-lab-model.weights.bin', readFileSync(weights).subarray(0, 1000))], /1,000 bytes.*177,704 bytes/],
      ['not a digit classifier', [bad('five.json', JSON.stringify(json5)), weights], /10 classes out|do not fit/],
    ];
    for (const [what, files, message] of cases) {
      await page.getByTestId('upload-model').setInputFiles(files);
      // Each case's message differs from the one before: waiting for it waits for this upload's answer.
      await page.waitForFunction(
        (source) => new RegExp(source).test(document.querySelector('[data-testid="upload-error"]')?.textContent ?? ''),
        message.source,
        {
          timeout: 30_000,
        },
      );
      expect(await source(page), what).toBe('uploaded');
    }
    await draw(page, SEVEN);
    expect(await probabilities(page)).toEqual(expected);

    // Dropped onto the upload area, the files do what the file picker does: a new upload, saved.
    await libraryShowsModelInUse(page);
    const countBefore = Number(await page.getByTestId('saved-models').getAttribute('data-count'));
    const idBefore = await page.getByTestId('model-source').getAttribute('data-model-id');
    await dropFiles(page, [json, weights]);
    await page.waitForFunction(
      (previous) => {
        const element = document.querySelector<HTMLElement>('[data-testid="model-source"]');
        return element?.dataset.source === 'uploaded' && element.dataset.modelId !== previous;
      },
      idBefore,
      { timeout: 30_000 },
    );
    // The list follows the model change (the worker reads the library back after saving).
    await page.waitForFunction(
      (count) => document.querySelector('[data-testid="saved-models"]')?.getAttribute('data-count') === String(count),
      countBefore + 1,
    );

    // Several models are kept; deleting one asks twice, in place.
    const oldest = page.getByTestId('saved-model').last();
    const oldestId = await oldest.getAttribute('data-id');
    await oldest.getByTestId('delete-saved-model').click();
    await expect(oldest.getByTestId('delete-saved-model').innerText()).resolves.toBe('Delete for good?');
    await oldest.getByTestId('delete-saved-model').click();
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="saved-model"][data-id="${id}"]`), oldestId);
    await expect(page.getByTestId('saved-models').getAttribute('data-count')).resolves.toBe(String(countBefore));
  });
});

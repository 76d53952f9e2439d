/**
 * Faults the page must survive, provoked in Chromium: a browser that refuses to store anything,
 * a worker that crashes again and again until the page gives up and
 * says so, and a worker that crashes after training, whose model comes back from this browser.
 */
import type { Page, Worker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawSeven, readDrawing, useBrowser, waitForState } from './harness';

/** An uncaught exception in the worker's global scope: the page sees its `error` event, as for any crash. */
const crash = (worker: Worker) =>
  worker
    .evaluate(() =>
      setTimeout(() => {
        throw new Error('deliberate crash (test)');
      }),
    )
    .catch(() => undefined); // the worker may be gone before the answer comes back

const trainer = (page: Page) => page.workers().find((w) => w.url().includes('trainer'))!;

/** The ten probabilities shown for the drawing on the canvas. */
const shownProbabilities = (page: Page) =>
  page
    .getByTestId('prediction-probabilities')
    .locator('[data-probability]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));

describe('faults', () => {
  const browser = useBrowser();

  it('a browser that refuses storage: the page says what is at risk, training finishes, the model is used', async () => {
    const app = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm', (page) =>
      // The worker's IndexedDB refuses to open, as in an opaque origin or a private window that
      // allows no storage. (Chromium's DevTools quota override is not enforced on IndexedDB writes.)
      page.route(/trainer\.worker-[^/]*\.js$/, async (route) => {
        const response = await route.fetch();
        const refuse = `IDBFactory.prototype.open = () => { throw new DOMException('The operation is insecure.', 'SecurityError'); };\n`;
        await route.fulfill({ response, body: refuse + (await response.text()) });
      }),
    );
    const { page } = app;
    app.expectFaults(/^storage-warning: Saving in this browser does not work/);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await expect(page.getByTestId('storage-warning').innerText()).resolves.toBe(
      'Saving in this browser does not work: This browser does not let the page store models (IndexedDB unavailable: SecurityError: The operation is insecure.)',
    );
    // The model in use is announced after the run's end (its save is tried first): waited for, not read once.
    await expect.poll(() => page.getByTestId('model-source').getAttribute('data-source'), { timeout: 10_000 }).toBe('trained');
    await expect(page.getByTestId('saved-models').getAttribute('data-count')).resolves.toBe('0');
    await drawSeven(page);
    expect(await readDrawing(page, 1)).toMatch(/^\d$/);
  });

  it('a worker that crashes again and again without progress: after three restarts, the error panel; Try again starts afresh', async () => {
    const app = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm');
    const { page } = app;
    app.expectFaults(/^fault-notice: The training worker crashed \(Uncaught Error: deliberate crash \(test\)\)/, /^worker-restart: /);
    app.allowErrors(/deliberate crash \(test\)/);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    // Each fresh worker is crashed as soon as it starts: none gets as far as an epoch.
    let crashes = 0;
    page.on('worker', (worker) => {
      if (worker.url().includes('trainer') && crashes < 4) {
        crashes++;
        void crash(worker);
      }
    });
    await page.getByTestId('train-button').click();
    crashes++;
    await crash(trainer(page));
    expect(await waitForState(page, ['error', 'done'])).toBe('error');
    expect(crashes).toBe(4); // the first worker and three restarts
    await expect(page.getByTestId('error-message').innerText()).resolves.toMatch(/The training worker crashed/);
    expect(app.faults().filter((f) => f.startsWith('worker-restart'))).toHaveLength(3);

    // Try again: a fresh worker (not crashed this time) loads the data, and training works.
    await page.getByRole('button', { name: 'Try again' }).click();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
  });

  it('a worker that crashes after training: the model in use comes back from this browser and reads the same', async () => {
    const app = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&backend=wasm');
    const { page } = app;
    app.expectFaults(
      /^fault-notice: The training worker crashed \(Uncaught Error: deliberate crash \(test\)\)\. The model in use is being restored/,
      /^worker-restart: /,
    );
    app.allowErrors(/deliberate crash \(test\)/);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'])).toBe('done');
    await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'trained');
    const accuracy = await page.getByTestId('test-accuracy').getAttribute('data-value');
    await drawSeven(page);
    const digit = await readDrawing(page, 1);
    const before = await shownProbabilities(page);

    await crash(trainer(page));
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'restored' ||
        document.querySelector('[data-state]')?.getAttribute('data-state') === 'error',
    );
    expect(await waitForState(page, ['done', 'error']), (await page.locator('#app').innerText()).slice(0, 600)).toBe('done');
    await expect(page.getByTestId('fault-notice').innerText()).resolves.toMatch(/being restored from this browser/);
    await expect(page.getByTestId('test-accuracy').getAttribute('data-value')).resolves.toBe(accuracy);
    // Drawn again, the 7 is read by the restored model (the only one the new worker has): the same answer.
    await page.getByTestId('clear-button').click();
    await drawSeven(page);
    expect(await readDrawing(page, 1)).toBe(digit);
    expect(await shownProbabilities(page)).toEqual(before);
  });
});

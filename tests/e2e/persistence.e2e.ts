/**
 * Never losing a trained model, in Chromium through the UI against the production build: a saved
 * model survives a reload; a downloaded model uploads back with the same predictions; bad files
 * get specific messages while the model in use stays; a lost WebGL context and a worker that dies
 * mid-run both end in a usable model and a plain message; a hidden page keeps training and its
 * charts catch up; leaving mid-run asks first, and a run interrupted by a reload can be continued.
 * A run continued after a fault or a reload is the run that was not interrupted: the epochs before
 * the fault are shown exactly as they were, the count of epochs done never goes back, and on the
 * same backend it ends at the uninterrupted run's very test accuracy.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { POINT, expectFigure } from './figures';
import { requireWebGL2, steadyCanvasBox, useBrowser, waitForState } from './harness';

const CANVAS = 280;
/** A "7" drawn with the mouse in canvas units. */
const SEVEN: [number, number][][] = [
  [
    [70, 60],
    [210, 60],
    [130, 230],
  ],
];

/** Draws strokes with the mouse; drawn again if the page moved under the pen. */
async function draw(page: Page, strokes: [number, number][][]) {
  for (;;) {
    if (await page.getByTestId('clear-button').isEnabled()) await page.getByTestId('clear-button').click();
    const box = await steadyCanvasBox(page);
    const at = ([x, y]: [number, number]) => [box.x + (x / CANVAS) * box.width, box.y + (y / CANVAS) * box.height] as const;
    for (const [first, ...rest] of strokes) {
      await page.mouse.move(...at(first!));
      await page.mouse.down();
      for (const point of rest) await page.mouse.move(...at(point), { steps: 8 });
      await page.mouse.up();
    }
    if (JSON.stringify(await page.getByTestId('draw-canvas').boundingBox()) === JSON.stringify(box)) return;
  }
}

/** Drops files onto the upload area as a drag from the desktop would. */
async function dropFiles(page: Page, paths: string[]) {
  const files = paths.map((path) => ({ name: basename(path), base64: readFileSync(path).toString('base64') }));
  await page.getByTestId('upload-dropzone').evaluate((zone, dropped) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of dropped) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

/** The 10 probabilities the model in use gives the one-stroke digit on the canvas, once the answer for it is in. */
async function probabilities(page: Page): Promise<number[]> {
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

const source = (page: Page) => page.getByTestId('model-source').getAttribute('data-source');
const accuracy = async (page: Page) => Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
/** Epoch numbers in the epoch log, in order. */
const loggedEpochs = (page: Page) =>
  page
    .getByTestId('epoch-log')
    .locator('tr[data-epoch]')
    .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-epoch'))));

/** Each epoch's figures as the epoch log shows them (its rows' data-result), by epoch. */
const epochRows = (page: Page): Promise<string[]> =>
  page
    .getByTestId('epoch-log')
    .locator('tr[data-result]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-result') ?? ''));

/** What a run learned in each epoch: loss and accuracy, without the timings and memory that vary between runs. */
const learned = (rows: string[]) =>
  rows.map((row) => {
    const { epoch, loss, accuracy, valLoss, valAccuracy } = JSON.parse(row) as Record<string, number | null>;
    return { epoch, loss, accuracy, valLoss, valAccuracy };
  });

/** Records every value `data-epochs-done` takes from now on (window.epochsDone), across nothing but this document. */
const watchEpochsDone = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { epochsDone: number[] };
    w.epochsDone = [];
    new MutationObserver(() => {
      const done = document.querySelector('[data-testid="epoch-progress"]')?.getAttribute('data-epochs-done');
      if (done != null && Number(done) !== w.epochsDone.at(-1)) w.epochsDone.push(Number(done));
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-epochs-done'] });
  });
const epochsDoneSeen = (page: Page) => page.evaluate(() => (window as unknown as { epochsDone: number[] }).epochsDone);
const neverBack = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);

/** Waits until `data-epochs-done` (epoch 0, the untrained model, counts) reaches `n`; returns the epoch log's rows then. */
async function rowsOnceDone(page: Page, n: number): Promise<string[]> {
  await page.waitForFunction(
    (at) => Number(document.querySelector('[data-testid="epoch-progress"]')?.getAttribute('data-epochs-done')) >= at,
    n,
    { timeout: 120_000, polling: 50 },
  );
  return epochRows(page);
}

/**
 * The run the recovery tests interrupt: 4 epochs of 6,000 digits on WASM (deterministic there).
 * Its uninterrupted results are recorded by the first recovery test and compared by the others.
 */
const RECOVERY_RUN = '?epochs=4&trainSize=6000&validationSplit=0&backend=wasm';
let uninterrupted: { accuracy: number; learned: ReturnType<typeof learned> } | null = null;

async function trainToDone(page: Page) {
  expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
  await page.getByTestId('train-button').click();
  expect(await waitForState(page, ['done', 'error'], 170_000)).toBe('done');
  await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'trained');
}

describe('saved models, files and recovery', () => {
  const browser = useBrowser();

  it('keeps the trained model across a reload, and a downloaded model uploads back with the same predictions', async () => {
    const { page } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0');
    await trainToDone(page);
    const trainedAccuracy = await accuracy(page);
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
    const bothDownloaded = new Promise<void>((resolve) => {
      page.on('download', (download) => {
        const path = join(folder, download.suggestedFilename());
        void download.saveAs(path).then(() => {
          downloads.push(path);
          if (downloads.length === 2) resolve();
        });
      });
    });
    await page.getByTestId('download-model').click();
    await bothDownloaded;
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

  it('a lost WebGL context mid-run: says so, continues from the last epoch on WASM, ends with a usable model', async () => {
    // SwiftShader's WebGL here: ~190 digits/s, so 600 digits make an epoch of a few seconds.
    const app = await browser.open('?backend=webgl&epochs=3&trainSize=600&validationSplit=0&testFault=lose-webgl-context');
    const { page } = app;
    await requireWebGL2(page);
    // Chromium and tfjs report the loss on the console: that is the fault this test provokes.
    app.allowErrors(/context lost|CONTEXT_LOST|lost context/i);
    app.expectFaults(/^fault-notice: WebGL: the WebGL context was lost/, /^worker-restart: /);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await watchEpochsDone(page);
    await page.getByTestId('train-button').click();
    // Epochs 0 and 1 as shown before the fault (it comes a few batches into epoch 2).
    const before = await rowsOnceDone(page, 2);
    expect(await waitForState(page, ['done', 'error'], 170_000)).toBe('done');
    const notice = await page.getByTestId('fault-notice').innerText();
    expect(notice).toMatch(/WebGL context was lost/);
    expect(notice).toMatch(/continues from epoch 1 \(the last one completed\)/);
    await expect(page.getByTestId('backend-badge').getAttribute('data-backend')).resolves.toBe('wasm');
    await expect(page.getByTestId('backend-badge').innerText()).resolves.toMatch(/WebGL context was lost earlier/);
    expect(await loggedEpochs(page)).toEqual([0, 1, 2, 3]);
    expect((await epochRows(page)).slice(0, 2), 'epochs 0 and 1, exactly as shown before the fault').toEqual(before.slice(0, 2));
    expect(neverBack(await epochsDoneSeen(page)), `epochs done: ${(await epochsDoneSeen(page)).join(' ')}`).toBe(true);
    // On this machine's software WebGL; on a GPU the two WebGL epochs differ in the last bits.
    expectFigure('webglLost.testAccuracy', await accuracy(page), POINT);
    await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'trained');
    await draw(page, SEVEN);
    const read = await probabilities(page);
    expect(read.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  });

  it('the run the recovery tests interrupt, uninterrupted: its results', async () => {
    const { page } = await browser.open(RECOVERY_RUN);
    await trainToDone(page);
    uninterrupted = { accuracy: await accuracy(page), learned: learned(await epochRows(page)) };
    expect(uninterrupted.learned.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
    expectFigure('recovery.testAccuracy', uninterrupted.accuracy, POINT);
  });

  it('a worker that dies mid-run without a word: the watchdog notices, a fresh worker continues the very same run', async () => {
    expect(uninterrupted, 'the uninterrupted run (the test before) ran').not.toBeNull();
    const app = await browser.open(RECOVERY_RUN);
    const { page } = app;
    app.expectFaults(/^fault-notice: The training worker stopped responding/, /^worker-restart: /);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await watchEpochsDone(page);
    await page.getByTestId('train-button').click();
    // Epoch 0 and epoch 1 done, epoch 2 under way: then the worker goes (self.close(): no error event, no message).
    const before = await rowsOnceDone(page, 2);
    const worker = page.workers().find((w) => w.url().includes('trainer'))!;
    expect(worker).toBeDefined();
    await worker.evaluate(() => (self as unknown as { close(): void }).close()).catch(() => undefined);
    const notice = page.getByTestId('fault-notice');
    await notice.waitFor({ timeout: 30_000 });
    await expect(notice.innerText()).resolves.toMatch(/stopped responding\. Training continues from epoch [12] \(the last one completed\)/);
    expect(await waitForState(page, ['done', 'error'], 170_000)).toBe('done');
    const after = await epochRows(page);
    expect(await loggedEpochs(page)).toEqual([0, 1, 2, 3, 4]);
    expect(after.slice(0, before.length), 'the epochs before the fault, exactly as shown then').toEqual(before);
    expect(neverBack(await epochsDoneSeen(page)), `epochs done: ${(await epochsDoneSeen(page)).join(' ')}`).toBe(true);
    // The same backend throughout: the continued run is the uninterrupted one, bit for bit.
    expect(learned(after)).toEqual(uninterrupted!.learned);
    expect(await accuracy(page)).toBe(uninterrupted!.accuracy);
    await draw(page, SEVEN);
    expect((await probabilities(page)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  });

  it('a hidden page keeps training and its charts catch up when shown; leaving mid-run asks; a reloaded run continues', async () => {
    expect(uninterrupted, 'the uninterrupted run (a test before) ran').not.toBeNull();
    const { page } = await browser.open(RECOVERY_RUN);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['training', 'error'], 30_000)).toBe('training');
    // Headless Chromium cannot hide a page: the page is told it is hidden the way the browser tells it.
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    const drawnWhenHidden = await page.getByTestId('loss-chart').locator('.chart__canvas').getAttribute('data-drawn-points');
    await rowsOnceDone(page, 3);
    // Paused mid-run (so the run cannot end while the test looks and leaves).
    await page.getByTestId('pause-button').click();
    expect(await waitForState(page, ['paused', 'done'], 30_000)).toBe('paused');
    // Training went on (epochs 1 and 2 while hidden); the loss chart was not redrawn meanwhile.
    await expect(page.getByTestId('loss-chart').locator('.chart__canvas').getAttribute('data-drawn-points')).resolves.toBe(drawnWhenHidden);
    await expect(page.title()).resolves.toMatch(/^Epoch [34]\/4 · LeNet Lab$/);
    await setVisibility('visible');
    await page.waitForFunction(() => {
      const chart = document.querySelector('[data-testid="loss-chart"]');
      return Number(chart?.querySelector('.chart__canvas')?.getAttribute('data-drawn-points')) >= 3;
    });

    // Closing the tab asks first; dismissed, the page stays, still mid-run.
    const dialog = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.type());
        void d.dismiss();
      }),
    );
    await page.close({ runBeforeUnload: true });
    expect(await dialog).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);
    await expect(page.locator('[data-state]').getAttribute('data-state')).resolves.toBe('paused');

    // Reloading anyway: the new page offers to continue the run from its checkpoint.
    page.once('dialog', (d) => void d.accept());
    await page.reload();
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    const interrupted = page.getByTestId('interrupted-run');
    await interrupted.waitFor({ timeout: 10_000 });
    await expect(interrupted.innerText()).resolves.toMatch(/interrupted after epoch [23] of 4/);
    await page.getByTestId('resume-checkpoint').click();
    expect(await waitForState(page, ['done', 'error'], 170_000)).toBe('done');
    expect(await loggedEpochs(page)).toEqual([0, 1, 2, 3, 4]);
    // Continued from its checkpoint, it is the uninterrupted run.
    expect(learned(await epochRows(page))).toEqual(uninterrupted!.learned);
    expect(await accuracy(page)).toBe(uninterrupted!.accuracy);
    expect(await source(page)).toBe('trained');
    await expect(page.getByTestId('interrupted-run').count()).resolves.toBe(0);
  });
});

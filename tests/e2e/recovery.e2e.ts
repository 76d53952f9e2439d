/**
 * Runs interrupted and continued, in Chromium through the UI against the production build: a lost
 * WebGL context and a worker that dies mid-run both end in a usable model and a plain message; a
 * hidden page keeps training and its charts catch up; leaving mid-run asks first, and a run
 * interrupted by a reload can be continued. A run continued after a fault or a reload is the run
 * that was not interrupted: the epochs before the fault are shown exactly as they were, the count
 * of epochs done never goes back, and on the same backend it ends at the uninterrupted run's very
 * losses and test accuracy.
 */
import { describe, expect, it } from 'vitest';
import { POINT, expectFigure } from './figures';
import { SEVEN, requireWebGL2, useBrowser, waitForState } from './harness';
import {
  accuracy,
  draw,
  epochRows,
  epochsDoneSeen,
  learned,
  loggedEpochs,
  neverBack,
  probabilities,
  rowsOnceDone,
  source,
  trainToDone,
  watchEpochsDone,
} from './runs';

/**
 * The run the recovery tests interrupt: 4 epochs of 3,000 digits on WASM (deterministic there).
 * Its uninterrupted results are recorded by the first recovery test and compared by the others.
 */
const RECOVERY_RUN = '?epochs=4&trainSize=3000&validationSplit=0&backend=wasm';
let uninterrupted: { accuracy: number; learned: ReturnType<typeof learned> } | null = null;

describe('recovery', () => {
  const browser = useBrowser();

  it('a lost WebGL context mid-run: says so, continues from the last epoch on WASM, ends with a usable model', async () => {
    // SwiftShader's WebGL here: ~80 digits/s in this test, so 256 digits (4 batches) make an epoch
    // of a few seconds; the fault comes at the third batch of epoch 2, the last.
    const app = await browser.open('?backend=webgl&epochs=2&trainSize=256&validationSplit=0&testFault=lose-webgl-context');
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
    expect(await loggedEpochs(page)).toEqual([0, 1, 2]);
    expect((await epochRows(page)).slice(0, 2), 'epochs 0 and 1, exactly as shown before the fault').toEqual(before.slice(0, 2));
    expect(neverBack(await epochsDoneSeen(page)), `epochs done: ${(await epochsDoneSeen(page)).join(' ')}`).toBe(true);
    // On this machine's software WebGL; on a GPU the two WebGL epochs differ in the last bits.
    expectFigure('webglLost.testAccuracy', await accuracy(page), POINT);
    await expect.poll(() => source(page), { timeout: 10_000 }).toBe('trained');
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
    // Given up on after 4 s of silence (testWatchdog) rather than a real page's 15.
    const app = await browser.open(`${RECOVERY_RUN}&testWatchdog=4`);
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
    // `done` comes with the test results; the model in use changes once it is saved, a moment later.
    await expect.poll(() => source(page), { timeout: 10_000 }).toBe('trained');
    await expect(page.getByTestId('interrupted-run').count()).resolves.toBe(0);
  });
});

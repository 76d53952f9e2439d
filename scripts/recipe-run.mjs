// @ts-check
/**
 * One recorded training run through the UI, from the Train click to the test results: what the
 * seed run and the benchmark's long run report.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { drawProbe, followRun, longestTask, longestTaskWhile, startTraining, waitForState, withPage } from './browser-session.mjs';

/**
 * @param {{ url: string, executablePath: string }} server
 * @param {string} query settings as URL parameters ('' for the seed recipe)
 * @param {{ screenshot?: string, log?: (line: string) => void, probe?: boolean }} [options] `probe`: a digit is drawn
 *   first, so the Draw and Inside panels redraw after every epoch, as in a class
 */
export async function recordRecipe(server, query, { screenshot = '', log = () => {}, probe = false } = {}) {
  const result = await withPage(server.executablePath, `${server.url}?${query}`, async (page) => {
    if (probe) {
      await waitForState(page, ['ready'], 120_000);
      await drawProbe(page);
    }
    const { clickedAt: started } = await startTraining(page);
    const backend = await page.getByTestId('backend-badge').innerText();
    log(`${new Date().toISOString()} training started: ${backend}`);
    const { memory, epochs } = await followRun(page, log);
    const wallMs = Date.now() - started;
    // From the page's click event to 'done' (the confusion matrix), on the page's own clock.
    const clickToDoneMs = await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      const done = w.stateMarks.findLast((/** @type {[number, string]} */ [, s]) => s === 'done')?.[0];
      return done !== undefined && w.trainClickAt !== null ? Math.round(done - w.trainClickAt) : null;
    });
    if (screenshot) {
      await page.waitForTimeout(1500); // the last throttled chart redraws
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    return {
      date: new Date().toISOString(),
      query,
      probe,
      backend,
      wallMs,
      clickToDoneMs,
      testAccuracy: Number(await page.getByTestId('test-accuracy').getAttribute('data-value')),
      testLoss: Number(await page.getByTestId('test-loss').getAttribute('data-value')),
      longestMainThreadTaskMs: await longestTask(page),
      longestTaskWhileTrainingMs: await longestTaskWhile(page, 'training'),
      longestTaskWhileEvaluatingMs: await longestTaskWhile(page, 'evaluating'),
      longestTaskAfterDoneMs: await longestTaskWhile(page, 'done'),
      longTasks: await page.evaluate(() => /** @type {any} */ (window).longTasks.map((/** @type {number[]} */ t) => t.map(Math.round))),
      stateMarks: await page.evaluate(() =>
        /** @type {any} */ (window).stateMarks.map((/** @type {[number, string]} */ [t, s]) => [Math.round(t), s]),
      ),
      memory,
      epochs,
    };
  });
  log(
    `test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, test loss ${result.testLoss.toFixed(4)}, ` +
      `wall time ${(result.wallMs / 60_000).toFixed(1)} min (${result.wallMs} ms; ${result.clickToDoneMs} ms from the page's click event to done), longest main-thread task ${result.longestMainThreadTaskMs} ms ` +
      `(while training ${result.longestTaskWhileTrainingMs} ms, evaluating ${result.longestTaskWhileEvaluatingMs} ms, showing results ${result.longestTaskAfterDoneMs} ms)`,
  );
  return result;
}

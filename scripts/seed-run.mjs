#!/usr/bin/env node
// @ts-check
/**
 * Runs the seed notebook's full recipe through the UI in headless Chromium (LeNet-5 28x28, tanh,
 * Adam 0.001, batch 64, 20 epochs on all 60,000 digits with validation split 0.2, backend auto)
 * and records what the README reports: test accuracy and loss, wall time, each epoch's figures
 * (including the worker's tensor count) and the longest main-thread task.
 *
 *   npm run seed-run [-- --query "epochs=20" --out bench-results/seed-run.json --screenshot docs/screenshot.png]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliOption } from './cli.mjs';
import { longestTask, longestTaskWhile, serveBuild, startTraining, waitForState, withPage } from './browser-session.mjs';

const query = cliOption('--query', '');
const out = cliOption('--out', 'bench-results/seed-run.json');
const screenshot = cliOption('--screenshot', '');

const server = await serveBuild();
try {
  const result = await withPage(server.executablePath, `${server.url}?${query}`, async (page) => {
    const { clickedAt: started } = await startTraining(page);
    const backend = await page.getByTestId('backend-badge').innerText();
    console.log(`${new Date().toISOString()} training started: ${backend}`);
    let reported = 0;
    /** Main-thread JS heap (Chromium's performance.memory) at each completed epoch. */
    const heap = [];
    for (;;) {
      const state = await waitForState(page, ['done', 'training', 'evaluating'], 60 * 60_000);
      const done = Number(await page.getByTestId('epoch-progress').getAttribute('data-epochs-done'));
      if (done > reported) {
        reported = done;
        heap.push({
          epochsDone: done,
          usedJSHeapMB: await page.evaluate(() => Math.round(/** @type {any} */ (performance).memory?.usedJSHeapSize / 1e5) / 10),
        });
        console.log(`${new Date().toISOString()} ${await page.getByTestId('epoch-progress').innerText()}`.replace(/\n+/g, ' | '));
      }
      if (state === 'done') break;
      await page.waitForTimeout(5000);
    }
    const wallMs = Date.now() - started;
    if (screenshot) {
      await page.waitForTimeout(1500); // the last throttled chart redraws
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    const epochs = await page
      .getByTestId('epoch-log')
      .locator('tr[data-result]')
      .evaluateAll((rows) => rows.map((row) => JSON.parse(row.getAttribute('data-result') ?? 'null')));
    return {
      date: new Date().toISOString(),
      query,
      backend,
      wallMs,
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
      mainThreadHeap: heap,
      epochs,
    };
  });
  console.log(
    `test accuracy ${(result.testAccuracy * 100).toFixed(2)}%, test loss ${result.testLoss.toFixed(4)}, ` +
      `wall time ${(result.wallMs / 60_000).toFixed(1)} min, longest main-thread task ${result.longestMainThreadTaskMs} ms ` +
      `(while training ${result.longestTaskWhileTrainingMs} ms, evaluating ${result.longestTaskWhileEvaluatingMs} ms, showing results ${result.longestTaskAfterDoneMs} ms)`,
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out}`);
} finally {
  await server.close();
}

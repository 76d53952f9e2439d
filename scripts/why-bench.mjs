#!/usr/bin/env node
// @ts-check
/**
 * Issue 18's figures, through the UI of the production build in headless Chromium on the real data:
 * how long the worker takes for one evidence map (data-duration-ms, the worker's own clock: the
 * 32-step integrated gradients, with the model in use on tfjs WASM) for both presets, and the
 * longest main-thread task while each new view appears: an evidence map switched to another digit,
 * a learning step taken and applied, a run pinned, the comparison shown after a second run.
 *
 *   npm run bench:why [-- --maps 20]
 *
 * Writes bench-results/why-<date>.json. Never run beside another browser suite or benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { drawProbe, serveBuild, waitForState, withPage } from './browser-session.mjs';

const maps = Number(process.argv[process.argv.indexOf('--maps') + 1]) || 20;

/** The longest task that started since `since` (performance.now() of the page). @param {import('playwright-core').Page} page @param {number} since */
const longestSince = (page, since) =>
  page.evaluate(
    (t) =>
      Math.round(
        Math.max(
          0,
          .../** @type {[number, number][]} */ (/** @type {any} */ (window).longTasks).filter(([start]) => start >= t).map(([, d]) => d),
        ),
      ),
    since,
  );
/** @param {import('playwright-core').Page} page */
const now = (page) => page.evaluate(() => performance.now());

/** @param {import('playwright-core').Page} page */
async function train(page) {
  const before = await page
    .getByTestId('model-source')
    .getAttribute('data-model-id')
    .catch(() => null);
  await page.getByTestId('train-button').click();
  await page.waitForFunction(
    (b) =>
      document.querySelector('[data-state]')?.getAttribute('data-state') === 'done' &&
      (document.querySelector('[data-testid="model-source"]')?.getAttribute('data-model-id') ?? b) !== b,
    before,
    { timeout: 300_000 },
  );
}

/** Evidence maps for every digit as the target, `count` in all, from the map shown now; their worker times. @param {import('playwright-core').Page} page @param {number} count */
async function mapTimes(page, count) {
  const times = [];
  let last = Number(await page.getByTestId('evidence-map').getAttribute('data-request'));
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const since = await now(page);
    await page.getByTestId(`evidence-target-${i % 10}`).click();
    await page.waitForFunction(
      (/** @type {[number, number]} */ [target, after]) => {
        const map = document.querySelector('[data-testid="evidence-map"]');
        return (
          map?.getAttribute('data-pending') === 'false' &&
          map.getAttribute('data-target') === String(target) &&
          Number(map.getAttribute('data-request')) > after
        );
      },
      /** @type {[number, number]} */ ([i % 10, last]),
    );
    await page.waitForTimeout(100);
    longest = Math.max(longest, await longestSince(page, since));
    last = Number(await page.getByTestId('evidence-map').getAttribute('data-request'));
    times.push(Number(await page.getByTestId('evidence-map').getAttribute('data-duration-ms')));
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), longestTaskMs: longest, times };
}

const server = await serveBuild();
const date = new Date().toISOString();
/** @type {Record<string, unknown>} */
const results = { date, maps };
try {
  await withPage(
    server.executablePath,
    `${server.url}?epochs=2&trainSize=6000&lang=en`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      await train(page);
      await drawProbe(page);
      await page.locator('#why').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector('[data-testid="evidence-map"]')?.getAttribute('data-pending') === 'false');
      results.seed = await mapTimes(page, maps);

      let since = await now(page);
      await page.getByTestId('take-learning-step').click();
      await page.getByTestId('learning-step').waitFor();
      await page.waitForTimeout(300);
      results.stepTakenLongestTaskMs = await longestSince(page, since);
      since = await now(page);
      await page.getByTestId('apply-learning-step').click();
      await page.getByTestId('learning-step-after').waitFor();
      await page.waitForTimeout(300);
      results.stepAppliedLongestTaskMs = await longestSince(page, since);

      await page.locator('#runs').scrollIntoViewIfNeeded();
      since = await now(page);
      await page.getByTestId('pin-baseline').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="run"]')?.getAttribute('data-pinned') === 'true');
      await page.waitForTimeout(300);
      results.pinLongestTaskMs = await longestSince(page, since);

      await page.getByTestId('settings-details').locator('summary').click();
      await page.locator('#setting-activation').selectOption('relu');
      await page.locator('#train').scrollIntoViewIfNeeded();
      since = await now(page);
      await train(page);
      await page.waitForTimeout(2000);
      results.secondRunLongestTaskMs = await longestSince(page, since);
      // Each task of 50 ms or more in that run, with the page's state when it started.
      results.secondRunLongTasks = await page.evaluate((t) => {
        const w = /** @type {any} */ (window);
        /** @type {[number, string][]} */
        const marks = w.stateMarks;
        return /** @type {[number, number][]} */ (w.longTasks)
          .filter(([start]) => start >= t)
          .map(([start, duration]) => `${Math.round(duration)} ms while ${marks.filter(([time]) => time <= start).at(-1)?.[1]}`);
      }, since);
      await page.locator('#runs').scrollIntoViewIfNeeded();
      since = await now(page);
      await page.getByTestId('run-comparison').waitFor();
      await page.waitForTimeout(2500);
      results.comparisonLongestTaskMs = await longestSince(page, since);
    },
    { width: 1366, height: 768 },
  );
  await withPage(
    server.executablePath,
    `${server.url}?model=lenet5-classic&epochs=1&trainSize=3000&lang=en`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      await train(page);
      await page.locator('#why').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector('[data-testid="evidence-map"]')?.getAttribute('data-pending') === 'false');
      results.classic = await mapTimes(page, maps);
    },
    { width: 1366, height: 768 },
  );
} finally {
  server.close();
}

const line = (/** @type {string} */ name, /** @type {any} */ m) =>
  `${name}: evidence map median ${m.median.toFixed(1)} ms, max ${m.max.toFixed(1)} ms (worker); longest main-thread task ${m.longestTaskMs} ms`;
console.log(line('LeNet-5 28x28', results.seed));
console.log(line('LeNet-5 classic 32x32', results.classic));
console.log(
  `longest main-thread task: step taken ${results.stepTakenLongestTaskMs} ms, applied ${results.stepAppliedLongestTaskMs} ms, run pinned ${results.pinLongestTaskMs} ms, second run with a baseline ${results.secondRunLongestTaskMs} ms, comparison shown ${results.comparisonLongestTaskMs} ms`,
);
console.log(`the second run's tasks of 50 ms or more: ${JSON.stringify(results.secondRunLongTasks)}`);
mkdirSync('bench-results', { recursive: true });
const file = `bench-results/why-${date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`written to ${file}`);

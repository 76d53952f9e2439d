#!/usr/bin/env node
// @ts-check
/**
 * Measures the app in headless Chromium against `vite preview` of the production build:
 * how long the full MNIST set takes to load and verify in the worker, and the longest task the
 * main thread ran meanwhile (what a user would feel as a freeze; Chromium reports tasks of 50 ms or
 * more, so 0 means none that long). Prints a table and writes JSON.
 *
 *   npm run bench [-- --runs 3 --out bench-results/latest.json --screenshot docs/screenshot.png]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, INSTALL_HINT, findChromium } from './find-chromium.mjs';

const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = args.indexOf(name);
  return (i >= 0 ? args[i + 1] : undefined) ?? fallback;
};
const runs = Number(option('--runs', '3'));
const out = option('--out', 'bench-results/latest.json');
const screenshot = option('--screenshot', '');

const executablePath = findChromium();
if (!executablePath) {
  console.error(INSTALL_HINT);
  process.exit(1);
}

await build({ logLevel: 'warn' });
const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview did not report a URL');

/** @type {{ run: number, readyMs: number, workerLoadMs: number, longestMainThreadTaskMs: number }[]} */
const results = [];
for (let run = 1; run <= runs; run++) {
  // A fresh profile each run: nothing cached, as on a first visit.
  const userDataDir = mkdtempSync(join(tmpdir(), 'lenet-lab-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = /** @type {any} */ (window);
      w.longestTaskMs = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longestTaskMs = Math.max(w.longestTaskMs, entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const started = Date.now();
    await page.goto(url);
    const state = await page.waitForFunction(
      () => {
        const s = document.querySelector('[data-state]')?.getAttribute('data-state');
        return s === 'ready' || s === 'error' ? s : null;
      },
      undefined,
      { timeout: 120_000, polling: 50 },
    );
    const readyMs = Date.now() - started;
    if ((await state.jsonValue()) !== 'ready')
      throw new Error(`the app did not load: ${await page.getByTestId('error-message').innerText()}`);
    const workerLoadMs = Number(await page.getByTestId('data-status').getAttribute('data-load-ms'));
    const longestMainThreadTaskMs = Math.round(await page.evaluate(() => /** @type {any} */ (window).longestTaskMs));
    results.push({ run, readyMs, workerLoadMs, longestMainThreadTaskMs });
    if (screenshot && run === runs) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
await server.close();

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {
  date: new Date().toISOString(),
  chromium: executablePath,
  runs: results,
  median: {
    readyMs: median(results.map((r) => r.readyMs)),
    workerLoadMs: median(results.map((r) => r.workerLoadMs)),
    longestMainThreadTaskMs: median(results.map((r) => r.longestMainThreadTaskMs)),
  },
};
console.table(results);
console.log(
  `median: page to ready ${summary.median.readyMs} ms, worker load + verify ${summary.median.workerLoadMs} ms, longest main-thread task ${summary.median.longestMainThreadTaskMs} ms`,
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`written to ${out}`);

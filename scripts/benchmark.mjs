#!/usr/bin/env node
// @ts-check
/**
 * The benchmark (not a test): headless Chromium against the production build, a fresh profile per
 * measurement.
 *  1. Loading and a lesson's first minute, at 1366x768 and 1920x1080: time from navigation to
 *     data-state "ready" (median of --visits fresh profiles, and of as many reloads), the worker's
 *     own load-and-verify time; then the Quick demo through the UI with a digit drawn and the
 *     Inside panel in view, and the longest main-thread task of each phase (loading, idle, the
 *     click, training, evaluating, the results).
 *  2. Training, per backend: trains a fixed number of batches of 64 in the worker through the UI
 *     and reads the worker's throughput (images/s, not counting the first batch), the warm-up (the
 *     first batch: WASM start, shader compilation) and the longest main-thread task from the Train
 *     click on (Chromium reports tasks of 50 ms or more; 0 means none).
 *     The LeNet Lab engine's figures come with its ratio to a native reference measured in the same
 *     run (PyTorch, one thread, scripts/native-reference.py) where python3-torch is installed.
 *  3. A long run: the seed recipe (20 epochs, backend auto), with the worker's tensor count and
 *     bytes, the WASM memory and both threads' JS heaps after every epoch: memory must stay flat.
 * Prints tables and writes JSON to bench-results/ (git-ignored).
 *
 *   npm run bench [-- --visits 5 --lessons 1 --backends engine,wasm,webgl,cpu | none --batches 150 --long "epochs=20" | --long none]
 *
 * A backend may carry settings after a '+': `--backends engine,engine+model=lenet5-classic` also
 * times the engine on the classic (32x32) preset.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { cliOption } from './cli.mjs';
import {
  drawProbe,
  longestTask,
  longestTaskPerPhase,
  quietPage,
  readyAtMs,
  serveBuild,
  startTraining,
  waitForState,
  withPage,
} from './browser-session.mjs';
import { recordRecipe } from './recipe-run.mjs';

const backends = cliOption('--backends', 'engine,wasm,webgl,cpu').split(',');
/** Batches timed per backend; the slow ones get fewer so a run stays within minutes. */
const batchesFor = (/** @type {string} */ backend) =>
  Number(cliOption('--batches', backend === 'engine' ? '600' : backend === 'wasm' ? '150' : '30'));
/** URL settings of the long run ('' = the seed recipe), or 'none' to skip it. */
const long = cliOption('--long', '');
/** The two screens issue 15 names: a classroom laptop and a 1080p projector. */
const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];
/** Fresh-profile visits and reloads timed per screen size. */
const visits = Number(cliOption('--visits', '5'));
/** Lessons (the Quick demo through the UI) per screen size: one run's longest tasks vary by tens of ms on 2 cores. */
const lessons = Number(cliOption('--lessons', '1'));
const out = cliOption('--out', `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);

const server = await serveBuild();
try {
  const load = [];
  const firstMinute = [];
  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}x${viewport.height}`;
    const row = await readyTimes(server, viewport);
    load.push({ viewport: size, ...row });
    console.log(
      `loading at ${size}: navigation to ready, fresh profile ${row.freshMs.join(', ')} ms (median ${row.freshMedianMs}), ` +
        `reload ${row.reloadMs.join(', ')} ms (median ${row.reloadMedianMs}); the worker's load and checks ${row.workerLoadMs.join(', ')} ms`,
    );
    for (let lesson = 0; lesson < lessons; lesson++) {
      const phases = await lessonPhases(server, viewport);
      firstMinute.push({ viewport: size, lesson: lesson + 1, ...phases });
      console.log(`longest main-thread task per phase at ${size} (Quick demo, a digit drawn, Inside shown):`, phases.longestTaskMs);
    }
  }
  console.table(firstMinute.map((r) => ({ viewport: r.viewport, lesson: r.lesson, ...r.longestTaskMs })));

  /** @type {Record<string, unknown>[]} */
  const training = [];
  for (const entry of backends.filter((b) => b !== 'none')) {
    // An entry may add settings after a '+': engine+model=lenet5-classic times the classic preset.
    const [backend = entry, extra] = entry.split('+');
    const batches = batchesFor(backend);
    // validationSplit 0: every digit trains; one epoch of all 60,000 is more than any run here needs.
    const query = `backend=${backend}&epochs=1&trainSize=60000&validationSplit=0&batchSize=64${extra ? `&${extra}` : ''}`;
    const result = await withPage(server.executablePath, `${server.url}?${query}`, async (page) => {
      const { clickToTrainingMs } = await startTraining(page);
      const badge = await page.getByTestId('backend-badge').getAttribute('data-backend');
      await page.waitForFunction(
        (n) => {
          const match = /batch (\d+)\//.exec(document.querySelector('[data-testid="epoch-progress"]')?.textContent ?? '');
          return match !== null && Number(match[1]) >= n;
        },
        batches,
        { timeout: 30 * 60_000, polling: 200 },
      );
      const progress = page.getByTestId('epoch-progress');
      const row = {
        requested: entry,
        ran: badge,
        batches,
        imagesPerSecond: Number(await progress.getAttribute('data-images-per-second')),
        warmupMs: Number(await progress.getAttribute('data-warmup-ms')),
        clickToTrainingMs,
        longestMainThreadTaskMs: await longestTask(page),
      };
      return row;
    });
    console.log(
      `${entry}: ${result.imagesPerSecond} images/s, warm-up ${result.warmupMs} ms, longest main-thread task ${result.longestMainThreadTaskMs} ms`,
    );
    training.push(result);
  }
  console.table(training);

  // The native reference, measured in the same run (skipped where PyTorch is not installed).
  const native = training.length > 0 ? nativeReference() : null;
  if (native) {
    console.log(`native reference: PyTorch ${native.torch}, one thread: ${native.imagesPerSecond} images/s`);
    for (const row of training) {
      if (String(row.requested).includes('model=')) continue; // the reference trains the seed preset only
      row.ratioToNative = Math.round((Number(row.imagesPerSecond) / native.imagesPerSecond) * 100) / 100;
      console.log(`${row.requested}: ${row.ratioToNative}x native`);
    }
  } else console.log('native reference: python3 with torch not found (apt install python3-torch), no ratio');

  let longRun = null;
  if (long !== 'none') {
    console.log(`long run: ${long || 'the seed recipe'}, memory after every epoch`);
    // With a probe digit drawn, as in a class: the Draw and Inside panels redraw after every epoch.
    const run = await recordRecipe(server, long, { log: console.log, probe: true });
    const range = (/** @type {string} */ key) => {
      const values = run.memory.filter((m) => Number(m.epoch) >= 1).map((m) => Number(m[key]));
      return values.length ? [Math.min(...values), Math.max(...values)] : null;
    };
    longRun = {
      query: long,
      backend: run.backend,
      wallMs: run.wallMs,
      testAccuracy: run.testAccuracy,
      longestMainThreadTaskMs: run.longestMainThreadTaskMs,
      longestTaskWhileTrainingMs: run.longestTaskWhileTrainingMs,
      // [min, max] over epochs 1..N: equal numbers mean flat.
      numTensors: range('numTensors'),
      wasmMemoryMB: range('wasmMemoryMB'),
      workerHeapMB: range('workerHeapMB'),
      mainHeapMB: range('mainHeapMB'),
      memory: run.memory,
    };
    console.table(run.memory);
    console.log(
      `long run: test accuracy ${(run.testAccuracy * 100).toFixed(2)}% in ${(run.wallMs / 60_000).toFixed(1)} min; ` +
        `tensors ${longRun.numTensors?.join('-')}, WASM memory ${longRun.wasmMemoryMB?.join('-')} MB, ` +
        `worker heap ${longRun.workerHeapMB?.join('-')} MB, main heap ${longRun.mainHeapMB?.join('-')} MB`,
    );
  }

  const summary = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
    chromium: server.executablePath,
    load,
    firstMinute,
    training,
    native,
    longRun,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`written to ${out}`);
} finally {
  await server.close();
}

/** The middle value (of an odd count; the upper middle of an even one). @param {number[]} values */
function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}

/**
 * Navigation to data-state 'ready' (the page's own clock, from navigation start): `visits` fresh
 * profiles, then `visits` reloads of one page once its offline cache is complete.
 * @param {{ url: string, executablePath: string }} server
 * @param {{ width: number, height: number }} viewport
 */
async function readyTimes(server, viewport) {
  /** @type {number[]} */
  const freshMs = [];
  /** @type {number[]} */
  const workerLoadMs = [];
  for (let i = 0; i < visits; i++) {
    await withPage(
      server.executablePath,
      server.url,
      async (page) => {
        await (await quietPage(page)).waitForState(['ready'], 120_000);
        freshMs.push(await readyAtMs(page));
        workerLoadMs.push(Number(await page.getByTestId('data-status').getAttribute('data-load-ms')));
      },
      viewport,
    );
  }
  const reloadMs = await withPage(
    server.executablePath,
    server.url,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      // As a class would: the page has been open a while, the offline copy is complete.
      await page.waitForSelector('[data-offline="ready"]', { timeout: 60_000 }).catch(() => undefined);
      /** @type {number[]} */
      const times = [];
      for (let i = 0; i < visits; i++) {
        await page.reload();
        await (await quietPage(page)).waitForState(['ready'], 120_000);
        times.push(await readyAtMs(page));
      }
      return times;
    },
    viewport,
  );
  return { freshMs, freshMedianMs: median(freshMs), reloadMs, reloadMedianMs: median(reloadMs), workerLoadMs };
}

/**
 * A lesson's first minute at one screen size, with every view in use: the Quick demo trained
 * through the UI with a digit drawn first (the Draw and Inside panels read it after every epoch)
 * and the Inside panel in view; the longest main-thread task of each phase.
 * @param {{ url: string, executablePath: string }} server
 * @param {{ width: number, height: number }} viewport
 */
async function lessonPhases(server, viewport) {
  return withPage(
    server.executablePath,
    server.url,
    async (page) => {
      // Driven over the bare protocol until the results are in: nothing of Playwright's own is
      // injected into the page while its tasks are measured (quietPage).
      const quiet = await quietPage(page);
      await quiet.waitForState(['ready'], 120_000);
      await quiet.click('[data-testid="preset-quick"]');
      await drawProbe(page);
      await quiet.boxOf('[data-testid="train-button"]');
      await page.waitForTimeout(1000);
      const clickAt = await quiet.evaluate('performance.now()');
      await quiet.click('[data-testid="train-button"]');
      await quiet.waitForState(['training'], 60_000);
      // Scrolled to the curves, then to the results, as a teacher would.
      await quiet.boxOf('[data-testid="loss-chart"]');
      await quiet.waitForState(['done'], 10 * 60_000);
      await quiet.boxOf('#evaluate');
      await page.waitForTimeout(2000);
      return {
        longestTaskMs: await longestTaskPerPhase(page, clickAt),
        testAccuracy: Number(await page.getByTestId('test-accuracy').getAttribute('data-value')),
      };
    },
    viewport,
  );
}

/**
 * PyTorch on one thread training the same seed preset (scripts/native-reference.py), or null.
 * @returns {{ imagesPerSecond: number, batches: number, torch: string } | null}
 */
function nativeReference() {
  // The python3 on the PATH may be another installation than Debian's, which has the package.
  for (const python of ['python3', '/usr/bin/python3']) {
    const run = spawnSync(python, ['scripts/native-reference.py', '600'], { encoding: 'utf8', timeout: 120_000 });
    if (run.status !== 0) continue;
    try {
      return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '');
    } catch {
      continue;
    }
  }
  return null;
}

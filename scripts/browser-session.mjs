// @ts-check
/**
 * What the benchmark and the recorded runs share: build the app, serve it with `vite preview` on a
 * free loopback port, and open it in a fresh headless Chromium profile launched the project's way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, INSTALL_HINT, findChromium } from './find-chromium.mjs';

/** Builds the production bundle and serves it; returns its URL and a function that stops the server. */
export async function serveBuild() {
  const executablePath = findChromium();
  if (!executablePath) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  // SERVE_DIR=folder serves a build made before (an A/B comparison of two builds) instead of building.
  const outDir = process.env.SERVE_DIR;
  if (!outDir) await build({ logLevel: 'error' });
  const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, build: outDir ? { outDir } : {}, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { url, executablePath, close: () => server.close() };
}

/**
 * Opens `url` in a fresh profile (nothing cached, as on a first visit) with a long-task recorder
 * installed; `use(page)` does the work; the browser is closed whatever happens.
 * @template T
 * @param {string} executablePath
 * @param {string} url
 * @param {(page: import('playwright-core').Page) => Promise<T>} use
 * @param {{ width?: number, height?: number, deviceScaleFactor?: number }} [screen] the window's size (1280x900) and pixel ratio (1)
 * @returns {Promise<T>}
 */
export async function withPage(executablePath, url, use, { width = 1280, height = 900, deviceScaleFactor = 1 } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'lenet-lab-run-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    deviceScaleFactor,
  });
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    if (process.env.ECHO_CONSOLE) page.on('console', (message) => console.log(`console: ${message.text()}`));
    await page.addInitScript(() => {
      const w = /** @type {any} */ (window);
      w.longestTaskMs = 0;
      /** Every long task as [start, duration] and every data-state change as [time, state]. */
      w.longTasks = [];
      w.stateMarks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          w.longestTaskMs = Math.max(w.longestTaskMs, entry.duration);
          w.longTasks.push([entry.startTime, entry.duration]);
        }
      }).observe({ type: 'longtask', buffered: true });
      new MutationObserver(() => {
        const state = document.querySelector('[data-state]')?.getAttribute('data-state');
        if (state && w.stateMarks.at(-1)?.[1] !== state) w.stateMarks.push([performance.now(), state]);
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'], childList: true });
    });
    await page.goto(url);
    return await use(page);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * Waits until the root's data-state is one of `states`; throws with the error panel's text on 'error'.
 * @param {import('playwright-core').Page} page
 * @param {string[]} states
 * @param {number} timeoutMs
 */
export async function waitForState(page, states, timeoutMs) {
  const handle = await page.waitForFunction(
    (wanted) => {
      const s = document.querySelector('[data-state]')?.getAttribute('data-state');
      return s && (wanted.includes(s) || s === 'error') ? s : null;
    },
    states,
    { timeout: timeoutMs, polling: 100 },
  );
  const state = await handle.jsonValue();
  if (state === 'error' && !states.includes('error'))
    throw new Error(`the app failed: ${await page.getByTestId('error-message').innerText()}`);
  return state;
}

/**
 * The page driven over the bare DevTools protocol, for the benchmark's measured phases. Playwright's
 * own waits, locators and evaluations inject its scripts into the page on first use (its selector
 * engine: a task of 40-100 ms on 2 busy cores), and the long-task recorder would count that task as
 * the app's. Here each call is one Runtime.evaluate of an expression, or a mouse event from the
 * Input domain, as a person's click is: nothing is injected.
 * @param {import('playwright-core').Page} page
 */
export async function quietPage(page) {
  const session = await page.context().newCDPSession(page);
  /** @param {string} expression */
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await session.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  };
  /** Scrolls the element into view (if it is not) and returns its box, in CSS pixels of the viewport. @param {string} selector */
  const boxOf = async (selector) => {
    const box = await evaluate(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) return null;
      element.scrollIntoView({ block: 'nearest' });
      const r = element.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    })()`);
    if (!box) throw new Error(`nothing matches ${selector}`);
    return /** @type {{ x: number, y: number, width: number, height: number }} */ (box);
  };
  return {
    evaluate,
    boxOf,
    /** A left click in the middle of the element, as the mouse makes it. @param {string} selector */
    async click(selector) {
      const box = await boxOf(selector);
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    },
    /** Waits until data-state is one of `states` (throws on 'error' unless wanted). @param {string[]} states @param {number} timeoutMs */
    async waitForState(states, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const state = await evaluate(`document.querySelector('[data-state]')?.getAttribute('data-state') ?? ''`);
        if (states.includes(state)) return state;
        if (state === 'error')
          throw new Error(`the app failed: ${await evaluate(`document.querySelector('[data-testid="error-message"]')?.textContent`)}`);
        if (Date.now() > end) throw new Error(`data-state stayed ${state}, not ${states.join(' or ')}, for ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** Resets the long-task recorder (e.g. at the Train click) @param {import('playwright-core').Page} page */
export const resetLongestTask = (page) =>
  page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.longestTaskMs = 0;
  });
/** The longest main-thread task since the last reset, in ms @param {import('playwright-core').Page} page */
export const longestTask = (page) => page.evaluate(() => Math.round(/** @type {any} */ (window).longestTaskMs));

/**
 * The longest main-thread task that started while data-state was `state` (e.g. 'training').
 * @param {import('playwright-core').Page} page
 * @param {string} state
 */
export const longestTaskWhile = (page, state) =>
  page.evaluate((wanted) => {
    const w = /** @type {any} */ (window);
    /** @type {[number, string][]} */
    const marks = w.stateMarks;
    let longest = 0;
    for (const [start, duration] of /** @type {[number, number][]} */ (w.longTasks)) {
      const current = marks.filter(([time]) => time <= start).at(-1)?.[1];
      if (current === wanted) longest = Math.max(longest, duration);
    }
    return Math.round(longest);
  }, state);

/**
 * Waits for the data, lets the charts' idle warm-up run (as a person would take a second to click),
 * resets the long-task recorder and clicks Train; resolves once the root says 'training'.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{ clickedAt: number, clickToTrainingMs: number }>}
 */
export async function startTraining(page) {
  await waitForState(page, ['ready'], 120_000);
  await page.waitForTimeout(1000);
  await resetLongestTask(page);
  // When the page saw the click: Playwright's click first waits for the button to be stable and the
  // page to answer, 0.2-2 s here while the page is busy with its idle-time work.
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.trainClickAt = null;
    const button = document.querySelector('[data-testid="train-button"]');
    button?.addEventListener('click', () => (w.trainClickAt ??= performance.now()), { capture: true, once: true });
  });
  const clickedAt = Date.now();
  await page.getByTestId('train-button').click();
  await waitForState(page, ['training'], 120_000);
  return { clickedAt, clickToTrainingMs: Date.now() - clickedAt };
}

/** @type {WeakMap<import('playwright-core').Page, Promise<(method: string) => Promise<any>>>} */
const workerSessions = new WeakMap();

/**
 * Sends a DevTools command to the page's training worker. A worker has no performance.memory;
 * its heap is read over the DevTools protocol (Target.sendMessageToTarget to the auto-attached
 * worker), the way DevTools' own memory panel reads it.
 * @param {import('playwright-core').Page} page
 */
function workerCommand(page) {
  let ready = workerSessions.get(page);
  if (!ready) {
    ready = (async () => {
      const session = await page.context().newCDPSession(page);
      /** @type {string[]} */
      const workers = [];
      /** @type {Map<number, (result: any) => void>} */
      const pending = new Map();
      let id = 0;
      session.on('Target.attachedToTarget', (event) => {
        if (event.targetInfo.type === 'worker') workers.push(event.sessionId);
      });
      session.on('Target.detachedFromTarget', (event) => {
        const index = workers.indexOf(event.sessionId ?? '');
        if (index >= 0) workers.splice(index, 1);
      });
      session.on('Target.receivedMessageFromTarget', (event) => {
        const message = JSON.parse(event.message);
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      });
      await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
      return async (/** @type {string} */ method) => {
        const sessionId = workers.at(-1); // the newest: a recovered run's fresh worker
        if (!sessionId) return null;
        const messageId = ++id;
        const result = new Promise((resolve) => pending.set(messageId, resolve));
        await session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: messageId, method }) });
        return result;
      };
    })();
    workerSessions.set(page, ready);
  }
  return ready;
}

/**
 * JS heap of the page's main thread and of its training worker, in MB (null where unavailable).
 * @param {import('playwright-core').Page} page
 */
export async function heapUsage(page) {
  const send = await workerCommand(page);
  const worker = await send('Runtime.getHeapUsage');
  const main = await page.evaluate(() => /** @type {any} */ (performance).memory?.usedJSHeapSize ?? null);
  const mb = (/** @type {number | null | undefined} */ bytes) => (bytes == null ? null : Math.round(bytes / 1e5) / 10);
  return { mainHeapMB: mb(main), workerHeapMB: mb(worker?.usedSize) };
}

/**
 * Follows a run to its end (data-state 'done'), sampling each completed epoch: the worker's own
 * figures (tensor count and bytes, WASM memory, from the epoch log) with both threads' JS heaps.
 * @param {import('playwright-core').Page} page
 * @param {(line: string) => void} [log]
 */
export async function followRun(page, log = () => {}) {
  /** @type {Record<string, unknown>[]} */
  const memory = [];
  await heapUsage(page); // attach to the worker now, before the first epoch ends
  for (;;) {
    const state = await waitForState(page, ['done', 'training', 'evaluating'], 60 * 60_000);
    const results = await page
      .getByTestId('epoch-log')
      .locator('tr[data-result]')
      .evaluateAll((rows) => rows.map((row) => JSON.parse(row.getAttribute('data-result') ?? 'null')))
      .catch(() => []);
    for (const result of results.slice(memory.length)) {
      const heap = await heapUsage(page);
      memory.push({
        epoch: result.epoch,
        numTensors: result.numTensors,
        tensorMB: Math.round(result.tensorBytes / 1e5) / 10,
        wasmMemoryMB: result.wasmMemoryBytes == null ? null : Math.round(result.wasmMemoryBytes / 1e5) / 10,
        ...heap,
      });
      log(`${new Date().toISOString()} epoch ${result.epoch}: ${JSON.stringify(memory.at(-1))}`);
    }
    if (state === 'done') return { memory, epochs: results };
    await page.waitForTimeout(2000);
  }
}

/**
 * Uploads model files through the Saved models panel and waits until the page uses the model.
 * @param {import('playwright-core').Page} page @param {string[]} files
 */
export async function uploadModel(page, files) {
  await page.getByTestId('upload-model').setInputFiles(files);
  await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'uploaded');
}

/**
 * Scrolls the Draw canvas into view; returns a function from drawing-pad units (280 a side) to page coordinates, for the mouse.
 * @param {import('playwright-core').Page} page
 */
export async function drawPad(page) {
  const canvas = page.getByTestId('draw-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no Draw canvas');
  return (/** @type {[number, number]} */ [x, y]) =>
    /** @type {[number, number]} */ ([box.x + (x / 280) * box.width, box.y + (y / 280) * box.height]);
}

/**
 * Draws a "7" on the Draw canvas with the mouse, as a class's probe digit, and leaves the Inside
 * panel in view (where the page has one): from then on the drawing is re-read and every layer and
 * filter redrawn after every epoch, while the class watches.
 * @param {import('playwright-core').Page} page
 */
export async function drawProbe(page) {
  // Over the bare protocol (quietPage): the benchmark measures the page while this draws.
  const quiet = await quietPage(page);
  await quiet.boxOf('[data-testid="draw-canvas"]');
  await page.waitForTimeout(300);
  const box = await quiet.boxOf('[data-testid="draw-canvas"]');
  const at = (/** @type {number} */ x, /** @type {number} */ y) =>
    /** @type {[number, number]} */ ([box.x + (x / 280) * box.width, box.y + (y / 280) * box.height]);
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 8 });
  await page.mouse.move(...at(130, 230), { steps: 8 });
  await page.mouse.up();
  if (await quiet.evaluate(`document.querySelector('#inside') !== null`)) await quiet.boxOf('#inside');
}

/**
 * The longest main-thread task of each phase of a visit, in ms (0: none of 50 ms or more, the
 * shortest Chromium reports): loading (navigation to data-state 'ready'), idle (ready to the Train
 * click), click (the first second after it), training, evaluating, and done (the results shown).
 * @param {import('playwright-core').Page} page
 * @param {number} clickAt the Train click, in the page's performance.now() time
 * @returns {Promise<Record<string, number>>}
 */
export const longestTaskPerPhase = (page, clickAt) =>
  page.evaluate((click) => {
    const w = /** @type {any} */ (window);
    /** @type {[number, string][]} */
    const marks = w.stateMarks;
    const readyAt = marks.find(([, s]) => s === 'ready')?.[0] ?? Infinity;
    /** @type {Record<string, number>} */
    const longest = { loading: 0, idle: 0, click: 0, training: 0, evaluating: 0, done: 0 };
    for (const [start, duration] of /** @type {[number, number][]} */ (w.longTasks)) {
      const state = marks.filter(([time]) => time <= start).at(-1)?.[1];
      const phase =
        start < readyAt
          ? 'loading'
          : start < click
            ? 'idle'
            : start < click + 1000
              ? 'click'
              : state === 'evaluating' || state === 'done'
                ? state
                : 'training';
      longest[phase] = Math.max(longest[phase] ?? 0, Math.round(duration));
    }
    return longest;
  }, clickAt);

/** When data-state became 'ready', in ms since navigation (the page's performance.now()) @param {import('playwright-core').Page} page */
export const readyAtMs = (page) =>
  page.evaluate(() =>
    Math.round(/** @type {any} */ (window).stateMarks.find((/** @type {[number, string]} */ [, s]) => s === 'ready')?.[0] ?? NaN),
  );

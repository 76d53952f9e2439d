/**
 * Shared end-to-end harness: one Chromium per test file (a persistent context in a fresh
 * user-data-dir, since launch() refuses --user-data-dir), a fresh page per test, and checks that
 * fail the test on any page error or console error, and on any fault the app recovered from
 * (a fault notice, a storage warning, a training worker started again), unless the test declares
 * that it provokes it. The app heals faults silently by design; a test that did not ask for one
 * must not pass because the app healed it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';

export interface AppPage {
  page: Page;
  /** Console errors matching these are expected by the test (e.g. a 404 it provokes). */
  allowErrors(...patterns: RegExp[]): void;
  /**
   * Faults matching these are what the test provokes. Any other fault (see `Fault`) fails the test.
   */
  expectFaults(...patterns: RegExp[]): void;
  /** The faults seen so far on this page, as "kind: text" lines. */
  faults(): string[];
}

/** A device other than the default 1280x900 desktop (a phone: viewport, touch, mobile). */
export interface Device {
  viewport: { width: number; height: number };
  hasTouch?: boolean;
  isMobile?: boolean;
  deviceScaleFactor?: number;
  /** The browser's language (navigator.language): en-US unless a test sets another, e.g. 'zh-CN'. */
  locale?: string;
  /**
   * Blocked unless a test allows them (the offline test): a service worker answers from its cache,
   * where the other tests fake a missing or corrupt file with page.route, which it would bypass.
   */
  serviceWorkers?: 'allow' | 'block';
  /** Command-line flags beyond the project's own (CHROMIUM_ARGS), e.g. a host-resolver rule. */
  extraArgs?: string[];
}

/**
 * Reports, from inside the page, every fault the app shows (the fault notice: a crashed, silent or
 * GPU-less worker the app recovered from; the storage warning) and every training worker started
 * after the first in this document (the watchdog's or Try again's fresh worker), even one that no
 * notice mentions. Runs in every document, before the app's own scripts.
 */
function watchFaults() {
  const exposed = (window as unknown as { __lenetFault?: (kind: string, text: string) => void }).__lenetFault;
  if (!exposed) return;
  const report = exposed;
  let trainers = 0;
  window.Worker = class extends window.Worker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      // The training worker's name is "trainer <data URL>" (trainerWorkerName).
      if (options?.name?.startsWith('trainer ') && ++trainers > 1)
        report('worker-restart', `training worker number ${trainers} on this page`);
    }
  };
  const last: Record<string, string> = {};
  const check = () => {
    for (const testId of ['fault-notice', 'storage-warning']) {
      const text = document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? '';
      if (text !== '' && text !== last[testId]) report(testId, text);
      last[testId] = text;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
}

/**
 * Flags for the tests only, not for the benchmarks: page compositing in software rather than
 * through SwiftShader's GL. WebGL (in the worker, and its lost context) still runs on SwiftShader,
 * and nothing the tests read depends on how the page is composited; measured on 2 cores, it takes
 * 15-25% less CPU to load, train and scroll the page, and the suite is CPU-bound there.
 */
const TEST_ARGS = ['--disable-gpu-compositing'];

/** Registers the browser lifecycle hooks for a test file and returns a page opener. */
export function useBrowser(device?: Device): { open(path?: string, setup?: (page: Page) => Promise<unknown>): Promise<AppPage> } {
  let context: BrowserContext;
  let userDataDir: string;
  let current: { page: Page; errors: string[]; allowed: RegExp[]; faults: string[]; expected: RegExp[] } | null = null;

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'lenet-lab-e2e-'));
    const { extraArgs = [], ...options } = device ?? {};
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: inject('chromiumPath'),
      headless: true,
      args: [...CHROMIUM_ARGS, ...TEST_ARGS, ...extraArgs],
      viewport: { width: 1280, height: 900 },
      serviceWorkers: 'block',
      // The machine's own language must not change what the tests read (a zh_CN machine).
      locale: 'en-US',
      ...options,
    });
  });

  afterEach(async () => {
    if (!current) return;
    const { page, errors, allowed, faults, expected } = current;
    current = null;
    await page.close();
    const unexpected = errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
    expect(unexpected, 'page errors or console errors').toEqual([]);
    const unexpectedFaults = faults.filter((f) => !expected.some((pattern) => pattern.test(f)));
    expect(unexpectedFaults, 'faults the app recovered from, which this test did not provoke').toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  return {
    async open(path = '', setup) {
      const page = await context.newPage();
      const state = { page, errors: [] as string[], allowed: [] as RegExp[], faults: [] as string[], expected: [] as RegExp[] };
      current = state;
      page.on('pageerror', (error) => state.errors.push(`pageerror: ${error.message}`));
      const onConsole = (where: string) => (message: ConsoleMessage) => {
        if (message.type() === 'error') state.errors.push(`${where} console: ${message.text()} (${message.location().url})`);
      };
      page.on('console', onConsole('page'));
      // Workers' console messages are not reported on the page: listen to each worker too.
      page.on('worker', (worker) => worker.on('console', onConsole('worker')));
      await page.exposeFunction('__lenetFault', (kind: string, text: string) => state.faults.push(`${kind}: ${text}`));
      await page.addInitScript(watchFaults);
      await setup?.(page);
      await page.goto(new URL(path, inject('baseUrl')).href);
      return {
        page,
        allowErrors: (...patterns) => state.allowed.push(...patterns),
        expectFaults: (...patterns) => state.expected.push(...patterns),
        faults: () => state.faults.slice(),
      };
    },
  };
}

/** Waits until the app's root element has one of the given data-state values; returns it. */
export async function waitForState(page: Page, states: string[], timeoutMs = 120_000): Promise<string> {
  const handle = await page.waitForFunction(
    (wanted) => {
      const state = document.querySelector('[data-state]')?.getAttribute('data-state');
      return state && wanted.includes(state) ? state : null;
    },
    states,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await handle.jsonValue()) as string;
}

/** Waits until the Draw panel shows the model's answer for exactly `strokes` strokes; returns the digit read. */
export async function readDrawing(page: Page, strokes: number): Promise<string> {
  await page.waitForFunction((n) => {
    const prediction = document.querySelector('[data-testid="prediction"]');
    return (
      document.querySelector('[data-testid="draw-canvas"]')?.getAttribute('data-strokes') === String(n) &&
      prediction?.getAttribute('data-pending') === 'false' &&
      prediction.getAttribute('data-for-strokes') === String(n) &&
      prediction.textContent !== ''
    );
  }, strokes);
  return page.getByTestId('prediction').innerText();
}

/** The page's layout width in CSS px: wider than the screen means a phone zooms the page out. */
export const layoutWidth = (page: Page) => page.evaluate(() => Math.max(document.documentElement.scrollWidth, window.innerWidth));

/** The drawing area's side in its own units (DrawPanel's CANVAS_SIZE). */
export const DRAW_SIZE = 280;

/**
 * Scrolls the Draw canvas into view and waits until its box stays put for three animation frames
 * (views mounting above it shift it down); returns that box, in viewport coordinates.
 */
export async function steadyCanvasBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const canvas = page.getByTestId('draw-canvas');
  for (;;) {
    await canvas.scrollIntoViewIfNeeded(); // the mouse works in viewport coordinates
    const steady = await canvas.evaluate(
      (element) =>
        new Promise<boolean>((resolve) => {
          const box = () => JSON.stringify(element.getBoundingClientRect());
          const first = box();
          let frames = 0;
          const next = () => {
            if (box() !== first) resolve(false);
            else if (++frames === 3) resolve(true);
            else requestAnimationFrame(next);
          };
          requestAnimationFrame(next);
        }),
    );
    if (steady) return (await canvas.boundingBox())!;
  }
}

/** A "7" in canvas units: a bar across the top, then a stroke down to the bottom left. */
export const SEVEN: [number, number][][] = [
  [
    [70, 60],
    [210, 60],
    [130, 230],
  ],
];

/**
 * Draws strokes (in canvas units) with the mouse, through the browser's input pipeline, on the
 * canvas once it stands still; `steps` mouse moves per segment. Returns the box it drew in.
 */
export async function mouseStrokes(page: Page, strokes: [number, number][][], steps = 1) {
  const box = await steadyCanvasBox(page);
  const at = ([x, y]: [number, number]) => [box.x + (x / DRAW_SIZE) * box.width, box.y + (y / DRAW_SIZE) * box.height] as const;
  for (const [first, ...rest] of strokes) {
    await page.mouse.move(...at(first!));
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...at(point), { steps });
    await page.mouse.up();
  }
  return box;
}

/** Draws a 7 with the mouse on the Draw panel. */
export async function drawSeven(page: Page): Promise<void> {
  await mouseStrokes(page, SEVEN, 8);
}

/**
 * Scrolls through the page so that the views that mount when seen (galleries, the Inside panel)
 * are all there: each is waited for until it says it has been seen (`data-seen`).
 */
export async function visitAllViews(page: Page): Promise<void> {
  for (const id of ['explorer', 'evaluate', 'models', 'draw', 'inside']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (panel) => Array.from(document.querySelectorAll(`#${panel} [data-seen]`)).every((view) => view.getAttribute('data-seen') === 'true'),
      id,
    );
  }
}

/** Asks the page's worker thread whether it can make a WebGL2 context (software or GPU), as the trainer would. */
export async function workerHasWebGL2(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const source = `postMessage(!!new OffscreenCanvas(1, 1).getContext('webgl2'))`;
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        worker.onmessage = (event) => {
          resolve(event.data === true);
          worker.terminate();
        };
        worker.onerror = () => resolve(false);
      }),
  );
}

/** Fails with what to do when this Chromium gives workers no WebGL2 (the test needs one). */
export async function requireWebGL2(page: Page): Promise<void> {
  if (!(await workerHasWebGL2(page)))
    throw new Error(
      'this test needs WebGL2 in a worker, and this Chromium has none: on a machine without a GPU, Chromium renders WebGL in ' +
        'software with --use-angle=swiftshader --enable-unsafe-swiftshader (CHROMIUM_ARGS); check that the Chromium build ships SwiftShader',
    );
}

/** What installPen() gives the page's own scripts (page.evaluate callbacks) as `window.lenetPen`. */
export interface PagePen {
  /** Resolves once `ok()` holds, checked again on every change of the page (10 s at most: then it rejects naming `what`). */
  until(ok: () => boolean, what: string): Promise<void>;
  /** Draws strokes (canvas units) with pointer events dispatched at exactly these points, each stroke once it is rendered. */
  draw(strokes: [number, number][][]): Promise<void>;
}

/**
 * Installs `window.lenetPen` (PagePen) in the page: drawing on the Draw canvas from inside the page,
 * without the browser's input pipeline, whose sampling varies from run to run (the mouse replay
 * is the handwriting benchmark's: npm run bench:handwriting:browser), and waiting on the page's
 * own markers. For tests that draw many digits.
 */
export async function installPen(page: Page): Promise<void> {
  await page.evaluate((side) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="draw-canvas"]')!;
    const until = (ok: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        if (ok()) return resolve();
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`timed out waiting for ${what}`));
        }, 10_000);
        const observer = new MutationObserver(() => {
          if (!ok()) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve();
        });
        observer.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
      });
    const draw = async (strokes: [number, number][][]) => {
      const box = canvas.getBoundingClientRect();
      const fire = (type: string, [x, y]: [number, number], buttons: number) =>
        canvas.dispatchEvent(
          new PointerEvent(type, {
            bubbles: true,
            cancelable: true,
            composed: true,
            pointerId: 1,
            pointerType: 'mouse',
            isPrimary: true,
            button: type === 'pointermove' ? -1 : 0,
            buttons,
            clientX: box.left + (x / side) * box.width,
            clientY: box.top + (y / side) * box.height,
          }),
        );
      const before = Number(canvas.getAttribute('data-strokes'));
      for (const [i, stroke] of strokes.entries()) {
        fire('pointerdown', stroke[0]!, 1);
        for (const point of stroke.slice(1)) fire('pointermove', point, 1);
        fire('pointerup', stroke.at(-1)!, 0);
        // The next stroke starts from the drawing as rendered with this one.
        await until(() => canvas.getAttribute('data-strokes') === String(before + i + 1), `stroke ${i + 1}`);
      }
    };
    (window as unknown as { lenetPen: PagePen }).lenetPen = { until, draw };
  }, DRAW_SIZE);
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical violations on the page, as "rule: element, element" lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} -- ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join(', ')}`,
    );
}

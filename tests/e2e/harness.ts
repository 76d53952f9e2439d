/**
 * Shared end-to-end harness: one Chromium per test file (a persistent context in a fresh
 * user-data-dir, since launch() refuses --user-data-dir), a fresh page per test, and a check that
 * fails the test on any page error or console error it did not expect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';

export interface AppPage {
  page: Page;
  /** Console errors matching these are expected by the test (e.g. a 404 it provokes). */
  allowErrors(...patterns: RegExp[]): void;
}

/** A device other than the default 1280x900 desktop (a phone: viewport, touch, mobile). */
export interface Device {
  viewport: { width: number; height: number };
  hasTouch?: boolean;
  isMobile?: boolean;
  deviceScaleFactor?: number;
  /** The browser's language (navigator.language), e.g. 'zh-CN'. */
  locale?: string;
  /**
   * Blocked unless a test allows them (the offline test): a service worker answers from its cache,
   * where the other tests fake a missing or corrupt file with page.route, which it would bypass.
   */
  serviceWorkers?: 'allow' | 'block';
}

/** Registers the browser lifecycle hooks for a test file and returns a page opener. */
export function useBrowser(device?: Device): { open(path?: string, setup?: (page: Page) => Promise<unknown>): Promise<AppPage> } {
  let context: BrowserContext;
  let userDataDir: string;
  let current: { page: Page; errors: string[]; allowed: RegExp[] } | null = null;

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'lenet-lab-e2e-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: inject('chromiumPath'),
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      serviceWorkers: 'block',
      ...device,
    });
  });

  afterEach(async () => {
    if (!current) return;
    const { page, errors, allowed } = current;
    current = null;
    await page.close();
    const unexpected = errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
    expect(unexpected, 'page errors or console errors').toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  return {
    async open(path = '', setup) {
      const page = await context.newPage();
      const state = { page, errors: [] as string[], allowed: [] as RegExp[] };
      current = state;
      page.on('pageerror', (error) => state.errors.push(`pageerror: ${error.message}`));
      const onConsole = (where: string) => (message: ConsoleMessage) => {
        if (message.type() === 'error') state.errors.push(`${where} console: ${message.text()} (${message.location().url})`);
      };
      page.on('console', onConsole('page'));
      // Workers' console messages are not reported on the page: listen to each worker too.
      page.on('worker', (worker) => worker.on('console', onConsole('worker')));
      await setup?.(page);
      await page.goto(new URL(path, inject('baseUrl')).href);
      return { page, allowErrors: (...patterns) => state.allowed.push(...patterns) };
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
      prediction.textContent !== ''
    );
  }, strokes);
  return page.getByTestId('prediction').innerText();
}

/** The page's layout width in CSS px: wider than the screen means a phone zooms the page out. */
export const layoutWidth = (page: Page) => page.evaluate(() => Math.max(document.documentElement.scrollWidth, window.innerWidth));

/** The drawing area's side in its own units (DrawPanel's CANVAS_SIZE). */
const DRAW_SIZE = 280;

/**
 * Draws a 7 with the mouse on the Draw panel (a bar across the top, then a stroke down to the
 * bottom left), once the canvas has stopped moving: views mounting above it shift it down.
 */
export async function drawSeven(page: Page): Promise<void> {
  const canvas = page.getByTestId('draw-canvas');
  let box = '';
  for (let same = 0; same < 3;) {
    await canvas.scrollIntoViewIfNeeded();
    const next = JSON.stringify(await canvas.boundingBox());
    same = next === box ? same + 1 : 0;
    box = next;
    await page.waitForTimeout(150);
  }
  const { x, y, width, height } = JSON.parse(box) as { x: number; y: number; width: number; height: number };
  const at = (px: number, py: number) => [x + (px / DRAW_SIZE) * width, y + (py / DRAW_SIZE) * height] as const;
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 8 });
  await page.mouse.move(...at(130, 230), { steps: 8 });
  await page.mouse.up();
}

/** Scrolls through the page so that the views that mount when seen (galleries, the Inside panel) are all there. */
export async function visitAllViews(page: Page): Promise<void> {
  for (const id of ['explorer', 'evaluate', 'models', 'draw', 'inside']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
  }
}

/**
 * Keyboard only, in Chromium: Tab reaches every control on the page (each with a visible focus
 * ring), and a whole lesson runs from the keyboard: Train, a confusion-matrix cell, the explainer's
 * slider, and a digit drawn with the arrow keys and Space, which the network reads.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readDrawing, useBrowser, waitForState } from './harness';

interface Stop {
  id: string;
  ring: boolean;
}

/** Describes and marks the focused element; whether it shows a focus indicator (outline or shadow). */
function focused(page: Page): Promise<Stop | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return null;
    element.dataset.kbSeen = '1';
    const style = getComputedStyle(element);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
    const id = element.dataset.testid ?? element.id ?? '';
    return {
      id: `${element.tagName.toLowerCase()}${id ? `#${id}` : ''}: ${(element.innerText || element.getAttribute('aria-label') || '').slice(0, 30)}`,
      ring,
    };
  });
}

/** Visible, enabled controls that Tab never reached. */
function unreached(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>(
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, summary, [tabindex]:not([tabindex="-1"])',
      ),
    )
      .filter((e) => e.getClientRects().length > 0 && !e.closest('[inert], [aria-hidden="true"]') && e.dataset.kbSeen !== '1')
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.dataset.testid ? `#${e.dataset.testid}` : ''}: ${(e.innerText || e.getAttribute('aria-label') || '').slice(0, 30)}`,
      ),
  );
}

/** Presses Tab until the element with this test id (or matching this prefix) has the focus. */
async function tabTo(page: Page, testId: string, limit = 800): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? '');
    if (id === testId || (testId.endsWith('*') && id.startsWith(testId.slice(0, -1)))) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

describe('Keyboard only', () => {
  const browser = useBrowser();

  it('Tab reaches every control with a visible focus, and a lesson runs from the keyboard', async () => {
    const { page } = await browser.open('?epochs=1&trainSize=3000&validationSplit=0&lang=en');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');

    // Train: Tab to the button, Enter.
    await tabTo(page, 'train-button');
    await page.keyboard.press('Enter');
    expect(await waitForState(page, ['done', 'error'])).toBe('done');

    // Draw a 1 with the keyboard: up, pen down, a line down, pen up.
    await tabTo(page, 'draw-canvas');
    await expect(page.getByTestId('draw-pen').count()).resolves.toBe(1);
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('draw-pen').getAttribute('data-down')).resolves.toBe('true');
    for (let i = 0; i < 18; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect(await readDrawing(page, 1)).toBe('1');
    // The arrows move the pen, not the page.
    const scrolled = await page.evaluate(() => window.scrollY);
    await page.keyboard.press('ArrowDown');
    await expect(page.evaluate(() => window.scrollY)).resolves.toBe(scrolled);

    // A confusion-matrix cell opens its digits with Enter.
    await tabTo(page, 'confusion-cell-*');
    const cell = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid!);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId(cell).getAttribute('aria-pressed')).resolves.toBe('true');

    // The explainer (of the drawn 1) moves its window with the arrow keys.
    await tabTo(page, 'conv-explainer-position');
    const position = page.getByTestId('conv-explainer-position');
    const before = Number(await position.inputValue());
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(position.inputValue().then(Number)).resolves.toBe(before + 2);

    // Backspace takes the stroke back.
    await tabTo(page, 'draw-canvas');
    await page.keyboard.press('Backspace');
    await expect(page.getByTestId('draw-canvas').getAttribute('data-strokes')).resolves.toBe('0');

    // The whole cycle of Tab, from here round to here (past the browser's own stop after the last
    // control): every stop shows its focus, and no control is left out.
    const start = await focused(page);
    const stops: Stop[] = start ? [start] : [];
    for (let i = 0; i < 1500; i++) {
      await page.keyboard.press('Tab');
      const stop = await focused(page);
      if (stop === null) continue;
      if (stop.id === start?.id) break;
      stops.push(stop);
    }
    console.log(`${stops.length} tab stops`);
    expect(stops.length).toBeGreaterThan(50);
    expect(stops.filter((s) => !s.ring).map((s) => s.id)).toEqual([]);
    expect(await unreached(page)).toEqual([]);
    for (const id of ['language-switch', 'present-toggle', 'preset-quick', 'train-button', 'draw-canvas', 'upload-model']) {
      expect(
        stops.some((s) => s.id.includes(`#${id}:`)),
        id,
      ).toBe(true);
    }
  });
});

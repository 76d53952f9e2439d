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

/**
 * From now on, records every element that takes the focus (marking it as reached) and whether it
 * shows a focus indicator (outline or shadow), until the focus comes back to the element that has
 * it now: one whole Tab cycle, read once at the end rather than after every key.
 */
function recordTabCycle(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { tabStops: Stop[]; tabCycled: boolean };
    const start = document.activeElement;
    w.tabStops = [];
    w.tabCycled = false;
    const describe = (element: HTMLElement) => {
      const id = element.dataset.testid ?? element.id ?? '';
      return `${element.tagName.toLowerCase()}${id ? `#${id}` : ''}: ${(element.innerText || element.getAttribute('aria-label') || '').slice(0, 30)}`;
    };
    const record = (element: HTMLElement) => {
      element.dataset.kbSeen = '1';
      const style = getComputedStyle(element);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
      w.tabStops.push({ id: describe(element), ring });
    };
    if (start instanceof HTMLElement && start !== document.body) record(start);
    document.addEventListener('focusin', (event) => {
      if (w.tabCycled) return;
      if (event.target === start) w.tabCycled = true;
      else record(event.target as HTMLElement);
    });
  });
}

/** Visible, enabled controls that Tab never reached (the settings folded in a closed <details> are not visible). */
function unreached(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>(
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, summary, [tabindex]:not([tabindex="-1"])',
      ),
    )
      .filter((e) => e.checkVisibility() && !e.closest('[inert], [aria-hidden="true"]') && e.dataset.kbSeen !== '1')
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.dataset.testid ? `#${e.dataset.testid}` : ''}: ${(e.innerText || e.getAttribute('aria-label') || '').slice(0, 30)}`,
      ),
  );
}

/**
 * Presses Tab (or `key`: Shift+Tab) until the element with this test id (or matching this prefix) has the focus. The
 * keys go in bursts, read once per burst: once there, the page holds the focus (a Tab's keydown is
 * cancelled while the element has it) until the test looks.
 */
async function tabTo(page: Page, testId: string, { limit = 800, key = 'Tab' } = {}): Promise<void> {
  const BURST = 20;
  await page.evaluate((wanted) => {
    const w = window as unknown as { holdFocus?: (event: KeyboardEvent) => void };
    w.holdFocus = (event) => {
      const id = (document.activeElement as HTMLElement | null)?.dataset.testid ?? '';
      const there = id === wanted || (wanted.endsWith('*') && id.startsWith(wanted.slice(0, -1)));
      if (event.key === 'Tab' && there) event.preventDefault();
    };
    document.addEventListener('keydown', w.holdFocus, true);
  }, testId);
  const there = () =>
    page.evaluate((wanted) => {
      const id = (document.activeElement as HTMLElement | null)?.dataset.testid ?? '';
      return id === wanted || (wanted.endsWith('*') && id.startsWith(wanted.slice(0, -1)));
    }, testId);
  try {
    for (let pressed = 0; pressed < limit; pressed += BURST) {
      for (let i = 0; i < BURST; i++) await page.keyboard.press(key);
      if (await there()) return;
    }
    // Say where the focus was and whether the element was on the page at all, so a failure on a
    // CI machine can be read without rerunning it.
    const where = await page.evaluate((wanted) => {
      const active = document.activeElement as HTMLElement | null;
      const prefix = wanted.endsWith('*') ? wanted.slice(0, -1) : wanted;
      const present = Array.from(document.querySelectorAll<HTMLElement>('[data-testid]')).some((e) =>
        wanted.endsWith('*') ? e.dataset.testid!.startsWith(prefix) : e.dataset.testid === wanted,
      );
      const seen = Array.from(document.querySelectorAll<HTMLElement>('[data-seen]')).map((e) => e.dataset.seen);
      return `focus on ${active?.tagName.toLowerCase()}#${active?.dataset.testid ?? active?.id ?? ''}; ${wanted} ${present ? 'is' : 'is not'} on the page; data-seen ${seen.join(' ')}`;
    }, testId);
    throw new Error(`Tab never reached ${testId} in ${limit} presses: ${where}`);
  } finally {
    await page.evaluate(() => {
      const w = window as unknown as { holdFocus?: (event: KeyboardEvent) => void };
      if (w.holdFocus) document.removeEventListener('keydown', w.holdFocus, true);
    });
  }
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

    // Backspace takes the stroke back (the drawing area is a few stops back).
    await tabTo(page, 'draw-canvas', { key: 'Shift+Tab' });
    await page.keyboard.press('Backspace');
    await expect(page.getByTestId('draw-canvas').getAttribute('data-strokes')).resolves.toBe('0');

    // A drawing joins the class digits from the keyboard: a stroke, Tab to the digit meant, Enter.
    await page.keyboard.press('Space');
    for (let i = 0; i < 18; i++) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    await readDrawing(page, 1);
    await tabTo(page, 'class-digit-label-1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="class-digits"]')?.getAttribute('data-count') === '1');
    await expect(page.getByTestId('draw-canvas').getAttribute('data-strokes')).resolves.toBe('0');

    // One step of learning from the keyboard: take it, apply it; then the run pinned as the baseline.
    await tabTo(page, 'take-learning-step');
    await page.keyboard.press('Enter');
    await page.getByTestId('learning-step').waitFor();
    await tabTo(page, 'apply-learning-step');
    await page.keyboard.press('Enter');
    await page.getByTestId('learning-step-after').waitFor();
    await tabTo(page, 'pin-baseline');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="run"]')?.getAttribute('data-pinned') === 'true');

    // The folded settings open from the keyboard (their summary is a stop): Enter unfolds them, so
    // the cycle below must reach every setting too.
    await page.getByTestId('settings-details').locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('settings-details').getAttribute('open')).resolves.not.toBeNull();
    await tabTo(page, 'draw-canvas');
    // Galleries load their page of digits when scrolled to: one still waiting (data-total="") when
    // the Tab passes it gains its buttons after (on a busy machine, the Evaluate panel's, right
    // after the Draw panel). Scroll through the page once and let them all load; the focus stays.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0; y < height; y += 500) {
      await page.evaluate((top) => window.scrollTo(0, top), y);
      await page.waitForTimeout(100);
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-total=""]').length === 0);
    await expect(page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).resolves.toBe('draw-canvas');

    // The whole cycle of Tab, from here round to here (past the browser's own stop after the last
    // control): every stop shows its focus, and no control is left out.
    await recordTabCycle(page);
    const cycled = () => page.evaluate(() => (window as unknown as { tabCycled: boolean }).tabCycled);
    for (let presses = 0; presses < 1500 && !(await cycled()); presses += 20) {
      for (let i = 0; i < 20; i++) await page.keyboard.press('Tab');
    }
    expect(await cycled(), 'the focus came back round').toBe(true);
    const stops = await page.evaluate(() => (window as unknown as { tabStops: Stop[] }).tabStops);
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

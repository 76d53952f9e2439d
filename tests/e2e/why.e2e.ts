/**
 * "Why did it say that?" and runs compared (issue 18), in Chromium through the UI, on the real data:
 * an evidence map for a drawing and for a digit picked from a confusion-matrix cell, which adds up
 * to the change of its score and changes when the model trains; one step of learning on that digit,
 * whose numbers are the ones the formulas give (src/shared/stepMath.ts, unit-tested against tfjs)
 * and which lowers its loss on a copy, the model in use unchanged until the copy is kept; and two
 * runs, the second with the first pinned as the baseline: both curves on the live charts, both
 * runs' figures and the difference of their confusion matrices side by side.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { crossEntropyOf, firstStep } from '../../src/shared/stepMath';
import { axeViolations, drawSeven, readDrawing, SEVEN, useBrowser, waitForState } from './harness';

/** Two epochs of 2,400 digits: a few seconds a run, and a model that still makes mistakes to ask about. */
const RUN = 'epochs=2&trainSize=3000';

const data = (locator: Locator) => locator.evaluate((element) => ({ ...(element as HTMLElement).dataset }));
const numbers = async (locator: Locator, attribute = 'data-values') => (await locator.getAttribute(attribute))!.split(' ').map(Number);

/** Waits for the evidence map answering a request newer than `after`, for `target`, and returns its data. */
async function evidence(page: Page, target: number, after = 0) {
  await page
    .waitForFunction(
      ([target, after]) => {
        const map = document.querySelector('[data-testid="evidence-map"]');
        return (
          map?.getAttribute('data-pending') === 'false' &&
          map.getAttribute('data-target') === String(target) &&
          Number(map.getAttribute('data-request')) > after
        );
      },
      [target, after] as const,
      { timeout: 30_000 },
    )
    .catch(async (error: unknown) => {
      // Say what the page showed instead, so a failure on a CI machine can be read without a rerun.
      const shown = await page.evaluate(() => ({
        map: { ...(document.querySelector('[data-testid="evidence-map"]') as HTMLElement | null)?.dataset },
        subject: document.querySelector('[data-testid="why-subject"]')?.textContent,
        pressed: document.querySelector('[data-testid^="evidence-target-"][aria-pressed="true"]')?.getAttribute('data-testid'),
        error: document.querySelector('[data-testid="why-error"]')?.textContent,
      }));
      throw new Error(`no evidence map for ${target} after request ${after}: ${JSON.stringify(shown)}`, { cause: error });
    });
  const map = await data(page.getByTestId('evidence-map'));
  const sum = Number(map.sum);
  const change = Number(map.score) - Number(map.baselineScore);
  // Completeness: the map adds up to the change of log p(target) from a blank image.
  expect(Math.abs(sum - change)).toBeLessThan(0.03 * Math.abs(change) + 2e-3);
  return { request: Number(map.request), sum, absSum: Number(map.absSum), score: Number(map.score), durationMs: Number(map.durationMs) };
}

/** Trains with the settings shown and waits until the run's model is the model in use (a second run starts from `done`). */
async function train(page: Page) {
  const before = await page.getByTestId('model-source').getAttribute('data-model-id');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(
    (before) => {
      const id = document.querySelector('[data-testid="model-source"]')?.getAttribute('data-model-id');
      return document.querySelector('[data-state]')?.getAttribute('data-state') === 'done' && id && id !== before;
    },
    before,
    { timeout: 170_000 },
  );
}

const started = Date.now();
const mark = (what: string) => {
  if (process.env.WHY_TIMES) console.log(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
};

describe('Why did it say that, and runs compared', () => {
  const browser = useBrowser();

  it('evidence maps, one step of learning and two runs side by side', async () => {
    const { page } = await browser.open(`?${RUN}`);
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.locator('#runs').scrollIntoViewIfNeeded();
    await page.getByTestId('run-history-empty').waitFor();
    await train(page);
    const firstAccuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));

    mark("// The drawing's evidence");
    // The drawing's evidence: for its answer, then "why not a 9?".
    await drawSeven(page);
    // The answer for the whole drawing (not a live read of the unfinished stroke).
    const answer = Number(await readDrawing(page, SEVEN.length));
    await page.locator('#why').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('[data-testid="why-subject"]')?.textContent?.includes('drawing'));
    const drawn = await evidence(page, answer);
    await expect(page.getByTestId(`evidence-target-${answer}`).getAttribute('aria-pressed')).resolves.toBe('true');
    const other = answer === 9 ? 4 : 9;
    await page.getByTestId(`evidence-target-${other}`).click();
    const whyNot = await evidence(page, other, drawn.request);
    expect(whyNot.score).toBeLessThan(drawn.score);
    await page.getByTestId(`evidence-target-${answer}`).click();
    const drawnAgain = await evidence(page, answer, whyNot.request);
    expect(drawnAgain.absSum).toBeCloseTo(drawn.absSum, 6);

    mark('// The run is in the history');
    // The run is in the history: pin it as the baseline.
    await page.locator('#runs').scrollIntoViewIfNeeded();
    const runs = page.getByTestId('run');
    await expect(runs.count()).resolves.toBe(1);
    const baselineId = (await runs.first().getAttribute('data-run-id'))!;
    expect(Number(await runs.first().getAttribute('data-accuracy'))).toBe(firstAccuracy);
    await page.getByTestId('pin-baseline').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="run"]')?.getAttribute('data-pinned') === 'true');

    mark('// A second run');
    // A second run, ReLU instead of tanh: the baseline's curves beside it, dashed, as it trains.
    await page.getByTestId('settings-details').locator('summary').click();
    await page.locator('#setting-activation').selectOption('relu');
    await train(page);
    for (const chart of ['loss-chart', 'accuracy-chart']) {
      const series = JSON.parse((await page.getByTestId(chart).getAttribute('data-series'))!) as { dashed: boolean; points: number }[];
      expect(series.map((s) => [s.dashed, s.points])).toEqual([
        [false, 3],
        [false, 3],
        [true, 3],
        [true, 3],
      ]);
      // What the canvas drew: the baseline's two lines dashed (counted in vega's own scenegraph).
      await page.waitForFunction(
        (id) => (document.querySelector(`[data-testid="${id}"] .chart__canvas`) as HTMLElement | null)?.dataset.drawnDashes === '2',
        chart,
      );
    }
    await expect(page.getByTestId('baseline-note').getAttribute('data-run-id')).resolves.toBe(baselineId);
    const secondAccuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));

    mark('// Side by side');
    // Side by side: both runs' settings and figures, and the difference of their confusion matrices.
    await page.locator('#runs').scrollIntoViewIfNeeded();
    await expect(runs.count()).resolves.toBe(2);
    const comparison = page.getByTestId('run-comparison');
    await expect(comparison.getAttribute('data-baseline-id')).resolves.toBe(baselineId);
    const comparedId = await runs.first().getAttribute('data-run-id');
    await expect(comparison.getAttribute('data-compared-id')).resolves.toBe(comparedId);
    await expect(comparison.locator('[data-setting="activation"]').getAttribute('data-differs')).resolves.toBe('true');
    await expect(comparison.locator('[data-setting="epochs"]').getAttribute('data-differs')).resolves.toBe('false');
    const accuracyRow = page.getByTestId('comparison-testAccuracy');
    const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
    await expect(accuracyRow.locator('[data-run="baseline"]').textContent()).resolves.toBe(percent(firstAccuracy));
    await expect(accuracyRow.locator('[data-run="other"]').textContent()).resolves.toBe(percent(secondAccuracy));
    const diagonal = await Promise.all(
      Array.from({ length: 10 }, (_, d) => page.getByTestId(`comparison-cell-${d}-${d}`).getAttribute('data-value').then(Number)),
    );
    expect(diagonal.reduce((a, b) => a + b)).toBe(Math.round(secondAccuracy * 10_000) - Math.round(firstAccuracy * 10_000));

    mark("// The drawing's evidence chan");
    // The drawing's evidence changed as the model trained (another model now).
    await page.locator('#why').scrollIntoViewIfNeeded();
    const retrained = await evidence(page, Number(await readDrawing(page, SEVEN.length)), drawnAgain.request);
    expect(retrained.absSum).not.toBeCloseTo(drawn.absSum, 3);

    mark('// A digit from a confusion-ma');
    // A digit from a confusion-matrix cell: its evidence, then one step of learning with its true label.
    await page.locator('#evaluate').scrollIntoViewIfNeeded();
    const cells = await page
      .locator('[data-testid^="confusion-cell-"]')
      .evaluateAll((buttons) => buttons.map((b) => [b.getAttribute('data-testid')!, Number(b.textContent?.replace(/,/g, ''))] as const));
    const [cell] = cells.filter(([id]) => id.split('-').at(-1) !== id.split('-').at(-2)).sort((a, b) => b[1] - a[1])[0]!;
    await page.getByTestId(cell).click();
    const [truth, predicted] = cell.split('-').slice(-2).map(Number);
    const gallery = page.getByTestId('mistakes-gallery');
    await page.waitForFunction(
      (c) => document.querySelector('[data-testid="mistakes-gallery"]')?.getAttribute('data-cell') === c,
      `${truth}-${predicted}`,
    );
    const picked = gallery.getByTestId('gallery-digit').first();
    await picked.waitFor();
    const index = await picked.getAttribute('data-index');
    await picked.click();
    await page.waitForFunction(
      (i) => document.querySelector('[data-testid="why-subject"]')?.textContent?.includes(`#${Number(i).toLocaleString('en-US')}`),
      index,
    );
    await evidence(page, predicted!, retrained.request);
    await expect(page.getByTestId('learning-step-true-label').getAttribute('data-label')).resolves.toBe(String(truth));

    mark('const accuracyBefore');
    const accuracyBefore = await page.getByTestId('test-accuracy').getAttribute('data-value');
    /** The model in use's probabilities for the digit, as each step starts from them: the same every time. */
    const startedFrom: number[][] = [];
    const modelBefore = await page.getByTestId('model-source').getAttribute('data-model-id');
    for (const [optimizer, rate] of [
      ['sgd', 0.1],
      ['adam', 0.001],
    ] as const) {
      await page.getByTestId('learning-step-optimizer').selectOption(optimizer);
      await page.getByTestId('learning-step-rate').selectOption(String(rate));
      const previous = await page.evaluate(() =>
        Number(document.querySelector('[data-testid="learning-step"]')?.getAttribute('data-request') ?? 0),
      );
      await page.getByTestId('take-learning-step').click();
      await page.waitForFunction(
        (p) => Number(document.querySelector('[data-testid="learning-step"]')?.getAttribute('data-request')) > p,
        previous,
      );
      const step = await data(page.getByTestId('learning-step'));
      expect([step.optimizer, Number(step.learningRate), Number(step.label)]).toEqual([optimizer, rate, truth]);
      // The loss is -log p(truth) of the probabilities shown, and the digit is misread: a real loss.
      const probabilities = await page
        .getByTestId('learning-step-probabilities')
        .locator('[data-probability]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));
      expect(Number(step.loss)).toBeCloseTo(crossEntropyOf(probabilities, truth!), 4);
      expect(probabilities.indexOf(Math.max(...probabilities))).toBe(predicted);
      startedFrom.push(probabilities);
      expect(probabilities).toEqual(startedFrom[0]);
      // The output layer's gradient starts from p - y.
      const delta = await numbers(page.getByTestId('learning-step-delta'));
      delta.forEach((d, k) => expect(d).toBeCloseTo(probabilities[k]! - (k === truth ? 1 : 0), 5));
      // Every weight of the filter shown moved by the optimizer's formula, and the worked example is that formula.
      const gradient = await numbers(page.getByTestId('learning-step-filter-gradient'));
      const update = await numbers(page.getByTestId('learning-step-filter-update'));
      expect(gradient).toHaveLength(25);
      gradient.forEach((g, i) =>
        expect(Math.abs(update[i]! - firstStep(optimizer, rate, g).step)).toBeLessThan(1e-6 + 1e-3 * Math.abs(update[i]!)),
      );
      const worked = await data(page.getByTestId('learning-step-worked'));
      // The worked example's result is the change tfjs made to that weight.
      expect(Math.abs(Number(worked.applied) - Number(worked.step))).toBeLessThan(1e-6 + 1e-3 * Math.abs(Number(worked.step)));
      // Applied on the copy: the loss of this digit falls.
      await page.getByTestId('apply-learning-step').click();
      await page.getByTestId('learning-step-after').waitFor();
      const after = Number(await page.getByTestId('learning-step-after').getAttribute('data-loss'));
      expect(after).toBeLessThan(Number(step.loss));
    }
    mark('// The model in use did not ch');
    // The model in use did not change; keeping the copy makes it the model in use, saved as a new one.
    await expect(page.getByTestId('test-accuracy').getAttribute('data-value')).resolves.toBe(accuracyBefore);
    await expect(page.getByTestId('model-source').getAttribute('data-model-id')).resolves.toBe(modelBefore);
    // Every view of this issue on the page at once (the comparison, the step applied, the map): axe-clean.
    expect(await axeViolations(page)).toEqual([]);
    // On a phone's width the comparison's wide tables scroll in their own regions: the page does not.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForFunction(() => Math.max(document.documentElement.scrollWidth, window.innerWidth) === 360);
    await page.getByTestId('keep-learning-step').click();
    await page.waitForFunction((id) => {
      const source = document.querySelector('[data-testid="model-source"]');
      return source?.getAttribute('data-model-id') !== id && source?.textContent?.includes('one Adam step');
    }, modelBefore);
  });
});

/**
 * The Draw panel in Chromium: before training it asks for a model; a probe digit is read again
 * after every epoch while the Quick demo preset trains; and the committed Quick demo model
 * (tests/fixtures/quick-demo-model/) reads 600 real pen-drawn UJI digits, each at its own size
 * and place, sent through the canvas as pointer events.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { blendFourNine, loadUjiDigits, pickDigits, place, score, type Point } from '../../scripts/uji-digits.mjs';
import { POINT, expectFigure } from './figures';
import { installPen, mouseStrokes, useBrowser, waitForState, type PagePen } from './harness';

const digits = loadUjiDigits();
const FIXTURE_MODEL = [
  'tests/fixtures/quick-demo-model/lenet-lab-model.json',
  'tests/fixtures/quick-demo-model/lenet-lab-model.weights.bin',
];

/** Draws strokes with the mouse (pointer events from the browser's input pipeline), in canvas units. */
const draw = (page: Page, strokes: Point[][]) => mouseStrokes(page, strokes);

/** Waits for the answer to exactly what is on the canvas, and returns the predicted digit ('' for none). */
async function settledPrediction(page: Page, strokes: number): Promise<string> {
  await page.waitForFunction(
    (n) => {
      const canvas = document.querySelector('[data-testid="draw-canvas"]');
      const prediction = document.querySelector('[data-testid="prediction"]');
      return (
        canvas?.getAttribute('data-strokes') === String(n) &&
        prediction?.getAttribute('data-pending') === 'false' &&
        prediction.getAttribute('data-for-strokes') === String(n)
      );
    },
    strokes,
    { timeout: 10_000, polling: 20 },
  );
  return (await page.getByTestId('prediction').textContent()) ?? '';
}

/** What the Draw panel said about one drawing: the top digit, and its verdict with the words shown. */
interface Said {
  digit: string;
  verdict: string;
  words: string;
}

/**
 * Draws each digit on the canvas, waits for the answer to it, notes what was said and clears:
 * all inside the page, with pointer events dispatched at exactly the given points (the mouse
 * replay through the input pipeline, whose sampling varies from run to run, is the handwriting
 * benchmark's: npm run bench:handwriting:browser). Returns what was read, in order.
 */
async function readInPage(page: Page, drawings: Point[][][]): Promise<Said[]> {
  await installPen(page);
  return page.evaluate(async (drawings) => {
    const { until, draw } = (window as unknown as { lenetPen: PagePen }).lenetPen;
    const canvas = document.querySelector('[data-testid="draw-canvas"]')!;
    const prediction = document.querySelector('[data-testid="prediction"]')!;
    const clear = document.querySelector<HTMLButtonElement>('[data-testid="clear-button"]')!;
    const settled = (n: number) =>
      canvas.getAttribute('data-strokes') === String(n) &&
      prediction.getAttribute('data-pending') === 'false' &&
      prediction.getAttribute('data-for-strokes') === String(n);
    const read: { digit: string; verdict: string; words: string }[] = [];
    for (const strokes of drawings) {
      await draw(strokes);
      await until(() => settled(strokes.length), 'the answer');
      const verdict = document.querySelector('[data-testid="prediction-verdict"]');
      read.push({
        digit: prediction.textContent ?? '',
        verdict: prediction.getAttribute('data-verdict') ?? '',
        words: verdict?.textContent ?? '',
      });
      clear.click();
      await until(() => settled(0), 'the cleared canvas');
    }
    return read;
  }, drawings);
}

describe('Draw panel', () => {
  const browser = useBrowser();

  it('asks for a model first, then re-reads a probe digit after every epoch of the Quick demo', { timeout: 300_000 }, async () => {
    // The backend a class gets: auto, which trains on the LeNet Lab engine here.
    const { page } = await browser.open('');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');

    // Before training: the preprocessed input is shown, but no guess.
    expect(await settledPrediction(page, 0)).toBe('');
    await draw(page, place(digits[0]!, 0));
    expect(await settledPrediction(page, 1)).toBe('');
    await expect(page.locator('#draw').innerText()).resolves.toContain('Train a model first');
    await page.getByTestId('undo-button').click();
    expect(await settledPrediction(page, 0)).toBe('');

    // A probe digit stays on the canvas while the Quick demo preset trains: every distinct reading
    // is recorded with the number of epochs done when it arrived.
    const probe = place(digits.filter((d) => d.label === 3)[0]!, 3);
    await draw(page, probe);
    await settledPrediction(page, probe.length);
    await page.evaluate(() => {
      const w = window as unknown as { probeReadings: [number, string][] };
      w.probeReadings = [];
      new MutationObserver(() => {
        const rows = document.querySelectorAll('[data-testid="prediction-probabilities"] [data-probability]');
        const probabilities = Array.from(rows, (row) => row.getAttribute('data-probability')).join();
        const done = Number(document.querySelector('[data-testid="epoch-progress"]')?.getAttribute('data-epochs-done') ?? 0);
        if (probabilities !== w.probeReadings.at(-1)?.[1]) w.probeReadings.push([done, probabilities]);
      }).observe(document.querySelector('[data-testid="prediction-probabilities"]')!, { subtree: true, attributes: true });
    });
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('train-button').click();
    expect(await waitForState(page, ['done', 'error'], 240_000)).toBe('done');
    await settledPrediction(page, probe.length);
    const readings = await page.evaluate(() => (window as unknown as { probeReadings: [number, string][] }).probeReadings);
    // Read by the untrained model (once the run starts, or once its epoch 0 ended: the engine hands
    // the model its weights at epoch ends, so both are the same reading), then again once epoch 1
    // and epoch 2 had ended: 2 and 3 epochs done.
    const doneAtReadings = readings.map(([done]) => done);
    for (const done of [2, 3]) expect(doneAtReadings, `a reading after ${done} epochs done`).toContain(done);
    const untrained = readings.find(([d]) => d <= 1);
    expect(untrained, 'a reading by the untrained model').toBeDefined();
    const atEpochEnds = [untrained![1], ...[2, 3].map((done) => readings.find(([d]) => d === done)![1])];
    expect(new Set(atEpochEnds).size, 'the probe reads differently after each epoch').toBe(3);

    await expect(page.getByTestId('backend-badge').getAttribute('data-backend')).resolves.toBe('engine');
    const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    expectFigure('quickDemo.testAccuracy', accuracy, POINT);
    await page.getByTestId('clear-button').click();
    expect(await settledPrediction(page, 0)).toBe('');
  });

  it('the Quick demo model reads 100 UJI pen digits of writers MNIST never saw', { timeout: 300_000 }, async () => {
    const { page } = await browser.open('?backend=wasm');
    expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
    await page.getByTestId('upload-model').setInputFiles(FIXTURE_MODEL);
    await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'uploaded');
    expectFigure('fixtureModel.testAccuracy', Number(await page.getByTestId('test-accuracy').getAttribute('data-value')), POINT);

    // 10 of each class, spread over the set's 60 writer sessions (npm run bench:handwriting:browser replays
    // 200 with the mouse; this is the guard in npm test, a tenth of a minute).
    const picked = pickDigits(digits, 10);
    const started = Date.now();
    const said = await readInPage(
      page,
      picked.map((digit, n) => place(digit, n)),
    );
    const { correct, perClass } = score(
      picked,
      said.map((s) => s.digit),
    );
    console.log(
      `UJI handwriting through the canvas: ${correct}/${picked.length} = ${((correct / picked.length) * 100).toFixed(1)}% ` +
        `in ${((Date.now() - started) / 1000).toFixed(0)} s; per class (of 10): ${perClass.join(' ')}`,
    );
    expectFigure('handwriting.correctOf100', correct, 1); // one point of 100
    for (const [digit, count] of perClass.entries()) expectFigure(`handwriting.correctOf10.digit${digit}`, count, 1);

    // The network's input is shown enlarged, and the ten probabilities add up to 1.
    await draw(page, place(digits[700]!, 700));
    await settledPrediction(page, digits[700]!.strokes.length);
    const inked = await page.getByTestId('input-preview').evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      return Array.from(
        c
          .getContext('2d')!
          .getImageData(0, 0, c.width, c.height)
          .data.filter((_, i) => i % 4 === 0),
      ).filter((v) => v > 0).length;
    });
    expect(inked).toBeGreaterThan(40);
    const probabilities = await page
      .getByTestId('prediction-probabilities')
      .locator('[data-probability]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-probability'))));
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  });

  it(
    'says "not sure" between a 4 and a 9, is sure of a clear 7, and calls a scribble and a dot not a digit',
    { timeout: 120_000 },
    async () => {
      const { page } = await browser.open('?backend=wasm');
      expect(await waitForState(page, ['ready', 'error'])).toBe('ready');
      await page.getByTestId('upload-model').setInputFiles(FIXTURE_MODEL);
      await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'uploaded');
      // A 4 with an open top morphs, in twenty steps, into a 9 with a closed loop: the answer must
      // change from 4 to 9 on the way, and between two confident ends the page must say it is not sure.
      const blends = Array.from({ length: 21 }, (_, k) => blendFourNine(k / 20));
      const said = await readInPage(page, [...blends, CLEAR_SEVEN, SCRIBBLE, DOT]);
      const morph = said.slice(0, blends.length);
      console.log(`4 -> 9 morph: ${morph.map((s) => `${s.digit}:${s.verdict}`).join(' ')}`);
      expect(morph[0]).toMatchObject({ digit: '4', verdict: 'sure' });
      expect(morph.at(-1)).toMatchObject({ digit: '9', verdict: 'sure' });
      const unsure = morph.filter((s) => s.verdict === 'unsure');
      expect(unsure.length).toBeGreaterThan(0);
      for (const s of unsure) expect(s.words).toMatch(/Not sure: [49] or [49]\?/);
      const [seven, scribble, dot] = said.slice(blends.length);
      expect(seven).toMatchObject({ digit: '7', verdict: 'sure' });
      expect(seven!.words).toMatch(/^A 7 \(\d+% sure\)/);
      expect(scribble).toMatchObject({ verdict: 'notDigit' });
      expect(scribble!.words).toContain('doesn’t look like a digit');
      expect(dot).toMatchObject({ verdict: 'notDigit' });
      // The reading is still there for whoever wants it: the top digit and its ten probabilities.
      expect(scribble!.digit).toMatch(/^\d$/);
    },
  );
});

const CLEAR_SEVEN: Point[][] = [
  [
    [70, 50],
    [210, 50],
    [190, 90],
    [130, 240],
  ],
];
/** A zigzag filling the pad. */
const SCRIBBLE: Point[][] = [Array.from({ length: 30 }, (_, i): Point => [40 + (i % 2) * 200, 40 + i * 7])];
const DOT: Point[][] = [[[140, 140]]];

#!/usr/bin/env node
// @ts-check
/**
 * Real handwriting through the real input pipeline: UJI pen digits replayed with the mouse on the
 * Draw canvas of the production build in headless Chromium, read by the committed Quick demo
 * model (tests/fixtures/quick-demo-model/, uploaded through the page). The mouse's events are
 * sampled by the browser as a person's are, so figures vary a little from run to run; the
 * end-to-end test dispatches exact pointer events instead and asserts its figures.
 *
 *   npm run bench:handwriting:browser [-- --per-class 20 --runs 1 --writers 30-59 --out bench-results/handwriting.json]
 *   --writers a-b   only writers a to b (a writer's two sessions are 2k and 2k + 1; 30-59 are the half
 *                   that chooses nothing, see README "Reading handwriting"); all 60 without it
 *   npm run bench:handwriting:browser -- --record-model   trains the Quick demo through the UI (engine) and
 *                                                 writes its files to tests/fixtures/quick-demo-model/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cliOption } from './cli.mjs';
import { drawPad, serveBuild, uploadModel, waitForState, withPage } from './browser-session.mjs';
import { loadUjiDigits, pickDigits, place, score, writerOf } from './uji-digits.mjs';

const MODEL_DIR = 'tests/fixtures/quick-demo-model';
const MODEL_FILES = ['lenet-lab-model.json', 'lenet-lab-model.weights.bin'].map((name) => join(MODEL_DIR, name));
const QUICK_DEMO = 'epochs=2&trainSize=60000&learningRate=0.005&schedule=linear&activation=relu&styles=1&backend=engine';

const perClass = Number(cliOption('--per-class', '20'));
const runs = Number(cliOption('--runs', '1'));
const out = cliOption('--out', 'bench-results/handwriting.json');
const [firstWriter, lastWriter] = cliOption('--writers', '0-59').split('-').map(Number);

/** @param {import('playwright-core').Page} page */
async function recordModel(page) {
  await waitForState(page, ['ready'], 120_000);
  await page.getByTestId('train-button').click();
  await waitForState(page, ['done'], 600_000);
  await page.waitForFunction(() => document.querySelector('[data-testid="model-source"]')?.getAttribute('data-source') === 'trained');
  const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
  mkdirSync(MODEL_DIR, { recursive: true });
  /** @type {Promise<void>[]} */
  const saved = [];
  const both = new Promise((resolve) => {
    page.on('download', (download) => {
      saved.push(download.saveAs(join(MODEL_DIR, download.suggestedFilename())));
      if (saved.length === 2) resolve(Promise.all(saved));
    });
  });
  await page.getByTestId('download-model').click();
  await both;
  console.log(`Quick demo model (${(accuracy * 100).toFixed(2)}% on the MNIST test set) written to ${MODEL_DIR}/`);
}

/**
 * @param {import('playwright-core').Page} page
 * @param {import('./uji-digits.mjs').UjiDigit[]} picked
 */
async function replay(page, picked) {
  await waitForState(page, ['ready'], 120_000);
  await uploadModel(page, MODEL_FILES);
  const at = await drawPad(page);
  /** @type {string[]} */
  const read = [];
  for (const [n, digit] of picked.entries()) {
    const strokes = place(digit, n);
    for (const [first, ...rest] of strokes) {
      await page.mouse.move(...at(/** @type {[number, number]} */ (first)));
      await page.mouse.down();
      for (const point of rest) await page.mouse.move(...at(point));
      await page.mouse.up();
    }
    const settled = (/** @type {number} */ count) =>
      page.waitForFunction(
        (c) => {
          const prediction = document.querySelector('[data-testid="prediction"]');
          return (
            document.querySelector('[data-testid="draw-canvas"]')?.getAttribute('data-strokes') === String(c) &&
            prediction?.getAttribute('data-pending') === 'false' &&
            prediction.getAttribute('data-for-strokes') === String(c)
          );
        },
        count,
        { polling: 20 },
      );
    await settled(strokes.length);
    read.push((await page.getByTestId('prediction').textContent()) ?? '');
    await page.getByTestId('clear-button').click();
    await settled(0);
  }
  return read;
}

const server = await serveBuild();
try {
  if (process.argv.includes('--record-model')) {
    await withPage(server.executablePath, `${server.url}?${QUICK_DEMO}`, recordModel);
  } else {
    const writers = loadUjiDigits().filter((d) => writerOf(d) >= Number(firstWriter) && writerOf(d) <= Number(lastWriter));
    const picked = pickDigits(writers, perClass);
    const results = [];
    for (let run = 0; run < runs; run++) {
      const started = Date.now();
      const read = await withPage(server.executablePath, `${server.url}?backend=wasm`, (page) => replay(page, picked));
      const { correct, perClass: byClass } = score(picked, read);
      const result = { correct, total: picked.length, perClass: byClass, wallMs: Date.now() - started };
      console.log(
        `run ${run + 1}: ${correct}/${picked.length} = ${((correct / picked.length) * 100).toFixed(1)}% ` +
          `(per class of ${perClass}: ${byClass.join(' ')}) in ${(result.wallMs / 1000).toFixed(0)} s`,
      );
      results.push(result);
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify({ date: new Date().toISOString(), model: MODEL_DIR, writers: `${firstWriter}-${lastWriter}`, perClass, runs: results }, null, 2)}\n`,
    );
    console.log(`written to ${out}`);
  }
} finally {
  await server.close();
}

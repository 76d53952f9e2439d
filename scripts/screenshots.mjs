#!/usr/bin/env node
// @ts-check
/**
 * The README's two screenshots, after the Quick demo trained with backend auto and a 7 drawn:
 * docs/screenshot-zh.png (Chinese, projector mode, 1600 px: the room's view; Chinese fonts needed,
 * e.g. Debian's fonts-noto-cjk) and
 * docs/screenshot.png (English, 1280 px, every view scrolled into being);
 * and the first screen, as a class first sees it: docs/first-screen-{1366x768,1920x1080}-{en,zh}.png
 * once the data is in, unscrolled, and docs/first-screen-training-1366x768-en.png a few seconds into
 * the Quick demo (the curves come into view).
 *
 * and the Draw panel's "not sure" with the reliability curve (`--only verdicts`: see verdicts()),
 * and "Our class digits" after teaching (`--only class`: see classDigits()),
 * and "Why did it say that?" with "Runs compared" (`--only why`: see why()).
 *
 *   node scripts/screenshots.mjs [--only first-screen | --only verdicts | --only class | --only why]
 */
import { drawPad, drawProbe, serveBuild, startTraining, uploadModel, waitForState, withPage } from './browser-session.mjs';
import { blendFourNine, loadUjiDigits, pickDigits, place } from './uji-digits.mjs';

const QUICK_DEMO = 'epochs=2&trainSize=60000&learningRate=0.005&schedule=linear&activation=relu&styles=1';
const FIXTURE_MODEL = [
  'tests/fixtures/quick-demo-model/lenet-lab-model.json',
  'tests/fixtures/quick-demo-model/lenet-lab-model.weights.bin',
];

/**
 * The Draw panel saying "not sure" (a 4 morphing into a 9, drawn until the committed Quick demo
 * model hesitates) and the Evaluate panel's reliability curve: docs/draw-not-sure-{en,zh}.png and
 * docs/reliability-{en,zh}.png.
 * @param {{ url: string, executablePath: string }} server @param {string} language
 */
async function verdicts(server, language) {
  await withPage(
    server.executablePath,
    `${server.url}?lang=${language}&backend=wasm`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      await uploadModel(page, FIXTURE_MODEL);
      const at = await drawPad(page);
      let found = -1;
      for (let k = 0; k <= 20 && found < 0; k++) {
        const strokes = blendFourNine(k / 20);
        for (const [first, ...rest] of strokes) {
          await page.mouse.move(...at(/** @type {[number, number]} */ (first)));
          await page.mouse.down();
          for (const point of rest) await page.mouse.move(...at(point));
          await page.mouse.up();
        }
        await page.waitForFunction(
          (n) =>
            document.querySelector('[data-testid="prediction"]')?.getAttribute('data-for-strokes') === String(n) &&
            document.querySelector('[data-testid="prediction"]')?.getAttribute('data-pending') === 'false',
          strokes.length,
        );
        if ((await page.getByTestId('prediction').getAttribute('data-verdict')) === 'unsure') found = k / 20;
        else await page.getByTestId('clear-button').click();
      }
      await page.waitForTimeout(300);
      await page.locator('#draw').screenshot({ path: `docs/draw-not-sure-${language}.png` });
      const curve = page.getByTestId('reliability-curve');
      await curve.scrollIntoViewIfNeeded();
      await curve.screenshot({ path: `docs/reliability-${language}.png` });
      console.log(`docs/draw-not-sure-${language}.png (4 -> 9 blend at t = ${found}), docs/reliability-${language}.png`);
    },
    { width: 1280, height: 900 },
  );
}

/**
 * "Our class digits" (docs/class-digits-{en,zh}.png): 30 UJI digits of writers 40-59 (3 of each)
 * drawn and added with the committed Quick demo model in use, then "Teach it our handwriting".
 * @param {{ url: string, executablePath: string }} server @param {string} language
 */
async function classDigits(server, language) {
  const digits = pickDigits(
    loadUjiDigits().filter((d) => Number(/(\d+)$/.exec(d.writer)?.[1]) >= 80),
    3,
  );
  await withPage(
    server.executablePath,
    `${server.url}?lang=${language}`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      await uploadModel(page, FIXTURE_MODEL);
      for (const [n, digit] of digits.entries()) {
        const at = await drawPad(page);
        for (const [first, ...rest] of place(digit, n)) {
          await page.mouse.move(...at(/** @type {[number, number]} */ (first)));
          await page.mouse.down();
          for (const point of rest) await page.mouse.move(...at(point));
          await page.mouse.up();
        }
        await page.getByTestId(`class-digit-label-${digit.label}`).click();
        await page.waitForFunction(
          (count) => document.querySelector('[data-testid="class-digits"]')?.getAttribute('data-count') === String(count),
          n + 1,
        );
      }
      await page.getByTestId('teach-class-digits').click();
      await waitForState(page, ['training'], 60_000);
      await waitForState(page, ['done'], 300_000);
      await page.getByTestId('teach-result').waitFor();
      await page.waitForTimeout(1500);
      const panel = page.locator('#class');
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({ path: `docs/class-digits-${language}.png` });
      const mistakes = await page.getByTestId('class-mistakes').getAttribute('data-count');
      console.log(`docs/class-digits-${language}.png (${mistakes} of 30 misread after teaching)`);
    },
    { width: 1280, height: 900 },
  );
}

/**
 * The Why panel for a test digit the model misreads (its evidence, then one Adam step applied) and
 * the Runs panel after a tanh run pinned as the baseline and a ReLU run: docs/why-{en,zh}.png,
 * docs/runs-{en,zh}.png and docs/baseline-{en,zh}.png (the second run's charts, the baseline dashed).
 * @param {{ url: string, executablePath: string }} server @param {string} language
 */
async function why(server, language) {
  await withPage(
    server.executablePath,
    `${server.url}?lang=${language}&epochs=3&trainSize=12000`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      await page.getByTestId('train-button').click();
      await waitForState(page, ['done'], 300_000);
      await page.locator('#runs').scrollIntoViewIfNeeded();
      await page.getByTestId('pin-baseline').click();
      await page.getByTestId('settings-details').locator('summary').click();
      await page.locator('#setting-activation').selectOption('relu');
      await page.getByTestId('train-button').click();
      await waitForState(page, ['training'], 60_000);
      await waitForState(page, ['done'], 300_000);
      await page.waitForTimeout(2500);
      await page.locator('#train').screenshot({ path: `docs/baseline-${language}.png` });
      await page.locator('#runs').scrollIntoViewIfNeeded();
      await page.waitForTimeout(2500);
      await page.locator('#runs').screenshot({ path: `docs/runs-${language}.png` });
      // The most frequent mistake's first digit.
      await page.locator('#evaluate').scrollIntoViewIfNeeded();
      await page.getByTestId('mistakes-digits').locator('[data-testid="gallery-digit"]').first().click();
      await page.waitForFunction(() => document.querySelector('[data-testid="evidence-map"]')?.getAttribute('data-pending') === 'false');
      await page.getByTestId('learning-step-optimizer').selectOption('adam');
      await page.getByTestId('take-learning-step').click();
      await page.getByTestId('apply-learning-step').click();
      await page.getByTestId('learning-step-after').waitFor();
      await page.waitForTimeout(500);
      await page.locator('#why').screenshot({ path: `docs/why-${language}.png` });
      console.log(`docs/why-${language}.png, docs/runs-${language}.png, docs/baseline-${language}.png`);
    },
    { width: 1280, height: 900 },
  );
}

/**
 * @param {{ url: string, executablePath: string }} server
 * @param {string} query @param {string} path @param {{ width: number, deviceScaleFactor: number }} screen
 */
async function shoot(server, query, path, screen) {
  await withPage(
    server.executablePath,
    `${server.url}?${query}`,
    async (page) => {
      await startTraining(page);
      await waitForState(page, ['done'], 300_000);
      await drawProbe(page);
      // Views that mount when seen (galleries, the Inside panel): scroll through once.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      for (let y = 0; y < height; y += 600) {
        await page.evaluate((top) => window.scrollTo(0, top), y);
        await page.waitForTimeout(250);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(2000); // the last throttled redraws
      await page.screenshot({ path, fullPage: true });
      console.log(`${path}: ${await page.getByTestId('backend-badge').innerText()}`);
    },
    screen,
  );
}

/**
 * The first screen at one size and language, unscrolled: once ready, or `trainingMs` after Train.
 * @param {{ url: string, executablePath: string }} server
 * @param {{ width: number, height: number }} viewport @param {string} language @param {string} path
 */
async function firstScreen(server, viewport, language, path, trainingMs = 0) {
  await withPage(
    server.executablePath,
    `${server.url}?lang=${language}${trainingMs ? `&${QUICK_DEMO}` : ''}`,
    async (page) => {
      await waitForState(page, ['ready'], 120_000);
      if (trainingMs) {
        await page.getByTestId('train-button').click();
        await waitForState(page, ['training'], 60_000);
        await page.waitForTimeout(trainingMs);
      } else await page.waitForTimeout(1500); // the panels below mount, the charts' warm-up runs
      await page.screenshot({ path });
      console.log(path);
    },
    viewport,
  );
}

const server = await serveBuild();
try {
  if (process.argv.includes('verdicts')) {
    for (const language of ['en', 'zh']) await verdicts(server, language);
    process.exit(0);
  }
  if (process.argv.includes('why')) {
    for (const language of ['en', 'zh']) await why(server, language);
    process.exit(0);
  }
  if (process.argv.includes('class')) {
    for (const language of ['en', 'zh']) await classDigits(server, language);
    process.exit(0);
  }
  for (const viewport of [
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
  ]) {
    for (const language of ['en', 'zh']) {
      await firstScreen(server, viewport, language, `docs/first-screen-${viewport.width}x${viewport.height}-${language}.png`);
    }
  }
  await firstScreen(server, { width: 1366, height: 768 }, 'en', 'docs/first-screen-training-1366x768-en.png', 5000);
  if (process.argv.includes('--only')) process.exit(0);
  await shoot(server, `lang=zh&present=1&${QUICK_DEMO}`, 'docs/screenshot-zh.png', { width: 1600, deviceScaleFactor: 1 });
  await shoot(server, `lang=en&${QUICK_DEMO}`, 'docs/screenshot.png', { width: 1280, deviceScaleFactor: 1 });
} finally {
  await server.close();
}

#!/usr/bin/env node
// @ts-check
/**
 * The README's two screenshots, after the Quick demo trained with backend auto and a 7 drawn:
 * docs/screenshot-zh.png (Chinese, projector mode, 1600 px: the room's view; Chinese fonts needed,
 * e.g. Debian's fonts-noto-cjk) and
 * docs/screenshot.png (English, 1280 px, every view scrolled into being).
 *
 *   node scripts/screenshots.mjs
 */
import { drawProbe, serveBuild, startTraining, waitForState, withPage } from './browser-session.mjs';

const QUICK_DEMO = 'epochs=2&trainSize=60000&learningRate=0.003&activation=relu';

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

const server = await serveBuild();
try {
  await shoot(server, `lang=zh&present=1&${QUICK_DEMO}`, 'docs/screenshot-zh.png', { width: 1600, deviceScaleFactor: 1 });
  await shoot(server, `lang=en&${QUICK_DEMO}`, 'docs/screenshot.png', { width: 1280, deviceScaleFactor: 1 });
} finally {
  await server.close();
}

#!/usr/bin/env node
// @ts-check
/**
 * Runs the seed notebook's full recipe through the UI in headless Chromium (LeNet-5 28x28, tanh,
 * Adam 0.001, batch 64, 20 epochs on all 60,000 digits with validation split 0.2, backend auto)
 * and records what the README reports: test accuracy and loss, wall time, each epoch's figures,
 * the memory of both threads after every epoch, and the longest main-thread task.
 *
 *   npm run seed-run [-- --query "epochs=20" --out bench-results/seed-run.json --screenshot docs/screenshot.png --probe]
 * --probe draws a digit before training, so the Draw and Inside panels follow every epoch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cliOption } from './cli.mjs';
import { recordRecipe } from './recipe-run.mjs';
import { serveBuild } from './browser-session.mjs';

const query = cliOption('--query', '');
const out = cliOption('--out', 'bench-results/seed-run.json');
const screenshot = cliOption('--screenshot', '');
const probe = process.argv.includes('--probe');

const server = await serveBuild();
try {
  const result = await recordRecipe(server, query, { screenshot, log: console.log, probe });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out}`);
} finally {
  await server.close();
}

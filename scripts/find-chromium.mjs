#!/usr/bin/env node
// @ts-check
/**
 * Finds the Chromium the end-to-end tests and the benchmark drive: $CHROMIUM_PATH, else the usual
 * system paths, and launches it the way this project always does. Run as a script, it exits 1 with
 * one line saying how to get one (never a silent skip).
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * Flags for every launch: no sandbox (root in CI), no background traffic (the network is closed),
 * and WebGL through SwiftShader where there is no GPU.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export const INSTALL_HINT =
  'No Chromium found for the end-to-end tests: install one (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to its executable.';

/** @returns {string | null} path of an executable Chromium */
export function findChromium() {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES;
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = findChromium();
  if (!path) {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
  console.log(`Chromium for the end-to-end tests: ${path}`);
}

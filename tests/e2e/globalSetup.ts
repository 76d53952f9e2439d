import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { preview, type PreviewServer } from 'vite';
import { INSTALL_HINT, findChromium } from '../../scripts/find-chromium.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
  }
}

let server: PreviewServer | undefined;

/** Serves the production build (dist/) on a free loopback port for the end-to-end tests. */
export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  if (!chromiumPath) throw new Error(INSTALL_HINT);
  if (!existsSync(resolve('dist/index.html'))) throw new Error('dist/ is missing: run `vite build` first (npm run test:e2e does)');
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  project.provide('chromiumPath', chromiumPath);
  return async () => {
    await server?.close();
  };
}

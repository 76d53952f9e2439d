import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { preview, type PreviewServer } from 'vite';
import { INSTALL_HINT, findChromium } from '../../scripts/find-chromium.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    chromiumPath: string;
    /** A name that is not localhost, under which the server also answers (plainHttp.e2e.ts). */
    plainHttpHost: string;
  }
}

let server: PreviewServer | undefined;

const PLAIN_HTTP_HOST = 'lenet-lab.test';

/** Serves the production build (dist/) on a free loopback port for the end-to-end tests. */
export default async function setup(project: TestProject) {
  const chromiumPath = findChromium();
  if (!chromiumPath) throw new Error(INSTALL_HINT);
  if (!existsSync(resolve('dist/index.html'))) throw new Error('dist/ is missing: run `vite build` first (npm run test:e2e does)');
  // PLAIN_HTTP_HOST: a name that is not localhost, mapped to 127.0.0.1 by a host-resolver rule, so
  // the page is served as a school's LAN server serves it: plain http, not a secure context.
  server = await preview({
    preview: { host: '127.0.0.1', port: 0, strictPort: false, allowedHosts: [PLAIN_HTTP_HOST] },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  project.provide('chromiumPath', chromiumPath);
  project.provide('plainHttpHost', PLAIN_HTTP_HOST);
  return async () => {
    await server?.close();
  };
}

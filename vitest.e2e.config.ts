import { defineConfig } from 'vitest/config';

// End-to-end tests: playwright-core drives the system Chromium against `vite preview` of the
// production build. One file at a time: two browsers on a 2-core machine make both flaky.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

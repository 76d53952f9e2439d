import { defineConfig } from 'vitest/config';

// End-to-end tests: playwright-core drives the system Chromium against `vite preview` of the
// production build. Two files at a time (one Chromium each): the tests wait on the page's states
// and markers, never on fixed sleeps, and the figures they check come from seeded, deterministic
// runs, so a busier machine makes them slower, not different; on 2 cores the suite takes about 80%
// of its one-at-a-time time. Recording figures (RECORD_FIGURES=1) runs one file at a time: every
// file writes tests/e2e/figures.json.
const recording = process.env.RECORD_FIGURES === '1';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e/globalSetup.ts'],
    fileParallelism: !recording,
    // Files share their worker's modules (playwright-core, the harness): each file still launches
    // its own Chromium with a fresh profile. About 1 s less per file.
    isolate: false,
    maxWorkers: recording ? 1 : 2,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

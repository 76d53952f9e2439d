import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** Tests that need modules as fresh as at load: they check tfjs's stock kernels before ours replace them. */
const FRESH = ['tests/unit/wasmKernels.test.ts'];

// Unit tests: Node, no browser. End-to-end tests have their own config (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 60_000,
    // Once per test file: the check that sessions posted no undeclared `failed` event.
    setupFiles: ['tests/unit/setup.ts'],
    // One file per core: the training tests are single-threaded WASM, so on 2 cores two files at
    // once take 2 min where one at a time (Vitest's default there) took 3.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        extends: true,
        // Files share their worker's modules (tfjs, its WASM backend, the engine) instead of
        // importing them afresh: 30 s less of a 2.5-min run on 2 cores. Each file still builds its
        // own sessions, stores and data.
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'], exclude: FRESH, isolate: false },
      },
      { extends: true, test: { name: 'unit (fresh modules)', include: FRESH, isolate: true } },
    ],
  },
});

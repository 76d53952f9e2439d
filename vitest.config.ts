import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit tests: Node, no browser. End-to-end tests have their own config (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // One file per core: the training tests are single-threaded WASM, so on 2 cores two files at
    // once take 2 min where one at a time (Vitest's default there) took 3.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});

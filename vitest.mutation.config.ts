import { defineConfig } from 'vitest/config';

// Mutation testing (npm run test:mutation, stryker.config.mjs): only the unit tests of the modules
// Stryker mutates, so that each mutant runs in seconds. Node, as the regular unit tests.
export default defineConfig({
  test: {
    include: [
      'tests/unit/drawing*.test.ts',
      'tests/unit/mnistLoader*.test.ts',
      'tests/unit/digitQueries*.test.ts',
      'tests/unit/sha256*.test.ts',
      'tests/unit/settings*.test.ts',
      'tests/unit/modelFiles*.test.ts',
      'tests/unit/appState*.test.ts',
    ],
    environment: 'node',
    testTimeout: 60_000,
  },
});

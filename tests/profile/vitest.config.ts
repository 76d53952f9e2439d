import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Profiles of the wasm training step: run by hand (`npm run profile:wasm`), never by `npm test`.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/profile/**/*.profile.ts'],
    environment: 'node',
    testTimeout: 600_000,
  },
});

// Mutation testing of the pure modules: `npm run test:mutation`. docs/mutation.md has the scores per
// file and the surviving mutants that are equivalent. The tests run through a Vitest config of their
// own (the unit tests of these modules only), never through `npm test`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/data/drawing.ts',
    'src/data/mnistLoader.ts',
    'src/data/digitQueries.ts',
    'src/data/sha256.ts',
    'src/shared/settings.ts',
    'src/model/modelFiles.ts',
    // The reducer: its router and its families of actions (the client, trainerClient.ts, is not pure).
    ...['appState', 'base', 'training', 'library', 'drawing', 'inside', 'recovery'].map((f) => `src/ui/state/${f}.ts`),
  ],
  // The sandbox needs the sources and the tests, not the build, the generated data or the screenshots.
  ignorePatterns: ['dist', 'public/data', 'bench-results', 'coverage', 'docs/*.png'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  // 2 cores; a mutant that loops forever is called a timeout after twice its tests' time plus 10 s.
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  thresholds: { high: 90, low: 80, break: 80 },
};

// ESLint flat config. Beyond the recommended rules, it enforces the architecture: imports point
// one way (ui -> shared; worker -> shared, engine, model -> data), shared/ is the only code both threads
// import, data/ stays free of React and tfjs, and the UI never touches the worker, tfjs or the
// model directly (it starts the worker by URL, in ui/state/trainerClient.ts).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * @param {object[]} patterns
 * @returns {import('eslint').Linter.RulesRecord}
 */
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const noReact = { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'React belongs in src/ui and src/app.' };
const noTfjs = {
  group: ['@tensorflow/tfjs', '@tensorflow/tfjs-*', '!@tensorflow/tfjs-vis', '!@tensorflow/tfjs-vis/**'],
  message: 'tfjs belongs in src/model and src/worker (the UI may use tfjs-vis, which draws plain numbers).',
};
const noUi = { group: ['**/ui/*', '**/ui/**', '**/app/*'], message: 'Lower layers must not import the UI.' };

export default tseslint.config(
  { ignores: ['dist/', 'public/data/', 'src/engine/assembly/', 'node_modules/', 'coverage/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.{ts,tsx}'], languageOptions: { globals: globals.browser } },
  { files: ['src/worker/**/*.ts'], languageOptions: { globals: globals.worker } },
  { files: ['scripts/**', 'tests/**', '*.config.{js,ts}'], languageOptions: { globals: globals.node } },
  // Code that drives a page: the callbacks passed to page.evaluate() run in the browser.
  {
    files: [
      'scripts/benchmark.mjs',
      'scripts/screenshots.mjs',
      'scripts/browser-session.mjs',
      'scripts/seed-run.mjs',
      'scripts/recipe-run.mjs',
      'scripts/handwriting-bench.mjs',
      'scripts/why-bench.mjs',
      'tests/e2e/**',
    ],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['src/data/**'],
    rules: restrict([noReact, noTfjs, noUi, { group: ['**/model/*', '**/worker/*'], message: 'src/data is the bottom layer.' }]),
  },
  {
    files: ['src/model/**'],
    rules: restrict([noReact, noUi, { group: ['**/worker/*'], message: 'src/model must not depend on the worker.' }]),
  },
  {
    files: ['src/shared/**'],
    rules: restrict([
      noReact,
      noTfjs,
      noUi,
      { group: ['**/worker/*', '**/worker/**'], message: 'src/shared is imported by the worker, not the other way.' },
    ]),
  },
  {
    files: ['src/engine/**'],
    rules: restrict([
      noReact,
      noTfjs,
      noUi,
      {
        group: ['**/model/*', '**/worker/*', '**/shared/*'],
        message: 'The engine stands alone: it takes arrays and gives arrays (src/data only, for its constants).',
      },
    ]),
  },
  { files: ['src/worker/**'], rules: restrict([noReact, noUi]) },
  {
    files: ['src/ui/**', 'src/app/**'],
    rules: restrict([
      noTfjs,
      {
        group: ['**/data/*', '**/model/*', '**/engine/*', '**/worker/*', '**/worker/**'],
        message: 'The UI talks to the worker through src/shared (protocol, settings) and ui/state/trainerClient only.',
      },
    ]),
  },
);

/**
 * Runs before every unit test file. Files share their worker's modules (vitest.config.ts), so a
 * hook registered inside an imported module would be registered for the first file only: the
 * check of sessionFailures.ts is registered here, once per file.
 */
import { afterEach } from 'vitest';
import { checkFailures } from './sessionFailures';

afterEach(checkFailures);

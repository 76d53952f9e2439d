/**
 * The check after every unit test (setup.ts): a `failed` event a session posts fails the test
 * unless the test declared it. Checked directly here, since a hook that fails cannot be watched
 * from the test it fails.
 */
import { describe, expect, it } from 'vitest';
import type { WorkerEvent } from '../../src/shared/protocol';
import { checkFailures, expectFailed, watchFailures } from './sessionFailures';

const failed: WorkerEvent = { type: 'failed', error: { kind: 'internal', message: 'boom' } };

describe('checkFailures', () => {
  it('fails on a failed event nobody declared, passes on a declared one, and starts afresh each test', () => {
    const post = watchFailures(() => {});
    post(failed);
    expect(() => checkFailures()).toThrow(/did not expect/);
    checkFailures(); // the failure above was cleared with the check
    post(failed);
    expectFailed(1);
    checkFailures();
    expectFailed(2);
    post(failed);
    expect(() => checkFailures()).toThrow(/declared 2/);
  });
});

/**
 * For tests that drive the worker's session: a `post` wrapper that notes every `failed` event, and
 * a check after each test (setup.ts registers it for every test file) that fails the test on any
 * `failed` event it did not declare with expectFailed(). A test that provokes a failure (a damaged
 * file, settings out of range) declares it; anywhere else, a failure the product posts is a failure
 * of the test, even where the test's own assertions would not have looked.
 */
import { expect } from 'vitest';
import type { WorkerEvent } from '../../src/shared/protocol';
import type { Post } from '../../src/worker/trainer';

type Failed = Extract<WorkerEvent, { type: 'failed' }>;

/** `failed` events posted during the current test, by every session it created. */
let failures: Failed[] = [];
/** How many of them the current test declared; 0 unless it called expectFailed(). */
let expectedFailures = 0;

/** Wraps a session's `post` so that its `failed` events are checked after the test. */
export function watchFailures(post: Post): Post {
  return (event, transfer) => {
    if (event.type === 'failed') failures.push(event);
    post(event, transfer);
  };
}

/** Declares that the current test provokes exactly `count` `failed` events (and checks them itself). */
export function expectFailed(count = 1): void {
  expectedFailures = count;
}

/** The check after each test: the `failed` events posted are the ones declared (none unless declared). */
export function checkFailures(): void {
  const posted = failures;
  const expected = expectedFailures;
  failures = [];
  expectedFailures = 0;
  if (expected === 0)
    expect(
      posted.map((event) => event.error),
      'the session posted `failed` events the test did not expect',
    ).toEqual([]);
  else expect(posted, `the test declared ${expected} \`failed\` event(s)`).toHaveLength(expected);
}

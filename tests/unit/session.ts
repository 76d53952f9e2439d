/**
 * For tests that drive the worker's session (createTrainerSession): a `post` wrapper that notes every
 * `failed` event, and an afterEach, registered by importing this file, that fails the test on any
 * `failed` event it did not declare with expectFailed(). A test that provokes a failure (a damaged
 * file, settings out of range) declares it; anywhere else, a failure the product posts is a failure
 * of the test, even where the test's own assertions would not have looked.
 */
import { afterEach, expect } from 'vitest';
import type { Dataset } from '../../src/worker/dataset';
import { openModelStore } from '../../src/model/modelStore';
import type { ModelRecord, RunRecord, WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import type { Checkpoint, LibraryStore } from '../../src/worker/library';
import { createTrainerSession, type Post } from '../../src/worker/trainer';
import { BASE_URL, engineBackend, engineModule } from './fixtures';

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

afterEach(() => {
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
});

/** The page's store on a fake IndexedDB: a second store on the same factory is the same browser after a reload. */
export const newStore = (factory: IDBFactory): LibraryStore => openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory });

/**
 * A session where the engine trains and tfjs WASM reads, on `store` and the file's shared data set: loaded, then `first` sent as
 * the page sends them once its worker is up. Its events are kept and read by type.
 */
export async function engineSession(dataset: Dataset, store: LibraryStore | null, first: WorkerCommand[] = []) {
  const events: WorkerEvent[] = [];
  const trainer = createTrainerSession(
    watchFailures((event) => events.push(event)),
    { dataset, selectBackend: engineBackend, engineModule, store },
  );
  const send = (command: WorkerCommand) => trainer.handle(command);
  await send({ type: 'load', dataUrl: BASE_URL });
  for (const command of first) await send(command);
  const of = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const last = <T extends WorkerEvent['type']>(type: T) => of(type).at(-1);
  return { events, send, of, last };
}

/**
 * For tests that drive the worker's session (createTrainerSession): sessions on a fake IndexedDB,
 * and the `failed`-event watch of sessionFailures.ts.
 */
import type { Dataset } from '../../src/worker/dataset';
import { openModelStore } from '../../src/model/modelStore';
import type { ModelRecord, RunRecord, WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import type { Checkpoint, LibraryStore } from '../../src/worker/library';
import { createTrainerSession } from '../../src/worker/trainer';
import { watchFailures } from './sessionFailures';
import { BASE_URL, engineBackend, engineModule } from './fixtures';

export { expectFailed, watchFailures } from './sessionFailures';

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

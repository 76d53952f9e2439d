/**
 * Saved models and the training checkpoint, in IndexedDB: the only storage a worker has, and one that
 * survives a reload. Three object stores in one database: 'models' (metadata, small, listed often),
 * 'weights' (the artifacts, read only when a model is opened) and 'checkpoint' (one record). The
 * metadata and checkpoint types belong to the worker, so everything here is generic over them.
 */
import type { ClassDigit } from '../data/classDigits';
import type { StoredArtifacts } from './modelFiles';

/** A storage failure, worded for the person using the page (the message is shown as is in the UI). */
/** Why storing failed, for the UI to word in any language: no IndexedDB, a full disk, anything else. */
export type ModelStoreCode = 'storageUnavailable' | 'storageFull' | 'storageFailed';

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
  constructor(
    message: string,
    readonly said: { code: ModelStoreCode; values: Record<string, string> },
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ModelStore<Meta, Checkpoint, Run extends { id: string } = { id: string }> {
  /** Every saved model's metadata (weights not read), newest first by the time it was added. */
  list(): Promise<(Meta & { id: string; savedAt: string })[]>;
  /** A saved model's metadata and artifacts; null if there is none with this id. */
  get(id: string): Promise<{ meta: Meta & { id: string; savedAt: string }; artifacts: StoredArtifacts } | null>;
  /** Stores metadata and artifacts in one transaction; returns the new id; savedAt = new Date(now()).toISOString(). */
  add(meta: Meta, artifacts: StoredArtifacts): Promise<{ id: string; savedAt: string }>;
  /** Deletes a model's metadata and artifacts; an unknown id is not an error. */
  delete(id: string): Promise<void>;
  /** One checkpoint at a time (the running or interrupted training run). */
  getCheckpoint(): Promise<Checkpoint | null>;
  putCheckpoint(checkpoint: Checkpoint): Promise<void>;
  clearCheckpoint(): Promise<void>;
  /** The class's own digits (issue 17), in their own object store of the same database. */
  classDigits: ClassDigitStore;
  /** The finished runs (issue 18), in their own object store, by id. */
  runs: RecordStore<Run>;
  /** Closes the connection; a later call opens it again. */
  close(): void;
}

/** The class digits: every record, put (added or replaced, by id) in one transaction, deleted by id, or all. */
export interface ClassDigitStore {
  list(): Promise<ClassDigit[]>;
  put(digits: readonly ClassDigit[]): Promise<void>;
  delete(id: string): Promise<void>;
  clear(): Promise<void>;
}

/** Records with an id: every one, put (added or replaced, by id) in one transaction, deleted by id. */
export interface RecordStore<T extends { id: string }> {
  list(): Promise<T[]>;
  put(records: readonly T[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
}

const DB_NAME = 'lenet-lab';
/** 2 added the class digits, 3 the run history. */
const DB_VERSION = 3;
const CLASS_DIGITS = 'classDigits';
const RUNS = 'runs';
const MODELS = 'models';
const WEIGHTS = 'weights';
const CHECKPOINT = 'checkpoint';
const CHECKPOINT_KEY = 'current';
const BY_ID = 'byId';

/**
 * A store on `factory` (default: the global indexedDB). Nothing is opened until the first call, and a
 * missing or refused IndexedDB surfaces there, as a ModelStoreError.
 */
export function openModelStore<Meta, Checkpoint, Run extends { id: string } = { id: string }>(
  options: { factory?: IDBFactory; name?: string; now?: () => number } = {},
): ModelStore<Meta, Checkpoint, Run> {
  const { name = DB_NAME, now = Date.now } = options;
  let connection: Promise<IDBDatabase> | null = null;

  const database = (): Promise<IDBDatabase> => {
    if (connection === null) {
      const forget = () => {
        if (connection === opening) connection = null;
      };
      const opening = openDatabase(options.factory, name, forget);
      // A failed open is not kept: the next call tries again (the person may have freed space or left private mode).
      opening.catch(forget);
      connection = opening;
    }
    return connection;
  };

  /** Runs `body` in one transaction and resolves with what `body` returns, once the transaction has completed. */
  const run = async <T>(stores: string[], mode: IDBTransactionMode, body: (tx: IDBTransaction) => () => T): Promise<T> => {
    try {
      const db = await database();
      const tx = db.transaction(stores, mode);
      const done = transactionDone(tx);
      let result: () => T;
      try {
        result = body(tx);
      } catch (error) {
        // A request that threw (put() may throw QuotaExceededError) must not let the others commit.
        done.catch(() => {});
        try {
          tx.abort();
        } catch {
          // Already finished: nothing left to undo.
        }
        throw error;
      }
      await done;
      return result();
    } catch (error) {
      throw toStoreError(error);
    }
  };

  return {
    list: () =>
      run([MODELS], 'readonly', (tx) => {
        // Keys are generated in insertion order, so the newest record is last.
        const request = tx.objectStore(MODELS).getAll() as IDBRequest<(Meta & { id: string; savedAt: string })[]>;
        return () => request.result.reverse();
      }),

    get: (id) =>
      run([MODELS, WEIGHTS], 'readonly', (tx) => {
        const meta = tx.objectStore(MODELS).index(BY_ID).get(id) as IDBRequest<(Meta & { id: string; savedAt: string }) | undefined>;
        const artifacts = tx.objectStore(WEIGHTS).get(id) as IDBRequest<StoredArtifacts | undefined>;
        return () =>
          meta.result === undefined || artifacts.result === undefined ? null : { meta: meta.result, artifacts: artifacts.result };
      }),

    add: (meta, artifacts) => {
      const id = newId();
      const savedAt = new Date(now()).toISOString();
      return run([MODELS, WEIGHTS], 'readwrite', (tx) => {
        tx.objectStore(MODELS).put({ ...meta, id, savedAt });
        tx.objectStore(WEIGHTS).put(artifacts, id);
        return () => ({ id, savedAt });
      });
    },

    delete: (id) =>
      run([MODELS, WEIGHTS], 'readwrite', (tx) => {
        const models = tx.objectStore(MODELS);
        const key = models.index(BY_ID).getKey(id);
        key.onsuccess = () => {
          if (key.result !== undefined) models.delete(key.result);
        };
        tx.objectStore(WEIGHTS).delete(id);
        return () => undefined;
      }),

    getCheckpoint: () =>
      run([CHECKPOINT], 'readonly', (tx) => {
        const request = tx.objectStore(CHECKPOINT).get(CHECKPOINT_KEY) as IDBRequest<Checkpoint | undefined>;
        return () => request.result ?? null;
      }),

    putCheckpoint: (checkpoint) =>
      run([CHECKPOINT], 'readwrite', (tx) => {
        tx.objectStore(CHECKPOINT).put(checkpoint, CHECKPOINT_KEY);
        return () => undefined;
      }),

    clearCheckpoint: () =>
      run([CHECKPOINT], 'readwrite', (tx) => {
        tx.objectStore(CHECKPOINT).delete(CHECKPOINT_KEY);
        return () => undefined;
      }),

    classDigits: {
      list: () =>
        run([CLASS_DIGITS], 'readonly', (tx) => {
          const request = tx.objectStore(CLASS_DIGITS).getAll() as IDBRequest<ClassDigit[]>;
          return () => request.result;
        }),
      put: (digits) =>
        run([CLASS_DIGITS], 'readwrite', (tx) => {
          const store = tx.objectStore(CLASS_DIGITS);
          for (const digit of digits) store.put(digit);
          return () => undefined;
        }),
      delete: (id) =>
        run([CLASS_DIGITS], 'readwrite', (tx) => {
          tx.objectStore(CLASS_DIGITS).delete(id);
          return () => undefined;
        }),
      clear: () =>
        run([CLASS_DIGITS], 'readwrite', (tx) => {
          tx.objectStore(CLASS_DIGITS).clear();
          return () => undefined;
        }),
    },

    runs: {
      list: () =>
        run([RUNS], 'readonly', (tx) => {
          const request = tx.objectStore(RUNS).getAll() as IDBRequest<Run[]>;
          return () => request.result;
        }),
      put: (records) =>
        run([RUNS], 'readwrite', (tx) => {
          const store = tx.objectStore(RUNS);
          for (const record of records) store.put(record);
          return () => undefined;
        }),
      delete: (ids) =>
        run([RUNS], 'readwrite', (tx) => {
          const store = tx.objectStore(RUNS);
          for (const id of ids) store.delete(id);
          return () => undefined;
        }),
    },

    close: () => {
      const closing = connection;
      connection = null;
      closing?.then(
        (db) => db.close(),
        () => {},
      );
    },
  };
}

function openDatabase(factory: IDBFactory | undefined, name: string, onClosed: () => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const idb = factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (idb === undefined) {
      reject(unavailable('indexedDB is not defined'));
      return;
    }
    let request: IDBOpenDBRequest;
    try {
      request = idb.open(name, DB_VERSION);
    } catch (error) {
      // Opaque origins (sandboxed iframes, some file:// pages) throw SecurityError here.
      reject(unavailable(describe(error)));
      return;
    }
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        // Out-of-line keys generated in insertion order give list() its order; the id is looked up through an index.
        db.createObjectStore(MODELS, { autoIncrement: true }).createIndex(BY_ID, 'id', { unique: true });
        db.createObjectStore(WEIGHTS);
        db.createObjectStore(CHECKPOINT);
      }
      if (event.oldVersion < 2) db.createObjectStore(CLASS_DIGITS, { keyPath: 'id' });
      if (event.oldVersion < 3) db.createObjectStore(RUNS, { keyPath: 'id' });
    };
    // Another tab holds an older version open: the open waits until that tab closes it, which its
    // onversionchange below does, so there is nothing to do here but wait.
    request.onblocked = () => {};
    request.onsuccess = () => {
      const db = request.result;
      // A newer version of the page in another tab wants to upgrade: let it, and reopen on the next call.
      db.onversionchange = () => {
        db.close();
        onClosed();
      };
      // The browser closed the connection (storage cleared, disk error): reopen on the next call.
      db.onclose = onClosed;
      resolve(db);
    };
    request.onerror = () => {
      // Firefox's private windows used to refuse here (InvalidStateError); a newer database version gives VersionError.
      reject(unavailable(describe(request.error)));
    };
  });
}

function unavailable(reason: string): ModelStoreError {
  return new ModelStoreError(`This browser does not let the page store models (IndexedDB unavailable: ${reason})`, {
    code: 'storageUnavailable',
    values: { detail: reason },
  });
}

function toStoreError(error: unknown): ModelStoreError {
  if (error instanceof ModelStoreError) return error;
  if (isNamed(error) && error.name === 'QuotaExceededError') {
    return new ModelStoreError(
      `This browser's storage is full: delete saved models you no longer need (QuotaExceededError)`,
      { code: 'storageFull', values: {} },
      { cause: error },
    );
  }
  return new ModelStoreError(
    `The browser's model storage failed (${describe(error)})`,
    { code: 'storageFailed', values: { detail: describe(error) } },
    { cause: error },
  );
}

/** Resolves when the transaction has committed (so the write is durable), rejects on error or abort. */
function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A failed request reports here before the transaction aborts, and tx.error is set only by the abort.
    tx.onerror = (event) =>
      reject((event.target as IDBRequest | null)?.error ?? tx.error ?? new DOMException('A request failed', 'UnknownError'));
    tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted', 'AbortError'));
  });
}

/** crypto.randomUUID() exists only in secure contexts: a class served over plain http on the LAN has getRandomValues only. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isNamed(error: unknown): error is { name: string; message?: unknown } {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string';
}

function describe(error: unknown): string {
  if (isNamed(error)) return typeof error.message === 'string' && error.message !== '' ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}

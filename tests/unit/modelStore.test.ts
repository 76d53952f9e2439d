/** Saved models and the checkpoint in IndexedDB (fake-indexeddb, a fresh database per test). */
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredArtifacts } from '../../src/model/modelFiles';
import { ModelStoreError, openModelStore } from '../../src/model/modelStore';

interface Meta {
  label: string;
  accuracy: number;
}

interface Checkpoint {
  epoch: number;
  weights: ArrayBuffer;
}

const artifactsOf = (first: number): StoredArtifacts => ({
  modelTopology: { class_name: 'Sequential', config: { name: `m${first}` } },
  weightSpecs: [{ name: 'dense/kernel', shape: [4], dtype: 'float32' }],
  weightData: new Float32Array([first, 1.5, -2, 3]).buffer,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const QUOTA_MESSAGE = "This browser's storage is full: delete saved models you no longer need (QuotaExceededError)";

let factory: IDBFactory;

beforeEach(() => {
  factory = new IDBFactory();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

async function rejection(promise: Promise<unknown>): Promise<ModelStoreError> {
  const error: unknown = await promise.then(
    () => new Error('expected a ModelStoreError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelStoreError);
  return error as ModelStoreError;
}

describe('saved models', () => {
  it('add returns a new id and savedAt; list gives metadata only, newest first', async () => {
    const times = [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 2), Date.UTC(2025, 0, 2)];
    const store = openModelStore<Meta, Checkpoint>({ factory, now: () => times.shift()! });
    const a = await store.add({ label: 'first', accuracy: 0.9 }, artifactsOf(1));
    const b = await store.add({ label: 'second', accuracy: 0.95 }, artifactsOf(2));
    // The same millisecond as b: the order is the order of adding, not of the clock.
    const c = await store.add({ label: 'third', accuracy: 0.97 }, artifactsOf(3));
    expect(a.id).toMatch(UUID);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(a.savedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(c.savedAt).toBe('2025-01-02T00:00:00.000Z');
    expect(await store.list()).toEqual([
      { label: 'third', accuracy: 0.97, ...c },
      { label: 'second', accuracy: 0.95, ...b },
      { label: 'first', accuracy: 0.9, ...a },
    ]);
    store.close();
  });

  it('ids are version-4 UUIDs also where crypto.randomUUID is missing (pages served over plain http)', async () => {
    const getRandomValues = crypto.getRandomValues.bind(crypto);
    vi.stubGlobal('crypto', { getRandomValues });
    const store = openModelStore<Meta, Checkpoint>({ factory });
    const ids = [
      await store.add({ label: 'a', accuracy: 0 }, artifactsOf(1)),
      await store.add({ label: 'b', accuracy: 0 }, artifactsOf(2)),
    ];
    expect(ids.map((i) => i.id)).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
    expect(ids[0]!.id).not.toBe(ids[1]!.id);
    store.close();
  });

  it('get gives back the metadata and the artifacts, weight bytes included; an unknown id gives null', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory });
    const artifacts = artifactsOf(7);
    const { id, savedAt } = await store.add({ label: 'kept', accuracy: 0.5 }, artifacts);
    const saved = await store.get(id);
    expect(saved?.meta).toEqual({ label: 'kept', accuracy: 0.5, id, savedAt });
    expect(saved?.artifacts.modelTopology).toEqual(artifacts.modelTopology);
    expect(saved?.artifacts.weightSpecs).toEqual(artifacts.weightSpecs);
    expect(saved?.artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(saved!.artifacts.weightData)).toEqual(new Uint8Array(artifacts.weightData));
    expect(await store.get('no-such-id')).toBeNull();
    store.close();
  });

  it('delete removes a model and its weights; an unknown id is not an error', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory });
    const [a, b] = await Promise.all([
      store.add({ label: 'a', accuracy: 0.1 }, artifactsOf(1)),
      store.add({ label: 'b', accuracy: 0.2 }, artifactsOf(2)),
    ]);
    await store.delete(a.id);
    expect((await store.list()).map((m) => m.id)).toEqual([b.id]);
    expect(await store.get(a.id)).toBeNull();
    expect(await store.get(b.id)).not.toBeNull();
    await expect(store.delete('no-such-id')).resolves.toBeUndefined();
    // Nothing orphaned: a raw look at the weights store finds only b's.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open('lenet-lab');
      request.onsuccess = () => resolve(request.result);
    });
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const request = db.transaction('weights').objectStore('weights').getAllKeys();
      request.onsuccess = () => resolve(request.result);
    });
    expect(keys).toEqual([b.id]);
    db.close();
    store.close();
  });
});

describe('the checkpoint', () => {
  it('is null at first; put, replace, get and clear', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory });
    expect(await store.getCheckpoint()).toBeNull();
    await store.putCheckpoint({ epoch: 1, weights: new Float32Array([1, 2]).buffer });
    const first = await store.getCheckpoint();
    expect(first?.epoch).toBe(1);
    expect(new Float32Array(first!.weights)).toEqual(new Float32Array([1, 2]));
    await store.putCheckpoint({ epoch: 2, weights: new Float32Array([3]).buffer });
    expect((await store.getCheckpoint())?.epoch).toBe(2);
    await store.clearCheckpoint();
    expect(await store.getCheckpoint()).toBeNull();
    store.close();
  });
});

describe('persistence and failures', () => {
  it('a store reopened on the same factory (a reload) still has the models and the checkpoint', async () => {
    const before = openModelStore<Meta, Checkpoint>({ factory });
    const { id } = await before.add({ label: 'survivor', accuracy: 0.99 }, artifactsOf(4));
    await before.putCheckpoint({ epoch: 3, weights: new ArrayBuffer(8) });
    before.close();

    const after = openModelStore<Meta, Checkpoint>({ factory });
    expect((await after.list()).map((m) => m.label)).toEqual(['survivor']);
    expect(new Float32Array((await after.get(id))!.artifacts.weightData)[0]).toBe(4);
    expect((await after.getCheckpoint())?.epoch).toBe(3);
    after.close();
  });

  it('a store used again after close() opens the database again', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory });
    await store.add({ label: 'x', accuracy: 0 }, artifactsOf(1));
    store.close();
    expect(await store.list()).toHaveLength(1);
    store.close();
  });

  it('a full storage gives a ModelStoreError, and a failed add stores nothing at all', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory });
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      // The metadata goes in, the weights do not fit: the whole add must be undone.
      if (this.name === 'weights' || this.name === 'checkpoint')
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    expect((await rejection(store.add({ label: 'too big', accuracy: 0 }, artifactsOf(1)))).message).toBe(QUOTA_MESSAGE);
    expect((await rejection(store.putCheckpoint({ epoch: 1, weights: new ArrayBuffer(4) }))).message).toBe(QUOTA_MESSAGE);
    vi.restoreAllMocks();
    expect(await store.list()).toEqual([]);
    expect(await store.getCheckpoint()).toBeNull();
    store.close();
  });

  it('no IndexedDB at all gives a ModelStoreError that says so', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const store = openModelStore<Meta, Checkpoint>();
    expect((await rejection(store.list())).message).toBe(
      'This browser does not let the page store models (IndexedDB unavailable: indexedDB is not defined)',
    );
    expect((await rejection(openModelStore({ factory: undefined }).getCheckpoint())).message).toContain('IndexedDB unavailable');
  });

  it('an IndexedDB that refuses to open gives a ModelStoreError, and the next call tries again', async () => {
    let opens = 0;
    const refusing = {
      open: () => {
        opens += 1;
        throw new DOMException('Access to the database is denied.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const store = openModelStore<Meta, Checkpoint>({ factory: refusing });
    expect((await rejection(store.list())).message).toBe(
      'This browser does not let the page store models (IndexedDB unavailable: SecurityError: Access to the database is denied.)',
    );
    await rejection(store.list());
    expect(opens).toBe(2);
  });

  it('closes its connection when another tab upgrades the database, instead of blocking it', async () => {
    const store = openModelStore<Meta, Checkpoint>({ factory, name: 'shared' });
    await store.add({ label: 'x', accuracy: 0 }, artifactsOf(1));
    const upgraded = await new Promise<string>((resolve) => {
      const request = factory.open('shared', 4); // the page's is 3
      request.onblocked = () => resolve('blocked');
      request.onsuccess = () => {
        request.result.close();
        resolve('upgraded');
      };
    });
    expect(upgraded).toBe('upgraded');
    // This version of the page cannot open the newer database: it says so instead of hanging.
    expect((await rejection(store.list())).message).toContain('IndexedDB unavailable: VersionError');
  });
});

import { describe, expect, it } from 'vitest';
import { initialState, reduce, type AppAction, type AppState } from '../../src/ui/appState';
import type { DatasetSummary } from '../../src/worker/protocol';

const dataset: DatasetSummary = {
  trainCount: 60_000,
  testCount: 10_000,
  labelCounts: { train: new Array(10).fill(6000), test: new Array(10).fill(1000) },
  source: 'test',
  files: 9,
  downloadedBytes: 13_000_000,
  durationMs: 2000,
  samples: { indices: [], labels: [], bytes: new Uint8Array() },
};

const run = (actions: AppAction[], from: AppState = initialState) => actions.reduce(reduce, from);

describe('reduce', () => {
  it('starts loading, tracks progress, then is ready with the data set', () => {
    expect(initialState.phase).toBe('loading');
    const loading = run([{ type: 'loadProgressed', loadedBytes: 10, totalBytes: 100 }]);
    expect(loading).toMatchObject({ phase: 'loading', progress: { loadedBytes: 10, totalBytes: 100 } });
    expect(run([{ type: 'loaded', dataset }], loading)).toMatchObject({ phase: 'ready', dataset, error: null });
  });

  it('goes to error with the worker’s error, and a retry starts over with a new attempt', () => {
    const error = { kind: 'data', file: 'train-labels.u8', expected: '60000 bytes', found: '10 bytes (truncated)' } as const;
    const failed = run([
      { type: 'loadProgressed', loadedBytes: 10, totalBytes: 100 },
      { type: 'failed', error },
    ]);
    expect(failed).toMatchObject({ phase: 'error', error });
    const retried = run([{ type: 'retryRequested' }], failed);
    expect(retried).toEqual({ ...initialState, attempt: 1 });
  });

  it('ignores a progress event that arrives after the load finished or failed', () => {
    const ready = run([{ type: 'loaded', dataset }]);
    expect(run([{ type: 'loadProgressed', loadedBytes: 1, totalBytes: 2 }], ready)).toBe(ready);
    const failed = run([{ type: 'failed', error: { kind: 'worker', message: 'crashed' } }]);
    expect(run([{ type: 'loadProgressed', loadedBytes: 1, totalBytes: 2 }], failed).phase).toBe('error');
  });

  it('keeps the loaded data set when the worker crashes later', () => {
    const crashed = run([
      { type: 'loaded', dataset },
      { type: 'failed', error: { kind: 'worker', message: 'crashed' } },
    ]);
    expect(crashed.phase).toBe('error');
    expect(crashed.dataset).toBe(dataset);
  });
});

/** The UI's watchdog over the worker, with a stand-in Worker and fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataUrlFromWorkerName, trainerWorkerName, type WorkerEvent } from '../../src/shared/protocol';
import { HEARTBEAT_MS, UNRESPONSIVE_MS, startTrainer } from '../../src/ui/state/trainerClient';

/** Records what the client posts; the test plays the worker's side. */
class FakeWorker {
  static last: FakeWorker;
  posted: unknown[] = [];
  terminated = false;
  onmessage: ((message: { data: WorkerEvent }) => void) | null = null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.last = this;
  }
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  /** The worker answers. */
  say(event: WorkerEvent) {
    this.onmessage?.({ data: event });
  }
}

const batch = (warmupMs: number): WorkerEvent => ({
  type: 'batchEnded',
  progress: {
    epoch: 1,
    batch: 1,
    batchesPerEpoch: 10,
    losses: [],
    loss: 1,
    accuracy: 0,
    imagesPerSecond: 1,
    warmupMs,
    elapsedMs: warmupMs,
  },
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('Worker', FakeWorker);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function start(unresponsiveMs?: number) {
  const events: WorkerEvent[] = [];
  const faults: string[] = [];
  const client = startTrainer(
    'https://school.example/lenet/data/',
    (event) => events.push(event),
    (fault) => faults.push(fault.message),
    unresponsiveMs,
  );
  return { client, events, faults, worker: FakeWorker.last };
}

describe('startTrainer', () => {
  it('names the worker after the data folder, so it starts loading before any message', () => {
    const { worker } = start();
    expect(worker.options.type).toBe('module');
    expect(dataUrlFromWorkerName(worker.options.name!)).toBe('https://school.example/lenet/data/');
    expect(dataUrlFromWorkerName('trainer')).toBeNull();
    expect(dataUrlFromWorkerName(trainerWorkerName('./data/'))).toBe('./data/');
  });
});

describe('startTrainer watchdog', () => {
  it('pings every heartbeat; a worker that answers is never given up on', () => {
    const { worker, faults, events } = start();
    for (let t = 0; t < 10 * UNRESPONSIVE_MS; t += HEARTBEAT_MS) {
      vi.advanceTimersByTime(HEARTBEAT_MS);
      worker.say({ type: 'pong' });
    }
    expect(faults).toEqual([]);
    expect(worker.posted.filter((m) => (m as { type: string }).type === 'ping').length).toBeGreaterThanOrEqual(45);
    expect(events.every((e) => e.type === 'pong')).toBe(true);
  });

  it('a silent worker is terminated and reported once, after UNRESPONSIVE_MS', () => {
    const { worker, faults } = start();
    vi.advanceTimersByTime(UNRESPONSIVE_MS - HEARTBEAT_MS);
    expect(faults).toEqual([]);
    vi.advanceTimersByTime(2 * HEARTBEAT_MS);
    expect(faults).toEqual(['The training worker stopped responding']);
    expect(worker.terminated).toBe(true);
    vi.advanceTimersByTime(10 * UNRESPONSIVE_MS);
    expect(faults).toHaveLength(1);
    worker.say({ type: 'pong' }); // too late: nothing more reaches the UI
  });

  it("a shorter limit (the tests' testWatchdog) gives a silent worker up sooner", () => {
    const { worker, faults } = start(4000);
    vi.advanceTimersByTime(2 * HEARTBEAT_MS - 1);
    expect(faults).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(faults).toEqual(['The training worker stopped responding']);
    expect(worker.terminated).toBe(true);
  });

  it('gives slow batches more time: four times the first batch', () => {
    const { worker, faults } = start();
    worker.say(batch(10_000));
    vi.advanceTimersByTime(30_000);
    expect(faults).toEqual([]);
    vi.advanceTimersByTime(12_000);
    expect(faults).toHaveLength(1);
  });

  it('a crash (error event) is a fault at once; terminate() by the UI is not', () => {
    const crashed = start();
    crashed.worker.onerror?.({ message: 'Uncaught RangeError: out of memory', preventDefault: () => {} });
    expect(crashed.faults).toEqual(['The training worker crashed (Uncaught RangeError: out of memory)']);
    const ended = start();
    ended.client.terminate();
    vi.advanceTimersByTime(10 * UNRESPONSIVE_MS);
    expect(ended.faults).toEqual([]);
    expect(ended.worker.terminated).toBe(true);
  });
});

/**
 * UI side of the worker: typed `send`, one subscription point, `terminate`, and a watchdog. A
 * worker can die without a word (killed for memory, a crashed GPU process, `close()`): the UI
 * pings it every HEARTBEAT_MS and calls it unresponsive after UNRESPONSIVE_MS without any
 * message. Silence is counted in missed heartbeats, not wall time, so a laptop waking from sleep
 * (timers and worker frozen together) is not mistaken for a dead worker.
 */
import type { Saying, WorkerCode, WorkerCommand, WorkerEvent } from '../../shared/protocol';

export interface TrainerClient {
  send(command: WorkerCommand, transfer?: Transferable[]): void;
  terminate(): void;
}

/** How often the UI checks on the worker. */
export const HEARTBEAT_MS = 2000;
/**
 * Silence after which the worker is given up on. The worker answers between any two batches;
 * its longest stretch without a break is usually the first WebGL batch (shader compilation: ~3 s
 * in software, about as long on a slow tablet's GPU). Where batches are slower still (a batch of
 * 1,024 on the CPU backend), the limit grows to BATCHES_OF_SILENCE of the run's slowest batch.
 */
export const UNRESPONSIVE_MS = 15_000;
const BATCHES_OF_SILENCE = 4;

/** Starts the training worker; events go to `onEvent`, a crash or a silent worker to `onFault` (once). */
export function startTrainer(onEvent: (event: WorkerEvent) => void, onFault: (fault: Saying) => void): TrainerClient {
  const worker = new Worker(new URL('../../worker/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  let heard = false;
  let silentBeats = 0;
  let faulted = false;
  let limitMs = UNRESPONSIVE_MS;
  const fault = (message: string, code: WorkerCode, detail = '') => {
    if (faulted) return;
    faulted = true;
    clearInterval(heartbeat);
    worker.terminate();
    onFault({ message, said: { code, values: { detail } } });
  };
  const heartbeat = setInterval(() => {
    silentBeats = heard ? 0 : silentBeats + 1;
    heard = false;
    if (silentBeats * HEARTBEAT_MS >= limitMs) fault('The training worker stopped responding', 'workerUnresponsive');
    else worker.postMessage({ type: 'ping' } satisfies WorkerCommand);
  }, HEARTBEAT_MS);
  worker.onmessage = (message: MessageEvent<WorkerEvent>) => {
    heard = true;
    const event = message.data;
    // The first batch (warm-up) is the slowest; the steady ones are timed since.
    if (event.type === 'batchEnded') limitMs = Math.max(limitMs, BATCHES_OF_SILENCE * event.progress.warmupMs);
    if (!faulted) onEvent(event);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    fault(`The training worker crashed${event.message ? ` (${event.message})` : ''}`, 'workerCrashed', event.message);
  };
  worker.onmessageerror = () => fault('A message from the training worker could not be read', 'workerUnreadable');
  return {
    send: (command, transfer = []) => worker.postMessage(command, transfer),
    terminate: () => {
      faulted = true;
      clearInterval(heartbeat);
      worker.terminate();
    },
  };
}

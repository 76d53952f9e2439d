/**
 * UI side of the worker: typed `send`, one subscription point, `terminate`, and a watchdog. A
 * worker can die without a word (killed for memory, a crashed GPU process, `close()`): the UI
 * pings it every HEARTBEAT_MS and calls it unresponsive after UNRESPONSIVE_MS without any
 * message. Silence is counted in missed heartbeats, not wall time, so a laptop waking from sleep
 * (timers and worker frozen together) is not mistaken for a dead worker.
 */
import { trainerWorkerName, type Saying, type WorkerCode, type WorkerCommand, type WorkerEvent } from '../../shared/protocol';

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

/** URL of the data folder (public/data/), resolved against the page so any base path works. */
export function dataUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}data/`, window.location.href).href;
}

/** The training worker: it starts loading the data set from `url` at once (its name carries the URL). */
function createWorker(url: string): Worker {
  return new Worker(new URL('../../worker/trainer.worker.ts', import.meta.url), { type: 'module', name: trainerWorkerName(url) });
}

/** A worker started before the UI, and what it said before the UI took it over. */
let early: { url: string; worker: Worker; heard: MessageEvent<WorkerEvent>[]; errors: ErrorEvent[] } | null = null;

/**
 * Starts the training worker before the UI's code is even evaluated (main.tsx calls it first), so
 * the data set downloads while the page mounts. The first startTrainer for the same data folder
 * takes it over, with everything it said meanwhile.
 */
export function startTrainerEarly(url: string): void {
  const worker = createWorker(url);
  const started = { url, worker, heard: [] as MessageEvent<WorkerEvent>[], errors: [] as ErrorEvent[] };
  worker.onmessage = (message: MessageEvent<WorkerEvent>) => started.heard.push(message);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    started.errors.push(event);
  };
  early = started;
}

/**
 * Starts the training worker (or takes over the one started early for the same data folder);
 * events go to `onEvent`, a crash or a silent worker to `onFault` (once). `unresponsiveMs`
 * replaces UNRESPONSIVE_MS (the end-to-end tests' `testWatchdog`, so a silent worker is given up
 * on in seconds rather than in the 15 a real page allows).
 */
export function startTrainer(
  dataUrl: string,
  onEvent: (event: WorkerEvent) => void,
  onFault: (fault: Saying) => void,
  unresponsiveMs = UNRESPONSIVE_MS,
): TrainerClient {
  const adopted = early?.url === dataUrl ? early : null;
  early = null;
  const worker = adopted?.worker ?? createWorker(dataUrl);
  let heard = false;
  let silentBeats = 0;
  let faulted = false;
  let limitMs = unresponsiveMs;
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
  const onMessage = (message: MessageEvent<WorkerEvent>) => {
    heard = true;
    const event = message.data;
    // The first batch (warm-up) is the slowest; the steady ones are timed since.
    if (event.type === 'batchEnded') limitMs = Math.max(limitMs, BATCHES_OF_SILENCE * event.progress.warmupMs);
    if (!faulted) onEvent(event);
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    fault(`The training worker crashed${event.message ? ` (${event.message})` : ''}`, 'workerCrashed', event.message);
  };
  worker.onmessageerror = () => fault('A message from the training worker could not be read', 'workerUnreadable');
  worker.onmessage = onMessage;
  worker.onerror = onError;
  // What the early worker said before this client existed, in order.
  for (const message of adopted?.heard ?? []) onMessage(message);
  for (const error of adopted?.errors ?? []) onError(error);
  return {
    send: (command, transfer = []) => worker.postMessage(command, transfer),
    terminate: () => {
      faulted = true;
      clearInterval(heartbeat);
      worker.terminate();
    },
  };
}

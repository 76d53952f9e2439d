/**
 * UI side of the worker: typed `send`, one subscription point, `terminate`. A worker that fails
 * to start, crashes, or posts something that cannot be deserialized becomes a `failed` event, so
 * the UI has one path for every error.
 */
import type { WorkerCommand, WorkerEvent } from './protocol';

export interface TrainerClient {
  send(command: WorkerCommand): void;
  terminate(): void;
}

/** Starts the training worker and forwards its events to `onEvent`. */
export function startTrainer(onEvent: (event: WorkerEvent) => void): TrainerClient {
  const worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
  worker.onmessage = (message: MessageEvent<WorkerEvent>) => onEvent(message.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    onEvent({ type: 'failed', error: { kind: 'worker', message: event.message || 'the training worker failed to start or crashed' } });
  };
  worker.onmessageerror = () => {
    onEvent({ type: 'failed', error: { kind: 'worker', message: 'a message from the training worker could not be read' } });
  };
  return {
    send: (command) => worker.postMessage(command),
    terminate: () => worker.terminate(),
  };
}

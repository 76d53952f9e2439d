/// <reference lib="webworker" />
/**
 * Entry of the training worker: wires `self` to the session logic in trainer.ts.
 */
import { decodeGrayPngInBrowser } from '../data/browserPng';
import { selectBackend } from './backends';
import { openModelStore } from '../model/modelStore';
import { createTrainerSession } from './trainer';
import type { WorkerCommand } from '../shared/protocol';

declare const self: DedicatedWorkerGlobalScope;

const trainer = createTrainerSession((event, transfer = []) => self.postMessage(event, transfer), {
  io: { fetch: (input, init) => fetch(input, init), decodeGrayPng: decodeGrayPngInBrowser },
  selectBackend: (choice, avoid) => selectBackend(choice, avoid),
  store: openModelStore(),
});

self.onmessage = (message: MessageEvent<WorkerCommand>) => {
  void trainer.handle(message.data);
};

/// <reference lib="webworker" />
/**
 * Entry of the training worker: wires `self` to the session logic in trainer.ts.
 */
import { decodeGrayPngInBrowser } from '../data/browserPng';
// The engine's .wasm is served by Vite (dev and build) and precached for offline use, like tfjs's.
import engineUrl from '../engine/lenet5.wasm?url';
import { compileEngine } from '../engine/engine';
import { selectBackend } from './backends';
import { openModelStore } from '../model/modelStore';
import { createTrainerSession } from './trainer';
import type { WorkerCommand } from '../shared/protocol';

declare const self: DedicatedWorkerGlobalScope;

const trainer = createTrainerSession((event, transfer = []) => self.postMessage(event, transfer), {
  io: { fetch: (input, init) => fetch(input, init), decodeGrayPng: decodeGrayPngInBrowser },
  selectBackend: (choice, avoid, engine) => selectBackend(choice, avoid, undefined, engine),
  engineModule: () => compileEngine(new URL(engineUrl, self.location.href)),
  store: openModelStore(),
});

self.onmessage = (message: MessageEvent<WorkerCommand>) => {
  void trainer.handle(message.data);
};

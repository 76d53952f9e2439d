/**
 * The worker's heavy half: tfjs, the backends, the engine, the saved-model store and the session.
 * trainer.worker.ts imports it dynamically, so the data set downloads and decodes meanwhile.
 */
// The engine's .wasm is served by Vite (dev and build) and precached for offline use, like tfjs's.
import engineUrl from '../engine/lenet5.wasm?url';
import { compileEngine } from '../engine/engine';
import { openModelStore } from '../model/modelStore';
import { selectBackend } from './backends';
import type { Dataset } from './dataset';
import { createTrainerSession, type Post, type TrainerSession } from './trainer';

export function startSession(post: Post, dataset: Dataset): TrainerSession {
  return createTrainerSession(post, {
    dataset,
    selectBackend: (choice, avoid, engine) => selectBackend(choice, avoid, undefined, engine),
    engineModule: () => compileEngine(new URL(engineUrl, self.location.href)),
    store: openModelStore(),
  });
}

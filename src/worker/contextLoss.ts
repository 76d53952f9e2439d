/**
 * WebGL context loss, noticed. When the GPU context goes (driver reset, GPU process crash, too
 * many contexts), tfjs keeps running on textures that no longer exist: training goes on "on
 * garbage" or a read never resolves (tfjs issue 756). The training loop races every wait against
 * the context's `webglcontextlost` event and checks `isContextLost()` between batches, so a loss
 * ends the run with a clear cause instead of a hang.
 */
import * as tf from '@tensorflow/tfjs';

export class BackendLostError extends Error {
  override readonly name = 'BackendLostError';
}

export interface BackendWatch {
  /** True once the context is lost (checked synchronously between batches). */
  lost(): boolean;
  /** Resolves like `promise`, or rejects with BackendLostError as soon as the context is lost. */
  race<T>(promise: Promise<T>): Promise<T>;
}

/** The WebGL context tfjs renders with, when the backend in use is WebGL. */
function backendContext(): WebGL2RenderingContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  return backend.gpgpu?.gl ?? null;
}

const LOST_MESSAGE = 'the WebGL context was lost (the GPU was reset or reclaimed by the browser)';

const NEVER_LOST: BackendWatch = { lost: () => false, race: (promise) => promise };

/** Watches the current backend; a no-op for backends without a GPU context. */
export function watchBackend(): BackendWatch {
  const gl = backendContext();
  if (!gl) return NEVER_LOST;
  let lost = gl.isContextLost();
  let reject: (error: Error) => void = () => {};
  const whenLost = new Promise<never>((_, r) => (reject = r));
  whenLost.catch(() => {}); // rejected even when nothing is waiting on it
  const onLost = () => {
    lost = true;
    reject(new BackendLostError(LOST_MESSAGE));
  };
  if (lost) onLost();
  (gl as unknown as { canvas: EventTarget }).canvas.addEventListener('webglcontextlost', onLost, { once: true });
  return {
    lost: () => lost || gl.isContextLost(),
    race: (promise) => Promise.race([promise, whenLost]),
  };
}

/** Checks after a failure: was it the context going away? */
export function backendContextLost(): boolean {
  return backendContext()?.isContextLost() ?? false;
}

export { LOST_MESSAGE as CONTEXT_LOST_MESSAGE };

/** Test fault: loses the backend's context the way a GPU reset would (WEBGL_lose_context). */
export function loseBackendContext(): boolean {
  const extension = backendContext()?.getExtension('WEBGL_lose_context');
  extension?.loseContext();
  return extension != null;
}

/**
 * Chooses and starts the tfjs backend in the worker. `auto` prefers WebGL only where a GPU renders
 * it: on machines without one, Chromium renders WebGL in software (SwiftShader) at about 200
 * images/s, while WASM with SIMD trains LeNet-5 at about 1,800. The fallback order is WebGL ->
 * WASM -> CPU, and the badge says which backend runs and why.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The .wasm binaries are served by Vite (dev and build) from these URLs, never from a CDN.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../model/wasmKernels';
import type { BackendInfo, BackendName, BackendWhy } from '../shared/protocol';
import type { BackendChoice } from '../shared/settings';

/** What the worker can learn about WebGL without starting tfjs on it. */
export interface WebGlProbe {
  available: boolean;
  /** False for software renderers such as SwiftShader or llvmpipe. */
  hardware: boolean;
  renderer: string;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i;

/** Probes WebGL 2 on an OffscreenCanvas: is there one, and does a GPU render it? */
export function probeWebGl(): WebGlProbe {
  if (typeof OffscreenCanvas === 'undefined') return { available: false, hardware: false, renderer: 'no OffscreenCanvas' };
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return { available: false, hardware: false, renderer: 'no WebGL 2' };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  // A context that must not carry a major performance caveat is refused where rendering is in software.
  const strict = new OffscreenCanvas(1, 1).getContext('webgl2', { failIfMajorPerformanceCaveat: true });
  strict?.getExtension('WEBGL_lose_context')?.loseContext();
  return { available: true, hardware: strict !== null && !SOFTWARE_RENDERER.test(renderer), renderer };
}

let wasmConfigured = false;

/** Points the WASM backend at Vite's URLs, without threads, and adds the kernels training needs. */
function configureWasm(): void {
  if (wasmConfigured) return;
  wasmConfigured = true;
  // Threads need cross-origin isolation, break when the worker bundle is minified ("e is not
  // defined") and gain nothing on 2 cores: the single-threaded SIMD build is used.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  registerWasmTrainingKernels();
}

async function start(name: BackendName): Promise<boolean> {
  if (name === 'wasm') configureWasm();
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

const LOST_REASON = 'the WebGL context was lost earlier on this page';

const LABELS: Record<BackendName, string> = { webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/**
 * Starts the backend the user chose, or the best one for `auto`, falling back WebGL -> WASM -> CPU,
 * never one of `avoid` (a backend this page lost: a WebGL context that went away).
 */
export async function selectBackend(
  choice: BackendChoice,
  avoid: readonly BackendName[] = [],
  probe: () => WebGlProbe = probeWebGl,
): Promise<BackendInfo> {
  const reasons: string[] = [];
  const why: BackendWhy[] = [];
  let candidates: BackendName[];
  if (choice === 'auto' && avoid.includes('webgl')) {
    reasons.push(LOST_REASON);
    why.push({ code: 'lost', detail: '' });
    candidates = ['wasm', 'cpu'];
  } else if (choice === 'auto') {
    const webgl = probe();
    if (webgl.hardware) candidates = ['webgl', 'wasm', 'cpu'];
    else {
      reasons.push(
        webgl.available
          ? `WebGL is software-rendered here: ${shortRenderer(webgl.renderer)}`
          : `WebGL is not available here: ${webgl.renderer}`,
      );
      why.push(
        webgl.available ? { code: 'software', detail: shortRenderer(webgl.renderer) } : { code: 'unavailable', detail: webgl.renderer },
      );
      candidates = ['wasm', 'cpu'];
    }
  } else {
    candidates = (['webgl', 'wasm', 'cpu'] as const).slice(['webgl', 'wasm', 'cpu'].indexOf(choice));
    if (candidates.some((name) => avoid.includes(name))) {
      reasons.push(LOST_REASON);
      why.push({ code: 'lost', detail: '' });
    }
  }
  candidates = candidates.filter((name) => !avoid.includes(name));
  for (const name of candidates) {
    if (tf.getBackend() === name || (await start(name))) {
      if (reasons.length === 0) {
        reasons.push(
          choice === 'auto' ? `auto: ${name === 'webgl' ? 'WebGL runs on a GPU here' : 'fastest available'}` : 'chosen in the settings',
        );
        why.push({ code: choice === 'auto' ? (name === 'webgl' ? 'gpu' : 'fastest') : 'chosen', detail: '' });
      }
      return { name, reason: reasons.join('; '), why };
    }
    reasons.push(`${LABELS[name]} could not start`);
    why.push({ code: 'failed', detail: LABELS[name] });
  }
  throw new Error(`no tfjs backend could start (${reasons.join('; ')})`);
}

function shortRenderer(renderer: string): string {
  const match = SOFTWARE_RENDERER.exec(renderer);
  return match ? match[0] : renderer;
}

/**
 * Chooses what trains in the worker and starts the tfjs backend. `auto` trains on the LeNet Lab
 * engine (src/engine) where WebAssembly SIMD runs, unless a GPU renders WebGL and tfjs WebGL
 * measures faster there; on machines without a GPU, Chromium renders WebGL in software
 * (SwiftShader) at about 200 images/s. tfjs's fallback order is WebGL -> WASM -> CPU, and the
 * badge says what runs and why, with the measured rates.
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

/** What selectBackend needs to consider the LeNet Lab engine: whether it can run, and how to time it. */
export interface EngineCandidate {
  /** WebAssembly SIMD is there (false also where a test pretends it is not). */
  simd: boolean;
  /** Times the engine for a few batches: images a second. */
  measureEngine: () => Promise<number>;
  /** Times tfjs on the started WebGL backend for a few batches: images a second. */
  measureWebGl: () => Promise<number>;
}

/**
 * Starts what trains and the tfjs backend under the model. `auto` and `engine` train on the LeNet
 * Lab engine where WebAssembly SIMD runs; `auto` first times it against tfjs WebGL where a GPU
 * renders WebGL and keeps the faster (the badge shows both rates). Without SIMD, or for an explicit
 * tfjs backend, tfjs trains: WebGL -> WASM -> CPU, never one of `avoid`.
 */
export async function selectBackend(
  choice: BackendChoice,
  avoid: readonly BackendName[] = [],
  probe: () => WebGlProbe = probeWebGl,
  engine: EngineCandidate | null = null,
): Promise<BackendInfo> {
  if ((choice === 'auto' || choice === 'engine') && engine !== null) {
    if (engine.simd) return selectEngine(choice, avoid, probe, engine);
    const fallback = await selectTfjs('auto', avoid, probe);
    return {
      ...fallback,
      reason: `WebAssembly SIMD is not available here; ${fallback.reason}`,
      why: [{ code: 'noSimd', detail: '' }, ...(fallback.why ?? [])],
    };
  }
  return selectTfjs(choice === 'engine' ? 'auto' : choice, avoid, probe);
}

async function selectEngine(
  choice: 'auto' | 'engine',
  avoid: readonly BackendName[],
  probe: () => WebGlProbe,
  engine: EngineCandidate,
): Promise<BackendInfo> {
  const engineRate = await engine.measureEngine();
  const rates: { engine: number; webgl?: number } = { engine: engineRate };
  if (choice === 'auto' && !avoid.includes('webgl') && probe().hardware && (await start('webgl'))) {
    rates.webgl = await engine.measureWebGl();
    if (rates.webgl > engineRate) {
      return { name: 'webgl', trainer: 'tfjs', rates, reason: 'auto: measured the fastest here', why: [{ code: 'measured', detail: '' }] };
    }
  }
  // The model in use outside training (evaluation of uploads, the Inside views) runs on tfjs WASM.
  for (const name of (['wasm', 'cpu'] as const).filter((n) => !avoid.includes(n))) {
    if (tf.getBackend() === name || (await start(name))) {
      const why: BackendWhy =
        choice === 'auto' ? { code: rates.webgl === undefined ? 'fastest' : 'measured', detail: '' } : { code: 'chosen', detail: '' };
      const reason =
        choice === 'auto'
          ? rates.webgl === undefined
            ? 'auto: fastest available'
            : 'auto: measured the fastest here'
          : 'chosen in the settings';
      return { name, trainer: 'engine', rates, reason, why: [why] };
    }
  }
  throw new Error('no tfjs backend could start beside the engine');
}

/** tfjs trains on the backend the user chose, or the best one for `auto`, falling back WebGL -> WASM -> CPU. */
async function selectTfjs(
  choice: Exclude<BackendChoice, 'engine'>,
  avoid: readonly BackendName[],
  probe: () => WebGlProbe,
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
      return { name, trainer: 'tfjs', reason: reasons.join('; '), why };
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

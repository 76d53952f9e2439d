/**
 * Backend choice: `auto` trains on the LeNet Lab engine where WebAssembly SIMD runs (timing it,
 * and tfjs WebGL where a GPU renders it), skips WebGL where it is software-rendered, and a backend
 * that cannot start falls back in the order WebGL -> WASM -> CPU with the reason on the badge. Node has no WebGL; the
 * WASM binaries' `?url` imports are pointed at the files in node_modules, as Vite serves them.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src/worker/backends';

const { wasmFile } = vi.hoisted(() => ({
  wasmFile: (name: string) => ({ default: join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), name) }),
}));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url', () => wasmFile('tfjs-backend-wasm.wasm'));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url', () => wasmFile('tfjs-backend-wasm-simd.wasm'));
vi.mock('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url', () =>
  wasmFile('tfjs-backend-wasm-threaded-simd.wasm'),
);

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('selectBackend', () => {
  it('auto: names the software renderer as the reason not to use WebGL', async () => {
    const info = await selectBackend('auto', [], () => ({
      available: true,
      hardware: false,
      renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
    }));
    expect(info).toEqual({
      name: 'wasm',
      trainer: 'tfjs',
      reason: 'WebGL is software-rendered here: SwiftShader',
      why: [{ code: 'software', detail: 'SwiftShader' }],
    });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto: says when there is no WebGL at all', async () => {
    const info = await selectBackend('auto', [], () => ({ available: false, hardware: false, renderer: 'no WebGL 2' }));
    expect(info).toMatchObject({
      name: 'wasm',
      trainer: 'tfjs',
      reason: 'WebGL is not available here: no WebGL 2',
      why: [{ code: 'unavailable' }],
    });
  });

  it('an explicit choice that cannot start falls back, saying so', async () => {
    const info = await selectBackend('webgl');
    expect(info).toEqual({ name: 'wasm', trainer: 'tfjs', reason: 'WebGL could not start', why: [{ code: 'failed', detail: 'WebGL' }] });
    expect(await selectBackend('cpu')).toEqual({
      name: 'cpu',
      trainer: 'tfjs',
      reason: 'chosen in the settings',
      why: [{ code: 'chosen', detail: '' }],
    });
  });

  it('never starts a backend the page lost, even where a GPU would make auto pick it', async () => {
    const gpu = () => ({ available: true, hardware: true, renderer: 'NVIDIA H100' });
    expect(await selectBackend('auto', ['webgl'], gpu)).toEqual({
      name: 'wasm',
      trainer: 'tfjs',
      reason: 'the WebGL context was lost earlier on this page',
      why: [{ code: 'lost', detail: '' }],
    });
    expect((await selectBackend('webgl', ['webgl'], gpu)).name).toBe('wasm');
  });

  const software = () => ({ available: true, hardware: false, renderer: 'SwiftShader' });
  const engine = (simd: boolean) => ({
    simd,
    measureEngine: vi.fn(async () => 12_345),
    measureWebGl: vi.fn(async () => 999),
  });

  it('auto and engine: the engine trains where WebAssembly SIMD runs, timed for the badge; tfjs WASM runs the model beside it', async () => {
    const candidate = engine(true);
    expect(await selectBackend('auto', [], software, candidate)).toEqual({
      name: 'wasm',
      trainer: 'engine',
      rates: { engine: 12_345 },
      reason: 'auto: fastest available',
      why: [{ code: 'fastest', detail: '' }],
    });
    // No GPU: nothing to time it against.
    expect(candidate.measureWebGl).not.toHaveBeenCalled();
    expect(await selectBackend('engine', [], software, engine(true))).toMatchObject({
      name: 'wasm',
      trainer: 'engine',
      why: [{ code: 'chosen', detail: '' }],
    });
    // An explicit tfjs backend is tfjs, engine or not.
    expect(await selectBackend('cpu', [], software, engine(true))).toMatchObject({ name: 'cpu', trainer: 'tfjs' });
  });

  it('without WebAssembly SIMD, tfjs trains and the badge says why', async () => {
    for (const choice of ['auto', 'engine'] as const) {
      const info = await selectBackend(choice, [], software, engine(false));
      expect(info).toMatchObject({ name: 'wasm', trainer: 'tfjs', why: [{ code: 'noSimd' }, { code: 'software' }] });
      expect(info.reason).toMatch(/^WebAssembly SIMD is not available here/);
    }
  });
});

/**
 * Backend choice: `auto` skips WebGL where it is software-rendered, and a backend that cannot start
 * falls back in the order WebGL -> WASM -> CPU with the reason on the badge. Node has no WebGL; the
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
      reason: 'WebGL is software-rendered here: SwiftShader',
      why: [{ code: 'software', detail: 'SwiftShader' }],
    });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('auto: says when there is no WebGL at all', async () => {
    const info = await selectBackend('auto', [], () => ({ available: false, hardware: false, renderer: 'no WebGL 2' }));
    expect(info).toMatchObject({ name: 'wasm', reason: 'WebGL is not available here: no WebGL 2', why: [{ code: 'unavailable' }] });
  });

  it('an explicit choice that cannot start falls back, saying so', async () => {
    const info = await selectBackend('webgl');
    expect(info).toEqual({ name: 'wasm', reason: 'WebGL could not start', why: [{ code: 'failed', detail: 'WebGL' }] });
    expect(await selectBackend('cpu')).toEqual({ name: 'cpu', reason: 'chosen in the settings', why: [{ code: 'chosen', detail: '' }] });
  });

  it('never starts a backend the page lost, even where a GPU would make auto pick it', async () => {
    const gpu = () => ({ available: true, hardware: true, renderer: 'NVIDIA H100' });
    expect(await selectBackend('auto', ['webgl'], gpu)).toEqual({
      name: 'wasm',
      reason: 'the WebGL context was lost earlier on this page',
      why: [{ code: 'lost', detail: '' }],
    });
    expect((await selectBackend('webgl', ['webgl'], gpu)).name).toBe('wasm');
  });
});

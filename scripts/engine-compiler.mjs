// @ts-check
/** Compiles the engine's AssemblyScript in memory (shared by the build script and the staleness test). */
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';

export const ENGINE_SOURCE = 'src/engine/assembly/lenet5.ts';
export const ENGINE_WASM = 'src/engine/lenet5.wasm';

/**
 * Plain SIMD only (no relaxed SIMD: its results may differ between CPUs); the stub runtime (the
 * engine allocates its memory once, by hand); no asserts in the hot loops.
 */
export const ENGINE_FLAGS = ['--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert'];

/** @returns {Promise<Buffer>} the module's bytes */
export async function compileEngine() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  /** @type {Uint8Array | undefined} */
  let binary;
  /** @type {string[]} */
  const errors = [];
  const { error, stderr } = await asc.main([`${root}${ENGINE_SOURCE}`, '--outFile', 'lenet5.wasm', ...ENGINE_FLAGS], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = /** @type {Uint8Array} */ (contents);
    },
    stderr: { write: (/** @type {string} */ text) => (errors.push(text), true) },
  });
  if (error || !binary) throw new Error(`the engine did not compile: ${error?.message ?? ''}\n${errors.join('')}${stderr}`);
  return Buffer.from(binary);
}

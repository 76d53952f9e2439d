/**
 * The checked-in engine is its source compiled: a change to src/engine/assembly/ without
 * `npm run build:engine` fails here (the compiler is pinned, and its output is deterministic).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileEngine, ENGINE_WASM } from '../../scripts/engine-compiler.mjs';

describe('the engine build', () => {
  it('src/engine/lenet5.wasm is what the source compiles to', async () => {
    const fresh = await compileEngine();
    const checkedIn = readFileSync(new URL(`../../${ENGINE_WASM}`, import.meta.url));
    expect(checkedIn.equals(fresh), `${ENGINE_WASM} is stale: run npm run build:engine`).toBe(true);
  });
});

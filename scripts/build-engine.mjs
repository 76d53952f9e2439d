#!/usr/bin/env node
// @ts-check
/**
 * Builds the LeNet Lab engine: src/engine/assembly/ (entry lenet5.ts) -> src/engine/lenet5.wasm, with the
 * AssemblyScript compiler pinned in package.json. The .wasm is checked in (so an install needs no
 * compiler run); tests/unit/engine.build.test.ts rebuilds it in memory and fails if the checked-in
 * one is stale.
 *
 *   npm run build:engine        writes src/engine/lenet5.wasm
 *   npm run build:engine -- --check   exits 1 if it differs from a fresh build
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileEngine, ENGINE_WASM } from './engine-compiler.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const wasm = await compileEngine();
const target = `${root}${ENGINE_WASM}`;
if (process.argv.includes('--check')) {
  const current = readFileSync(target);
  if (!current.equals(wasm)) {
    console.error(`${ENGINE_WASM} is stale: run npm run build:engine after changing src/engine/assembly/`);
    process.exit(1);
  }
  console.log(`${ENGINE_WASM} is up to date (${wasm.length} bytes)`);
} else {
  writeFileSync(target, wasm);
  console.log(`wrote ${ENGINE_WASM} (${wasm.length} bytes)`);
}

/**
 * Where one training step's time goes on the wasm backend, in Node: wall time per step for both
 * presets, then tf.profile's time per kernel (our JS kernels count as one kernel each, whatever
 * backend kernels they call). Run: `npm run profile:wasm` (PROFILE_BATCH, PROFILE_STEPS, PROFILE_WITHOUT to change).
 */
import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { buildLeNet5, type ModelPreset } from '../../src/model/lenet5';
import { createOptimizer, trainStep } from '../../src/model/training';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../../src/model/wasmKernels';
import { useWasm } from '../unit/fixtures';

const BATCH = Number(process.env.PROFILE_BATCH ?? 64);
const STEPS = Number(process.env.PROFILE_STEPS ?? 30);
/** Kernels of ours to leave out (the stock ones run instead), e.g. PROFILE_WITHOUT=Tanh,LeNetLabFusedAdam. */
const WITHOUT = (process.env.PROFILE_WITHOUT ?? '').split(',').filter(Boolean);

function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  let state = seed;
  const pixels = Float32Array.from({ length: BATCH * 784 }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) / 255);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + seed) % 10);
  return { x: tf.tensor4d(pixels, [BATCH, 28, 28, 1]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D };
}

async function profile(preset: ModelPreset): Promise<void> {
  const model = buildLeNet5({ preset, activation: 'tanh', seed: 1 });
  const optimizer = createOptimizer('adam', 0.001);
  const { x, y } = batch(3);
  const step = () => {
    const { loss, correct } = trainStep(model, optimizer, x, y);
    loss.dataSync();
    loss.dispose();
    correct.dispose();
  };
  for (let i = 0; i < 5; i++) step();
  const start = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const stepMs = (performance.now() - start) / STEPS;

  const totals = new Map<string, { ms: number; calls: number }>();
  const profiled = 5;
  for (let i = 0; i < profiled; i++) {
    const info = await tf.profile(step);
    for (const kernel of info.kernels) {
      const ms = await kernel.kernelTimeMs;
      if (kernel.name.endsWith('__op')) continue; // op scopes of customGrad, which hold the kernels listed apart
      const key = /Conv|MatMul|Pool|Tanh/.test(kernel.name) ? `${kernel.name} ${JSON.stringify(kernel.inputShapes)}` : kernel.name;
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += typeof ms === 'number' ? ms : 0;
      entry.calls++;
      totals.set(key, entry);
    }
  }
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0) / profiled;
  const lines = rows
    .slice(0, 25)
    .map(([name, v]) => `${(v.ms / profiled).toFixed(2).padStart(7)} ms ${String(v.calls / profiled).padStart(4)}x  ${name}`);
  console.info(
    `${preset}, batch ${BATCH}: ${stepMs.toFixed(2)} ms/step = ${Math.round((BATCH * 1000) / stepMs)} images/s; ` +
      `kernels ${kernelMs.toFixed(2)} ms/step (${rows.length} kinds)\n${lines.join('\n')}`,
  );
  x.dispose();
  y.dispose();
  optimizer.dispose();
  model.dispose();
}

it('profiles a training step on wasm', async () => {
  await useWasm();
  registerWasmTrainingKernels(WASM_TRAINING_KERNELS.filter((name) => !WITHOUT.includes(name)));
  if (WITHOUT.length > 0) console.info(`without our ${WITHOUT.join(', ')}`);
  for (const preset of ['lenet5', 'lenet5-classic'] as const) await profile(preset);
});

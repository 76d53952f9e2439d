/**
 * The drawing path on real handwriting that is not MNIST: trains LeNet-5 on the real MNIST files
 * (WASM, in Node), then reads the 1,200 UJI pen digits in tests/fixtures (each scaled to
 * 40-90% and moved inside the 280x280 canvas, seeded) through preprocessStrokes, for several pen
 * widths and both centrings, and prints overall and per-class accuracy. It chose PEN_WIDTH_PX28.
 * Run: `npm run profile:handwriting` (HANDWRITING_PEN_WIDTHS=1.6,2.2 HANDWRITING_EPOCHS=2
 * HANDWRITING_ACTIVATION=relu HANDWRITING_LEARNING_RATE=0.003
 * HANDWRITING_SEED=1 HANDWRITING_FILE=... to change).
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CENTRING, PEN_WIDTH_PX28, preprocessStrokes, type Centring, type Stroke } from '../../src/data/drawing';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../../src/data/mnist';
import { loadMnist } from '../../src/data/mnistLoader';
import { mulberry32, shuffleInPlace } from '../../src/data/random';
import { buildLeNet5, type Activation } from '../../src/model/lenet5';
import { batchTensors, createBatchBuffers, createOptimizer, evaluate, perClassAccuracy, trainStep } from '../../src/model/training';
import { BASE_URL, realDataIO, useWasm } from '../unit/fixtures';

const FILE = process.env.HANDWRITING_FILE ?? fileURLToPath(new URL('../fixtures/uji-digits-canvas280.json', import.meta.url));
const PEN_WIDTHS = (process.env.HANDWRITING_PEN_WIDTHS ?? '1.4,1.6,1.8,2.0,2.2,2.4,2.6,2.8,3.0,3.4').split(',').map(Number);
const EPOCHS = Number(process.env.HANDWRITING_EPOCHS ?? 2);
const ACTIVATION = (process.env.HANDWRITING_ACTIVATION ?? 'relu') as Activation;
const LEARNING_RATE = Number(process.env.HANDWRITING_LEARNING_RATE ?? 0.003);
const SEED = Number(process.env.HANDWRITING_SEED ?? 1);
const BATCH = 64;
const CANVAS = 280;

interface HandwrittenDigit {
  label: number;
  strokes: Stroke[];
  writer: string;
}

/** The digit scaled to `scale` of its size about its box centre, then moved so its box lies at a random place inside the canvas. */
function jitter(strokes: Stroke[], random: () => number): Stroke[] {
  const xs = strokes.flat().map(([x]) => x);
  const ys = strokes.flat().map(([, y]) => y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = 0.4 + 0.5 * random();
  const width = (maxX - minX) * scale;
  const height = (maxY - minY) * scale;
  const left = random() * (CANVAS - width);
  const top = random() * (CANVAS - height);
  return strokes.map((stroke) => stroke.map(([x, y]): [number, number] => [left + (x - minX) * scale, top + (y - minY) * scale]));
}

async function trainModel(): Promise<tf.Sequential> {
  const data = await loadMnist(realDataIO(), { baseUrl: BASE_URL });
  const model = buildLeNet5({ preset: 'lenet5', activation: ACTIVATION, seed: SEED });
  const optimizer = createOptimizer('adam', LEARNING_RATE);
  const buffers = createBatchBuffers(BATCH);
  const random = mulberry32(SEED);
  const order = Int32Array.from({ length: data.train.count }, (_, i) => i);
  const started = performance.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < data.train.count; start += BATCH) {
      const n = Math.min(BATCH, data.train.count - start);
      const { x, y } = batchTensors(data.train.images, data.train.labels, order, start, n, buffers);
      const { loss, correct } = trainStep(model, optimizer, x, y);
      if (start % (BATCH * 200) === 0) await loss.data();
      tf.dispose([x, y, loss, correct]);
    }
  }
  optimizer.dispose();
  const test = await evaluate(model, data.test.images, data.test.labels, 0, data.test.count);
  console.info(
    `MNIST: ${EPOCHS} epochs x 60,000, batch ${BATCH}, Adam ${LEARNING_RATE}, ${ACTIVATION}, seed ${SEED}, WASM: ` +
      `test accuracy ${(test.accuracy * 100).toFixed(2)}% in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  expect(test.accuracy).toBeGreaterThanOrEqual(0.98);
  return model;
}

const percent = (v: number) => `${(v * 100).toFixed(1)}%`.padStart(6);

it('reads real handwriting (UJI pen digits) through preprocessStrokes', async () => {
  await useWasm();
  const model = await trainModel();
  const digits = JSON.parse(readFileSync(FILE, 'utf8')) as HandwrittenDigit[];
  const random = mulberry32(2024);
  const drawn = digits.map((d) => jitter(d.strokes, random));
  const labels = Uint8Array.from(digits, (d) => d.label);
  // Sessions 0-59 and 60-119, to see that a setting's score is not one half's luck.
  const session = digits.map((d) => Number(/(\d+)$/.exec(d.writer)?.[1] ?? 0));

  const header = `pen   centring  overall  s0-59  s60-119 | ${Array.from({ length: NUM_CLASSES }, (_, c) => `   ${c}  `).join('')}`;
  const lines = [header];
  let best = { accuracy: 0, label: '' };
  for (const centring of ['integer', 'subpixel'] as Centring[]) {
    for (const penWidth of PEN_WIDTHS) {
      const images = new Float32Array(digits.length * PIXELS_PER_IMAGE);
      drawn.forEach((strokes, i) => images.set(preprocessStrokes(strokes, { penWidth, centring })!.pixels, i * PIXELS_PER_IMAGE));
      const result = await evaluate(model, images, labels, 0, digits.length);
      const half = (inFirst: boolean) => {
        const picked = digits.map((_, i) => i).filter((i) => session[i]! < 60 === inFirst);
        return picked.filter((i) => result.predictions[i] === labels[i]).length / picked.length;
      };
      const perClass = perClassAccuracy(result.confusion);
      const label = `${penWidth.toFixed(1)}  ${centring.padEnd(8)}`;
      lines.push(
        `${label} ${percent(result.accuracy)}   ${percent(half(true))} ${percent(half(false))} | ${perClass.map(percent).join('')}`,
      );
      if (result.accuracy > best.accuracy) best = { accuracy: result.accuracy, label };
      if (penWidth === PEN_WIDTH_PX28 && centring === CENTRING) {
        const mistakes = result.confusion
          .flatMap((row, truth) => row.map((count, guess) => ({ truth, guess, count })))
          .filter((m) => m.truth !== m.guess && m.count > 0)
          .sort((a, b) => b.count - a.count)
          .slice(0, 8);
        console.info(
          `defaults (pen ${PEN_WIDTH_PX28}, ${CENTRING}): commonest mistakes ${mistakes.map((m) => `${m.truth}->${m.guess} x${m.count}`).join(', ')}`,
        );
      }
    }
  }
  console.info(
    `UJI pen digits (${digits.length}), scaled 40-90% and moved on the ${CANVAS}x${CANVAS} canvas:\n${lines.join('\n')}\nbest: ${best.label.trim()} ${percent(best.accuracy).trim()}`,
  );
  model.dispose();
});

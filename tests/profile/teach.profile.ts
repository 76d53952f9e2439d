/**
 * "Teach it our handwriting" measured with the UJI pen digits standing in for a class (issue 17):
 * the worker's own session in Node (engine, real MNIST, IndexedDB from fake-indexeddb) uses the
 * committed Quick demo model (tests/fixtures/quick-demo-model, 98.64% on MNIST), imports writers
 * 0-19 as the class set (400 digits, as a class-digits file), teaches, and reports
 *   - the held-out class digits the page keeps out (about a quarter of the 400, by id),
 *   - 10 other writers the class set never saw (writers 50-59, 200 digits), read through `predict`,
 *   - MNIST's test set,
 * before and after. Run by `npx vitest run --config tests/profile/vitest.config.ts tests/profile/teach.profile.ts`;
 * knobs (environment): TEACH_RATES=0.0005,0.001 and TEACH_EPOCHS=1,2 (every pair is one teaching run),
 * TEACH_SHARES=0.05,0 (0: the control, the same teaching run without the class digits), TEACH_MODEL=fixture (the committed model) or tanh2 (trained here first: the seed's settings for 2
 * epochs, TEACH_SEEDS=1,2,3, no varied handwriting), TEACH_OUT=path.json writes the figures.
 */
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { classDigitId, classFileText, type ClassDigit } from '../../src/data/classDigits';
import { preprocessStrokes, type Stroke } from '../../src/data/drawing';
import { pixelsToBytes } from '../../src/data/sprite';
import { openModelStore } from '../../src/model/modelStore';
import type { WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import type { Checkpoint, LibraryStore } from '../../src/worker/library';
import type { ModelRecord, RunRecord } from '../../src/shared/protocol';
import { TEACHING } from '../../src/worker/teaching';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { createTrainerSession } from '../../src/worker/trainer';
import { BASE_URL, engineBackend, engineModule, realDataIO, useWasm } from '../unit/fixtures';
import { loadUjiDigits, place } from '../../scripts/uji-digits.mjs';

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const RATES = list('TEACH_RATES', String(TEACHING.learningRate));
const EPOCHS = list('TEACH_EPOCHS', String(TEACHING.epochs));
const FIXTURE = 'tests/fixtures/quick-demo-model/lenet-lab-model';
const MODEL = process.env.TEACH_MODEL ?? 'fixture';
/** 0: the control, the same run without the class digits (more MNIST training only). */
const SHARES = list('TEACH_SHARES', String(TEACHING.share));
/** The tanh2 model's seeds (its weights and shuffles; the teaching run's is one more). */
const SEEDS = list('TEACH_SEEDS', '1');

const uji = loadUjiDigits();
const writerOf = (d: { writer: string }) => Math.floor(Number(/(\d+)$/.exec(d.writer)![1]) / 2);
const placed: Stroke[][] = loadUjiDigits().map((d, n) => place(d, n));
const CLASS_WRITERS = (w: number) => w < 20;
const OTHER_WRITERS = (w: number) => w >= 50;

function classFile(): string {
  const digits: ClassDigit[] = [];
  uji.forEach((d, n) => {
    if (!CLASS_WRITERS(writerOf(d))) return;
    const strokes = placed[n]!;
    const input = preprocessStrokes(strokes)!;
    digits.push({
      id: classDigitId(d.label, strokes),
      label: d.label,
      strokes,
      bytes: pixelsToBytes(input.pixels),
      addedAt: new Date(1e12 + n).toISOString(),
    });
  });
  return classFileText(digits, new Date().toISOString());
}

const pct = (correct: number, count: number) => (count > 0 ? `${((100 * correct) / count).toFixed(1)}%` : '-');

it('teaches a model UJI writers 0-19 and measures writers 50-59', { timeout: 3_600_000 }, async () => {
  const text = classFile();
  const others = uji.map((d, n) => (OTHER_WRITERS(writerOf(d)) ? n : -1)).filter((n) => n >= 0);
  const rows: Record<string, unknown>[] = [];
  for (const rate of RATES) {
    for (const [epochs, share, seed] of EPOCHS.flatMap((e) => SHARES.flatMap((sh) => SEEDS.map((seed) => [e, sh, seed] as const)))) {
      Object.assign(TEACHING, { learningRate: rate, epochs, share });
      const events: WorkerEvent[] = [];
      const store: LibraryStore = openModelStore<ModelRecord, Checkpoint, RunRecord>({ factory: new IDBFactory() });
      const session = createTrainerSession((event) => events.push(event), {
        io: realDataIO(),
        selectBackend: process.env.TEACH_TRAINER === 'tfjs' ? useWasm : engineBackend,
        engineModule,
        store,
      });
      const send = (command: WorkerCommand) => session.handle(command);
      const last = <T extends WorkerEvent['type']>(type: T) =>
        events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type).at(-1);
      await send({ type: 'load', dataUrl: BASE_URL });
      const files = ['.json', '.weights.bin'].map((ext) => {
        const bytes = readFileSync(FIXTURE + ext);
        return {
          name: `lenet-lab-model${ext}`,
          bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        };
      });
      if (MODEL === 'fixture') await send({ type: 'uploadModel', files, backend: 'engine' });
      else
        await send({
          type: 'train',
          settings: { ...DEFAULT_SETTINGS, epochs: 2, seed, backend: process.env.TEACH_TRAINER === 'tfjs' ? 'wasm' : 'engine' },
        });
      await send({ type: 'importClassDigits', files: [{ name: 'uji-writers-0-19.json', text }] });
      const readOthers = async () => {
        let correct = 0;
        for (const n of others) {
          await send({ type: 'predict', requestId: n, strokes: placed[n]! });
          const p = last('predicted')!.reading.probabilities!;
          if (p.indexOf(Math.max(...p)) === uji[n]!.label) correct++;
        }
        return correct;
      };
      const othersBefore = await readOthers();
      const started = performance.now();
      await send({ type: 'teachClassDigits' });
      const seconds = (performance.now() - started) / 1000;
      const failed = last('failed');
      if (failed) throw new Error(JSON.stringify(failed.error));
      const result = last('taught')!.result;
      if (process.env.TEACH_VERBOSE) {
        for (const e of events.filter((e) => e.type === 'epochEnded')) console.log(JSON.stringify(e));
        const losses = events.flatMap((e) => (e.type === 'batchEnded' ? e.progress.losses : []));
        const firstBad = losses.findIndex(([, l], i) => i > 100 && !(l < 1.5));
        console.log('losses', losses.length, 'first bad', firstBad, JSON.stringify(losses.slice(Math.max(0, firstBad - 5), firstBad + 30)));
      }
      const othersAfter = await readOthers();
      const row = {
        model: MODEL,
        seed,
        share,
        rate,
        epochs,
        copies: result.copies,
        seconds: Math.round(seconds),
        heldOut: result.before.heldOut.count,
        heldOutBefore: result.before.heldOut.correct,
        heldOutAfter: result.after.heldOut.correct,
        taught: result.before.taught.count,
        taughtBefore: result.before.taught.correct,
        taughtAfter: result.after.taught.correct,
        others: others.length,
        othersBefore,
        othersAfter,
        mnistBefore: result.before.mnist,
        mnistAfter: result.after.mnist,
      };
      rows.push(row);
      console.log(
        `${MODEL}${MODEL === 'fixture' ? '' : ` seed ${seed}`}: share ${share} rate ${rate} epochs ${epochs} (${result.copies} copies, ${row.seconds} s): ` +
          `held-out class ${pct(row.heldOutBefore, row.heldOut)} -> ${pct(row.heldOutAfter, row.heldOut)} (${row.heldOut}); ` +
          `taught ${pct(row.taughtBefore, row.taught)} -> ${pct(row.taughtAfter, row.taught)} (${row.taught}); ` +
          `writers 50-59 ${pct(othersBefore, others.length)} -> ${pct(othersAfter, others.length)} (${others.length}); ` +
          `MNIST ${(100 * row.mnistBefore).toFixed(2)}% -> ${(100 * row.mnistAfter).toFixed(2)}%`,
      );
      store.close();
    }
  }
  if (process.env.TEACH_OUT) writeFileSync(process.env.TEACH_OUT, JSON.stringify(rows, null, 2));
});

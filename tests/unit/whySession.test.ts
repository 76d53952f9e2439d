/**
 * "Why did it say that?" and the run history in the worker's session (the engine trains, tfjs WASM
 * reads, in Node; real MNIST; IndexedDB from fake-indexeddb): evidence maps for the model in use,
 * a learning step on a copy (applied, kept, or refused once stale), and every finished run kept with
 * its curves and confusion matrix, one pinned, over a new session.
 */
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToPixels } from '../../src/data/sprite';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../src/shared/settings';
import { crossEntropyOf } from '../../src/shared/stepMath';
import type { LibraryStore } from '../../src/worker/library';
import { sharedRealData, useWasm } from './fixtures';
import { engineSession, expectFailed, newStore } from './session';

const data = sharedRealData();
const small: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 1, trainSize: 1000, batchSize: 50, backend: 'engine' };

/** A session as the page starts one, asking for its run history. */
const session = (store: LibraryStore | null) => engineSession(data, store, [{ type: 'listRuns' }]);

/** A test digit's 28x28 pixels, as the Inside panel receives them. */
async function testDigit(s: Awaited<ReturnType<typeof session>>, index: number) {
  await s.send({ type: 'inspectDigit', requestId: 1000 + index, split: 'test', index });
  const inspected = s.last('digitInspected')!;
  return { pixels: inspected.pixels, label: inspected.label };
}

beforeAll(async () => {
  await useWasm();
});

describe('the run history', () => {
  it('keeps every finished run with its settings, curves and confusion matrix; one pinned; over a new session; deleted', async () => {
    const factory = new IDBFactory();
    const first = await session(newStore(factory));
    expect(first.last('runsListed')!.runs).toEqual([]);
    await first.send({ type: 'train', settings: small });
    const [run] = first.last('runsListed')!.runs;
    expect(run!.settings).toEqual(small);
    expect(run!.trainer).toBe('engine');
    expect(run!.trainCount).toBe(800);
    expect(run!.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(run!.evaluation).toEqual(first.last('evaluated')!.evaluation);
    expect(run!.evaluation.confusion.flat().reduce((a, b) => a + b)).toBe(10_000);
    expect(run!.pinned).toBe(false);

    await first.send({ type: 'pinRun', id: run!.id });
    const relu = { ...small, activation: 'relu' as const };
    await first.send({ type: 'train', settings: relu });
    const runs = first.last('runsListed')!.runs;
    expect(runs.map((r) => [r.settings.activation, r.pinned])).toEqual([
      ['relu', false],
      ['tanh', true],
    ]);

    const second = await session(newStore(factory));
    expect(second.last('runsListed')!.runs).toEqual(runs);
    await second.send({ type: 'pinRun', id: runs[0]!.id });
    expect(second.last('runsListed')!.runs.map((r) => r.pinned)).toEqual([true, false]);
    await second.send({ type: 'deleteRun', id: runs[1]!.id });
    expect(second.last('runsListed')!.runs.map((r) => r.id)).toEqual([runs[0]!.id]);
    await second.send({ type: 'pinRun', id: null });
    const third = await session(newStore(factory));
    expect(third.last('runsListed')!.runs.map((r) => [r.id, r.pinned])).toEqual([[runs[0]!.id, false]]);
  });
});

describe('why did it say that', () => {
  it('explains a digit for the model in use, for its answer and for any other digit', async () => {
    const s = await session(null);
    // No model yet: refused, said beside the map.
    expectFailed(1);
    await s.send({ type: 'explainDigit', requestId: 1, pixels: new Float32Array(784), target: 7 });
    expect(s.last('failed')!.error).toMatchObject({ kind: 'step', said: { code: 'stepNoModel' } });

    await s.send({ type: 'train', settings: small });
    const { pixels: seven, label } = await testDigit(s, 0);
    expect(label).toBe(7);
    await s.send({ type: 'explainDigit', requestId: 2, pixels: seven, target: 7 });
    const explained = s.last('digitExplained')!;
    expect(explained.requestId).toBe(2);
    const { attributions, score, baselineScore, target, steps } = explained.evidence;
    expect([target, steps, attributions.length]).toEqual([7, 32, 784]);
    const sum = attributions.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (score - baselineScore))).toBeLessThan(0.02 * Math.abs(score - baselineScore) + 1e-3);
    // The ink of a well-read 7 is, on the whole, evidence for 7.
    expect(score).toBeGreaterThan(baselineScore);
    await s.send({ type: 'explainDigit', requestId: 3, pixels: seven, target: 9 });
    expect(s.last('digitExplained')!.evidence.target).toBe(9);
    expect(s.last('digitExplained')!.evidence.attributions).not.toEqual(attributions);
  });

  it('takes one step on a copy: the numbers, the lower loss once applied, the model in use unchanged until kept', async () => {
    const factory = new IDBFactory();
    const s = await session(newStore(factory));
    await s.send({ type: 'train', settings: small });
    const inUse = s.last('modelChanged')!.model;
    // A test digit the model gets wrong, with its true label.
    const wrong = s
      .last('evaluated')!
      .evaluation.confusion.flatMap((row, t) => row.map((n, p) => [t, p, n]))
      .find(([t, p, n]) => t !== p && n! > 0)!;
    await s.send({
      type: 'queryDigits',
      requestId: 5,
      query: { kind: 'cell', truth: wrong[0]!, predicted: wrong[1]! },
      offset: 0,
      count: 1,
    });
    const item = s.last('digitsListed')!.items[0]!;
    const pixels = bytesToPixels(s.last('digitsListed')!.bytes.subarray(0, 784));

    await s.send({ type: 'takeLearningStep', requestId: 7, pixels, label: item.label, optimizer: 'sgd', learningRate: 0.1 });
    const { numbers } = s.last('learningStepTaken')!;
    expect(numbers.label).toBe(item.label);
    for (const [digit, p] of numbers.probabilities.entries()) expect(p).toBeCloseTo(item.probabilities![digit]!, 4);
    expect(numbers.loss).toBeCloseTo(crossEntropyOf(numbers.probabilities, item.label), 5);
    expect(numbers.conv1.update.every((u, i) => Math.abs(u + 0.1 * numbers.conv1.gradient[i]!) < 1e-6)).toBe(true);

    await s.send({ type: 'applyLearningStep', requestId: 7 });
    const applied = s.last('learningStepApplied')!;
    expect(applied.loss).toBeLessThan(numbers.loss);
    expect(applied.probabilities[item.label]!).toBeGreaterThan(numbers.probabilities[item.label]!);
    // The model in use did not learn: it still reads the digit as before.
    await s.send({ type: 'takeLearningStep', requestId: 8, pixels, label: item.label, optimizer: 'adam', learningRate: 0.001 });
    expect(s.last('learningStepTaken')!.numbers.loss).toBeCloseTo(numbers.loss, 5);
    expect(s.of('modelChanged')).toHaveLength(1);

    // A stale step (not the last one) is refused.
    expectFailed(2);
    await s.send({ type: 'applyLearningStep', requestId: 7 });
    expect(s.last('failed')!.error).toMatchObject({ kind: 'step', said: { code: 'stepGone' } });

    // Kept: the copy is the model in use, saved beside the one it came from.
    await s.send({ type: 'keepLearningStep', requestId: 8 });
    const kept = s.last('modelChanged')!.model;
    expect(kept.name).toBe(`${inUse.name}, one adam step on a ${item.label}`);
    expect(kept.learningSteps).toEqual({ count: 1, optimizer: 'adam', label: item.label });
    expect(kept.id).not.toBe(inUse.id);
    expect(kept.evaluation.count).toBe(10_000);
    expect(s.last('savedModelsListed')!.models.map((m) => m.id)).toEqual([kept.id, inUse.id]);
    // After a new model is in use, the step it was taken from is gone.
    await s.send({ type: 'applyLearningStep', requestId: 8 });
    expect(s.last('failed')!.error).toMatchObject({ kind: 'step', said: { code: 'stepGone' } });
  });
});

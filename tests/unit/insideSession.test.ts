/**
 * The worker's side of the teaching views (WASM in Node, real MNIST digits): filters after every
 * epoch, every layer's output with each reading, and the galleries' pages of digits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrainerSession } from '../../src/worker/trainer';
import type { WorkerCommand, WorkerEvent } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../src/shared/settings';
import { BASE_URL, sharedRealData, useWasm } from './fixtures';
import { watchFailures } from './session';

const data = sharedRealData();
const quick: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 2, trainSize: 1000, batchSize: 50, backend: 'wasm' };

async function trained() {
  const events: WorkerEvent[] = [];
  const trainer = createTrainerSession(
    watchFailures((event) => events.push(event)),
    { dataset: data, selectBackend: useWasm },
  );
  const send = (command: WorkerCommand) => trainer.handle(command);
  await send({ type: 'load', dataUrl: BASE_URL });
  await send({ type: 'train', settings: quick });
  const last = <T extends WorkerEvent['type']>(type: T) => events.findLast((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  return { events, send, last };
}

beforeAll(async () => {
  await useWasm();
});

describe('teaching views, worker side', () => {
  it('posts the filters after every epoch (epoch 0 included) and they change as the model learns', async () => {
    const { events } = await trained();
    const filters = events.flatMap((e) => (e.type === 'filtersChanged' ? [e.filters] : []));
    // Epochs 0, 1, 2, then the model in use once more.
    expect(filters).toHaveLength(4);
    expect(filters[0]!.map((f) => f.shape.join('x'))).toEqual(['5x5x1x6', '5x5x6x16']);
    expect(Array.from(filters[2]![0]!.kernel)).not.toEqual(Array.from(filters[0]![0]!.kernel));
    expect(Array.from(filters[3]![0]!.kernel)).toEqual(Array.from(filters[2]![0]!.kernel));
  });

  it('a reading carries every layer’s output; its last layer is the probabilities', async () => {
    const { send, last } = await trained();
    await send({
      type: 'predict',
      requestId: 1,
      strokes: [
        [
          [60, 60],
          [200, 60],
          [120, 230],
        ],
      ],
    });
    const reading = last('predicted')!.reading;
    expect(reading.activations!.map((a) => a.shape.join('x'))).toEqual([
      '24x24x6',
      '12x12x6',
      '8x8x16',
      '4x4x16',
      '256',
      '120',
      '84',
      '10',
    ]);
    expect(Array.from(reading.activations!.at(-1)!.values)).toEqual(reading.probabilities);
  });

  it('inspects a test digit: its label, its pixels and every layer', async () => {
    const { send, last } = await trained();
    await send({ type: 'inspectDigit', requestId: 2, split: 'test', index: 0 });
    const inspected = last('digitInspected')!;
    expect(inspected).toMatchObject({ requestId: 2, split: 'test', index: 0, label: 7 }); // MNIST's first test digit is a 7
    expect(inspected.pixels).toHaveLength(784);
    expect(inspected.activations).toHaveLength(8);
  });

  it('lists mistakes (most confident first), a confusion cell and a class, paged', async () => {
    const { send, last } = await trained();
    const evaluation = last('evaluated')!.evaluation;
    const wrong = evaluation.count - evaluation.confusion.reduce((sum, row, i) => sum + row[i]!, 0);

    await send({ type: 'queryDigits', requestId: 3, query: { kind: 'mistakes' }, offset: 0, count: 60 });
    const listed = last('digitsListed')!;
    expect(listed.total).toBe(wrong);
    expect(listed.items).toHaveLength(60);
    expect(listed.bytes).toHaveLength(60 * 784);
    expect(listed.items.every((item) => item.predicted !== item.label)).toBe(true);
    const confidences = listed.items.map((item) => item.probabilities![item.predicted!]!);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));

    // The largest off-diagonal cell of the confusion matrix, and its digits.
    let top = { truth: 0, predicted: 1, count: -1 };
    evaluation.confusion.forEach((row, truth) =>
      row.forEach((count, predicted) => {
        if (truth !== predicted && count > top.count) top = { truth, predicted, count };
      }),
    );
    await send({
      type: 'queryDigits',
      requestId: 4,
      query: { kind: 'cell', truth: top.truth, predicted: top.predicted },
      offset: 0,
      count: 60,
    });
    const cell = last('digitsListed')!;
    expect(cell.total).toBe(top.count);
    expect(cell.items.every((item) => item.label === top.truth && item.predicted === top.predicted)).toBe(true);

    await send({ type: 'queryDigits', requestId: 5, query: { kind: 'class', split: 'train', label: 4 }, offset: 60, count: 60 });
    const fours = last('digitsListed')!;
    expect(fours).toMatchObject({ offset: 60, total: 5842 }); // MNIST's training set has 5,842 fours
    expect(fours.items.every((item) => item.label === 4 && item.predicted === null)).toBe(true);
  });
});

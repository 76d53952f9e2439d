/**
 * Pages of digits for the galleries: a class of either split, the model in use's mistakes on the
 * test digits (most confident first), or one cell of its confusion matrix, each digit with its
 * bytes and, on the test split, the model's answer and probabilities.
 */
import { cell, mistakes, ofClass } from '../data/digitQueries';
import { NUM_CLASSES, PIXELS_PER_IMAGE } from '../data/mnist';
import type { DigitItem, DigitQuery } from '../shared/protocol';
import type { ModelInUse } from './modelInUse';
import type { Session } from './session';

export async function queryDigits(session: Session, models: ModelInUse, query: DigitQuery, offset: number, count: number) {
  const split = query.kind === 'class' ? query.split : 'test';
  const set = (await session.loadedData())[split];
  const known = split === 'test' ? (query.kind === 'class' ? models.knownAnswers() : await models.testAnswers()) : null;
  let indices: number[];
  if (query.kind === 'class') indices = ofClass(set.labels, query.label);
  else if (!known) indices = [];
  else if (query.kind === 'mistakes') indices = mistakes(set.labels, known);
  else indices = cell(set.labels, known, query.truth, query.predicted);
  const page = indices.slice(offset, offset + count);
  const bytes = new Uint8Array(page.length * PIXELS_PER_IMAGE);
  const items: DigitItem[] = page.map((index, i) => {
    bytes.set(set.bytes.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE), i * PIXELS_PER_IMAGE);
    return {
      split,
      index,
      label: set.labels[index]!,
      predicted: known ? known.predictions[index]! : null,
      probabilities: known ? Array.from(known.probabilities.subarray(index * NUM_CLASSES, (index + 1) * NUM_CLASSES)) : null,
    };
  });
  return { total: indices.length, items, bytes };
}

/**
 * What the model in use does with one digit: a drawing (preprocessed the MNIST way, then every
 * layer's output) or a digit of the data set picked in a gallery. Both are answered between two
 * batches while a run trains, so the class sees the answer change as the network learns.
 */
import { preprocessStrokes, type Stroke } from '../data/drawing';
import { judgeReading } from '../data/verdict';
import { PIXELS_PER_IMAGE, type SplitName } from '../data/mnist';
import { bytesToPixels } from '../data/sprite';
import { layerActivations } from '../model/inspect';
import { watchBackend } from './contextLoss';
import type { ModelInUse } from './modelInUse';
import type { Session } from './session';

export async function readDrawing(session: Session, models: ModelInUse, requestId: number, strokes: Stroke[]): Promise<void> {
  const model = models.current();
  const input = preprocessStrokes(strokes);
  const activations = input && model ? await watchBackend().race(layerActivations(model, input.pixels)) : null;
  const probabilities = activations ? Array.from(activations.at(-1)!.values) : null;
  const verdict = input && probabilities ? judgeReading(input, probabilities) : null;
  session.post({
    type: 'predicted',
    reading: { requestId, strokeCount: strokes.length, input, probabilities, activations, verdict },
  });
}

export async function inspectDigit(
  session: Session,
  models: ModelInUse,
  requestId: number,
  split: SplitName,
  index: number,
): Promise<void> {
  const set = (await session.loadedData())[split];
  const model = models.current();
  if (!model || index < 0 || index >= set.count) return;
  const pixels = bytesToPixels(set.bytes.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE));
  const activations = await watchBackend().race(layerActivations(model, pixels));
  session.post({ type: 'digitInspected', requestId, split, index, label: set.labels[index]!, pixels, activations });
}

/**
 * The Varied-handwriting helper thread: rewrites the next training batch (src/data/styles.ts) while
 * the trainer's thread steps on this one. It holds the run's training digits as bytes and answers
 * each request with the batch's pixels, handed over (transferred), never copied back.
 */
import { PIXELS_PER_IMAGE } from '../data/mnist';
import { variedBatches, type StylesAnswer, type StylesCommand } from './batches';

let source: ReturnType<typeof variedBatches> | null = null;

self.onmessage = (event: MessageEvent<StylesCommand>) => {
  const command = event.data;
  if (command.type === 'start') {
    source = variedBatches({ bytes: command.bytes, labels: command.labels }, command.seed, command.maxBatch);
    return;
  }
  try {
    if (!source) throw new Error('no digits yet');
    const n = command.order.length;
    const batch = source.next(command.order, 0, n, command.step);
    const images = batch.images.slice(0, n * PIXELS_PER_IMAGE);
    const labels = batch.labels.slice(0, n);
    postMessage({ id: command.id, images, labels } satisfies StylesAnswer, { transfer: [images.buffer, labels.buffer] });
  } catch (error) {
    postMessage({ id: command.id, error: error instanceof Error ? error.message : String(error) } satisfies StylesAnswer);
  }
};

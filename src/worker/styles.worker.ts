/**
 * The Varied-handwriting helper thread: rewrites the training batches ahead (src/data/styles.ts)
 * while the trainer's thread steps. It holds the run's training digits as bytes and answers each
 * request with a chunk of batches' pixels, handed over (transferred), never copied back; the
 * trainer hands a spent chunk's pixels back with a later request, to be filled again.
 */
import { fillChunk, variedBatches, type StylesAnswer, type StylesCommand } from './batches';

let source: { batches: ReturnType<typeof variedBatches>; maxBatch: number } | null = null;

self.onmessage = (event: MessageEvent<StylesCommand>) => {
  const command = event.data;
  if (command.type === 'start') {
    source = { batches: variedBatches({ bytes: command.bytes, labels: command.labels }, command.seed, command.maxBatch), maxBatch: command.maxBatch };
    return;
  }
  try {
    if (!source) throw new Error('no digits yet');
    const { images, labels } = fillChunk(source.batches, command, source.maxBatch);
    postMessage({ id: command.id, images, labels } satisfies StylesAnswer, { transfer: [images.buffer, labels.buffer] });
  } catch (error) {
    postMessage({ id: command.id, error: error instanceof Error ? error.message : String(error) } satisfies StylesAnswer);
  }
};

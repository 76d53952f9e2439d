/**
 * The Varied-handwriting helper thread: rewrites the training batches ahead (src/data/styles.ts)
 * while the trainer's thread steps. It gets the session's training digits (bytes) once, then each
 * run's seed, and answers each request with a chunk of batches' pixels, handed over (transferred),
 * never copied back; the trainer hands a spent chunk's pixels back with a later request.
 */
import { fillChunk, variedBatches, type StylesAnswer, type StylesCommand, type TrainDigits } from './batches';

let digits: TrainDigits | null = null;
let run: { batches: ReturnType<typeof variedBatches>; maxBatch: number } | null = null;

self.onmessage = (event: MessageEvent<StylesCommand>) => {
  const command = event.data;
  if (command.type === 'digits') {
    digits = { bytes: command.bytes, labels: command.labels };
    return;
  }
  if (command.type === 'run') {
    run = digits ? { batches: variedBatches(digits, command.seed, command.maxBatch), maxBatch: command.maxBatch } : null;
    return;
  }
  try {
    if (!run) throw new Error('no digits yet');
    const { images, labels } = fillChunk(run.batches, command, run.maxBatch);
    postMessage({ id: command.id, images, labels } satisfies StylesAnswer, { transfer: [images.buffer, labels.buffer] });
  } catch (error) {
    postMessage({ id: command.id, error: error instanceof Error ? error.message : String(error) } satisfies StylesAnswer);
  }
};

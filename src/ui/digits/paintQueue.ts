/**
 * Digit canvases painted a few at a time. A gallery mounts with 100-160 digits; painted in the
 * effect that mounts them, they made one 120-200 ms task on the test machine (each new canvas's
 * first context and putImageData cost 1-1.5 ms there). Queued here, each task paints for at most
 * BUDGET_MS and the rest follow in later tasks, so a gallery fills in over a few frames and the
 * page never stops answering. A canvas painted is marked `data-painted="true"` (for automation).
 */

/** Main-thread time one task may spend painting. */
const BUDGET_MS = 8;

const queue = new Map<HTMLCanvasElement, () => void>();
let scheduled = false;

function drain() {
  scheduled = false;
  const end = performance.now() + BUDGET_MS;
  for (const [canvas, paint] of queue) {
    queue.delete(canvas);
    paint();
    canvas.dataset.painted = 'true';
    if (performance.now() >= end) break;
  }
  schedule();
}

// A message to itself runs in the next task without a timer's 4-ms clamp once nested.
const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
if (channel) channel.port1.onmessage = drain;

function schedule() {
  if (scheduled || queue.size === 0) return;
  scheduled = true;
  if (channel) channel.port2.postMessage(null);
  else setTimeout(drain, 0);
}

/** Paints `canvas` soon, in a task with time to spare; a newer paint of the same canvas replaces an older one. */
export function queuePaint(canvas: HTMLCanvasElement, paint: () => void): void {
  canvas.dataset.painted = 'false';
  queue.delete(canvas); // re-queued at the end: its newest picture, in the order asked
  queue.set(canvas, paint);
  schedule();
}

/** Forgets a canvas that left the page before it was painted. */
export function cancelPaint(canvas: HTMLCanvasElement): void {
  queue.delete(canvas);
}

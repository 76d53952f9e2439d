/**
 * Digits painted a few per task (src/ui/digits/paintQueue.ts): a gallery's hundred canvases do not
 * make one long task; every canvas is painted once with its newest picture, none after it left.
 */
import { describe, expect, it } from 'vitest';
import { cancelPaint, queuePaint } from '../../src/ui/digits/paintQueue';

/** A stand-in canvas: only its dataset is used. */
const fakeCanvas = () => ({ dataset: {} as Record<string, string> }) as unknown as HTMLCanvasElement;
/** A paint that takes `ms` of main thread, as a new canvas's first putImageData did. */
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('queuePaint', () => {
  it('paints a gallery over several tasks, each canvas once, its newest picture, and marks it', async () => {
    const canvases = Array.from({ length: 100 }, fakeCanvas);
    const painted: string[] = [];
    /** How many the first task painted: a microtask queued in it runs once that task ends. */
    let firstTask = -1;
    const paint = (name: string) => {
      if (painted.length === 0) queueMicrotask(() => (firstTask = painted.length));
      busy(1);
      painted.push(name);
    };
    canvases.forEach((canvas, i) => queuePaint(canvas, () => paint(`old ${i}`)));
    canvases.forEach((canvas, i) => queuePaint(canvas, () => paint(`new ${i}`)));
    expect(painted, 'nothing is painted in the task that queues').toEqual([]);
    expect(canvases.every((c) => c.dataset.painted === 'false')).toBe(true);
    for (let tasks = 0; painted.length < 100 && tasks < 500; tasks++) await nextTask();
    // 1 ms a paint and 8 ms a task: 8 or 9 in the first task (a slow machine: fewer), never all.
    expect(firstTask).toBeGreaterThan(0);
    expect(firstTask).toBeLessThanOrEqual(10);
    expect(painted).toEqual(canvases.map((_, i) => `new ${i}`));
    expect(canvases.every((c) => c.dataset.painted === 'true')).toBe(true);
  });

  it('forgets a canvas that left the page before its turn', async () => {
    const [kept, gone] = [fakeCanvas(), fakeCanvas()];
    const painted: string[] = [];
    queuePaint(kept, () => painted.push('kept'));
    queuePaint(gone, () => painted.push('gone'));
    cancelPaint(gone);
    for (let tasks = 0; tasks < 5; tasks++) await nextTask();
    expect(painted).toEqual(['kept']);
  });
});

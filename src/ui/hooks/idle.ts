/** Runs `callback` when the page is idle; Safari has no requestIdleCallback, so there a timer of 200 ms. */
export function whenIdle(callback: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(callback);
  else setTimeout(callback, 200);
}

/** Resolves in a later task: work after it is not part of the current task (a module's evaluation, a chart's set-up). */
export const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

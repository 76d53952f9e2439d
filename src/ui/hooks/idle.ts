/** Runs `callback` when the page is idle; Safari has no requestIdleCallback, so there a timer of 200 ms. */
export function whenIdle(callback: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(callback);
  else setTimeout(callback, 200);
}

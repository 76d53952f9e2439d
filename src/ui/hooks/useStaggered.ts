import { startTransition, useEffect, useState } from 'react';

/**
 * How many of `count` parts of the page to show: none until `start`, then one more per idle
 * moment (a frame with time to spare). The first screen mounts and paints on its own; the panels
 * below it follow one at a time, instead of one long task that freezes the page while a class
 * waits for it. Each is rendered as a transition: React renders it in slices of a few milliseconds
 * (a panel's render alone took 50-75 ms on the test machine) and puts a click first.
 */
export function useStaggered(count: number, start = true): number {
  const [shown, setShown] = useState(0);
  useEffect(() => {
    if (!start || shown >= count) return;
    // Safari has no requestIdleCallback: a timer after the frame does nearly as well.
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(() => startTransition(() => setShown((n) => n + 1)), { timeout: 500 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(() => startTransition(() => setShown((n) => n + 1)), 16);
    return () => clearTimeout(id);
  }, [shown, count, start]);
  return shown;
}

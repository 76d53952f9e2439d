import { useEffect, useState } from 'react';

/**
 * How many of `count` parts of the page to show: none until `start`, then one more per idle
 * moment (a frame with time to spare). The first screen mounts and paints on its own; the panels
 * below it follow one short task each, instead of one long task that freezes the page while a
 * class waits for it.
 */
export function useStaggered(count: number, start = true): number {
  const [shown, setShown] = useState(0);
  useEffect(() => {
    if (!start || shown >= count) return;
    // Safari has no requestIdleCallback: a timer after the frame does nearly as well.
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(() => setShown((n) => n + 1), { timeout: 500 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(() => setShown((n) => n + 1), 16);
    return () => clearTimeout(id);
  }, [shown, count, start]);
  return shown;
}

import { useEffect, useState, type RefObject } from 'react';

/**
 * True once the element has come within `margin` of the viewport, and from then on. Large views
 * (dozens of canvases) mount only when a person scrolls to them: mounting them all at once, when
 * training starts or ends, would be one long task on the main thread.
 */
export function useSeen(ref: RefObject<Element | null>, margin = '400px'): boolean {
  // Where there is no IntersectionObserver (old browsers), everything mounts at once.
  const [seen, setSeen] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const element = ref.current;
    if (seen || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
      },
      { rootMargin: margin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, seen, margin]);
  return seen;
}

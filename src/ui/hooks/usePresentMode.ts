import { useCallback, useEffect, useState } from 'react';

const PARAM = 'present';

/** `?present=1` in the address, read once at load. */
function fromUrl(): boolean {
  return new URLSearchParams(window.location.search).get(PARAM) === '1';
}

/**
 * Projector mode: large type, thick lines, high contrast, only the charts, the canvas and the
 * prediction. Toggled by the header's button and by `?present=1`, which the toggle keeps in the
 * address so the link a teacher shares opens the way the room saw it.
 */
export function usePresentMode(): { present: boolean; togglePresent: () => void } {
  const [present, setPresent] = useState(fromUrl);
  useEffect(() => {
    // On the root element, so rem-based sizes (type, controls) scale with it.
    document.documentElement.classList.toggle('present', present);
  }, [present]);
  const togglePresent = useCallback(() => {
    const next = !new URLSearchParams(window.location.search).has(PARAM);
    const params = new URLSearchParams(window.location.search);
    if (next) params.set(PARAM, '1');
    else params.delete(PARAM);
    window.history.replaceState(null, '', `?${params.toString()}${window.location.hash}`);
    setPresent(next);
  }, []);
  return { present, togglePresent };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { registerSW } from 'virtual:pwa-register';

/**
 * - 'unavailable': no service worker here (the dev server, an old browser, plain http off localhost)
 * - 'pending': not registered yet (it waits for the data)
 * - 'saving': the service worker is downloading the app and the data
 * - 'ready': everything is cached: the page loads and trains with no network
 * - 'failed': the service worker could not be installed (the page still works online)
 */
export type OfflineState = 'unavailable' | 'pending' | 'saving' | 'ready' | 'failed';

function initialState(): OfflineState {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return 'unavailable';
  // Controlled by a service worker: it activated, so its cache was complete.
  return navigator.serviceWorker.controller ? 'ready' : 'pending';
}

/**
 * Offline use: a service worker (vite-plugin-pwa's workbox, configured in vite.config.ts) caches
 * the whole app, the MNIST data and the WASM binaries, so that after one visit the page loads and
 * trains with no network. It is registered once `start` is true (the data has loaded), so that its
 * download of the same files does not slow the first load down. A new version waits for the
 * teacher to reload (`update`): a page never reloads by itself in the middle of a lesson.
 */
export function useOffline(start: boolean): { state: OfflineState; updateReady: boolean; update: () => void } {
  const [state, setState] = useState(initialState);
  const [updateReady, setUpdateReady] = useState(false);
  const updateSW = useRef<((reload?: boolean) => Promise<void>) | null>(null);
  const available = state !== 'unavailable';
  useEffect(() => {
    if (!start || !available || updateSW.current) return;
    updateSW.current = registerSW({
      immediate: true,
      onRegisteredSW: (_url, registration) => setState((s) => (s === 'ready' ? s : registration?.active ? 'ready' : 'saving')),
      onOfflineReady: () => setState('ready'),
      onNeedRefresh: () => setUpdateReady(true),
      onRegisterError: (error: unknown) => {
        console.warn('LeNet Lab: the service worker for offline use could not be registered', error);
        setState('failed');
      },
    });
  }, [start, available]);
  const update = useCallback(() => {
    markSwitching();
    void updateSW.current?.(true);
    // The reload that follows the new worker's activation normally comes at once. A reload of our
    // own after a while asks the browser again (see finishSwitch): the teacher asked for it.
    window.setTimeout(() => window.location.reload(), SWITCH_WAIT_MS);
  }, []);
  return { state, updateReady, update };
}

/**
 * Why a click on "reload" may need a second try. The new service worker skips waiting, but Chromium
 * activates it only once the old worker has no work; an old worker that was (re)starting for a
 * request at that moment is never told to wind down, and stays until it idles out (30 s; 5 min
 * with DevTools attached: seen in the end-to-end test about one run in five). A navigation makes
 * the browser try the activation again, and this time it ends the old worker once it is idle: so
 * the page reloads itself after SWITCH_WAIT_MS, and the reloaded page (loaded, possibly, by the
 * old worker, still the old version) reloads once more when the new worker takes over.
 */
const SWITCH_WAIT_MS = 3000;
const SWITCHING_KEY = 'lenet-lab-switching';
/** How long after the click the reloaded page still waits for the new worker to take over. */
const SWITCH_WINDOW_MS = 60_000;

function markSwitching(): void {
  try {
    sessionStorage.setItem(SWITCHING_KEY, String(Date.now()));
  } catch {
    // No session storage (a locked-down browser): the first reload still comes, only not the second.
  }
}

/** On a page loaded while a switch is under way: reloads once when the new worker takes control. */
function finishSwitch(): void {
  let since = 0;
  try {
    since = Number(sessionStorage.getItem(SWITCHING_KEY) ?? 0);
    sessionStorage.removeItem(SWITCHING_KEY);
  } catch {
    return;
  }
  const left = since + SWITCH_WINDOW_MS - Date.now();
  if (!since || left <= 0 || !('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const reload = () => window.location.reload();
  container.addEventListener('controllerchange', reload, { once: true });
  window.setTimeout(() => container.removeEventListener('controllerchange', reload), left);
}

// As early as the app's code runs: the new worker may take over while the page is still loading.
if (!import.meta.env.DEV) finishSwitch();

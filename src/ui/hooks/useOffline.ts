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
  const update = useCallback(() => void updateSW.current?.(true), []);
  return { state, updateReady, update };
}

import { useEffect, useReducer } from 'react';
import { startTrainer } from '../worker/trainerClient';
import { initialState, reduce } from './appState';

/** URL of the data folder (public/data/), resolved against the page so any base path works. */
function dataUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}data/`, window.location.href).href;
}

/**
 * Owns the training worker: starts it in an effect and terminates it in cleanup (React StrictMode
 * mounts twice in development; without cleanup two workers would run). Each retry starts afresh.
 */
export function useTrainer() {
  const [state, dispatch] = useReducer(reduce, initialState);

  useEffect(() => {
    const client = startTrainer(dispatch);
    client.send({ type: 'load', dataUrl: dataUrl() });
    return () => client.terminate();
  }, [state.attempt]);

  return { state, retry: () => dispatch({ type: 'retryRequested' }) };
}

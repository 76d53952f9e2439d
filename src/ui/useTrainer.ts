import { useCallback, useEffect, useReducer, useRef } from 'react';
import { settingsFromQuery, settingsToQuery, type SettingError, type TrainSettings } from '../worker/settings';
import { startTrainer, type TrainerClient } from '../worker/trainerClient';
import { initialState, reduce } from './appState';

/** URL of the data folder (public/data/), resolved against the page so any base path works. */
function dataUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}data/`, window.location.href).href;
}

function stateFromUrl() {
  const { settings, errors } = settingsFromQuery(window.location.search);
  return initialState(settings, errors);
}

/**
 * Owns the training worker: starts it in an effect and terminates it in cleanup (React StrictMode
 * mounts twice in development; without cleanup two workers would run). Each retry starts afresh.
 * Settings start from the URL query and are written back to it when changed.
 */
export function useTrainer() {
  const [state, dispatch] = useReducer(reduce, undefined, stateFromUrl);
  const client = useRef<TrainerClient | null>(null);

  useEffect(() => {
    const trainer = startTrainer(dispatch);
    client.current = trainer;
    trainer.send({ type: 'load', dataUrl: dataUrl() });
    return () => {
      trainer.terminate();
      client.current = null;
    };
  }, [state.attempt]);

  const { model, activation, backend } = state.settings;
  useEffect(() => {
    client.current?.send({ type: 'describeModel', model, activation, backend });
  }, [state.attempt, model, activation, backend]);

  const changeSettings = useCallback((settings: TrainSettings, errors: SettingError[]) => {
    dispatch({ type: 'settingsChanged', settings, errors });
    window.history.replaceState(null, '', `?${settingsToQuery(settings, window.location.search)}${window.location.hash}`);
  }, []);

  return {
    state,
    retry: () => dispatch({ type: 'retryRequested' }),
    changeSettings,
    train: () => client.current?.send({ type: 'train', settings: state.settings }),
    pause: () => client.current?.send({ type: 'pause' }),
    resume: () => client.current?.send({ type: 'resume' }),
    stop: () => {
      dispatch({ type: 'stopRequested' });
      client.current?.send({ type: 'stop' });
    },
  };
}

export type Trainer = ReturnType<typeof useTrainer>;

import { useCallback, useEffect, useReducer, useRef } from 'react';
import { settingsFromQuery, settingsToQuery, type SettingError, type TrainSettings } from '../worker/settings';
import type { Stroke, WorkerCommand } from '../worker/protocol';
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
  const nextRequest = useRef(1);
  /** Commands sent before the worker exists (children's effects run before this hook's) wait here. */
  const queued = useRef<WorkerCommand[]>([]);
  const send = useCallback((command: WorkerCommand) => {
    if (client.current) client.current.send(command);
    else queued.current.push(command);
  }, []);

  useEffect(() => {
    const trainer = startTrainer(dispatch);
    client.current = trainer;
    trainer.send({ type: 'load', dataUrl: dataUrl() });
    for (const command of queued.current.splice(0)) trainer.send(command);
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

  /** Asks the worker to read a drawing; its answer arrives as state.reading. */
  const predict = useCallback(
    (strokes: Stroke[]): number => {
      const requestId = nextRequest.current++;
      dispatch({ type: 'predictRequested', requestId });
      send({ type: 'predict', requestId, strokes });
      return requestId;
    },
    [send],
  );

  const retry = useCallback(() => dispatch({ type: 'retryRequested' }), []);

  return {
    state,
    retry,
    changeSettings,
    train: () => client.current?.send({ type: 'train', settings: state.settings }),
    pause: () => client.current?.send({ type: 'pause' }),
    resume: () => client.current?.send({ type: 'resume' }),
    predict,
    stop: () => {
      dispatch({ type: 'stopRequested' });
      client.current?.send({ type: 'stop' });
    },
  };
}

export type Trainer = ReturnType<typeof useTrainer>;

import { flushSync } from 'react-dom';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { settingsFromQuery, settingsToQuery, type SettingError, type TrainSettings } from '../../shared/settings';
import type { DigitQuery, ModelFile, OptimizerName, SplitName, Stroke, TestFault, WorkerCommand, WorkerEvent } from '../../shared/protocol';
import { dataUrl, startTrainer, type TrainerClient } from '../state/trainerClient';
import { initialState, isRunning, reduce, type AppState } from '../state/appState';
import { recoveryCommands } from '../state/recovery';

function stateFromUrl() {
  const { settings, errors } = settingsFromQuery(window.location.search);
  return initialState(settings, errors);
}

/**
 * `?testFault=`: end-to-end tests provoke a fault. `lose-webgl-context` loses the WebGL context
 * mid-run; `no-wasm-simd` has the worker act as in a browser without WebAssembly SIMD.
 */
function testFaultFromUrl(): TestFault | undefined {
  const fault = new URLSearchParams(window.location.search).get('testFault');
  return fault === 'lose-webgl-context' || fault === 'no-wasm-simd' ? fault : undefined;
}

/**
 * `?testWatchdog=` (seconds, 4-60): end-to-end tests give a silent worker up sooner than a real
 * page does (UNRESPONSIVE_MS), so the tests of the watchdog wait seconds, not 15 of them.
 */
function testWatchdogFromUrl(): number | undefined {
  const seconds = Number(new URLSearchParams(window.location.search).get('testWatchdog') ?? NaN);
  return Number.isInteger(seconds) && seconds >= 4 && seconds <= 60 ? seconds * 1000 : undefined;
}

/** Hands files to the browser's downloads, as tf.io.browserDownloads does. */
function saveFiles(files: ModelFile[]): void {
  for (const file of files) {
    const type = file.name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const url = URL.createObjectURL(new Blob([file.bytes], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

/** Hands a text file to the browser's downloads. */
function saveText(name: string, text: string): void {
  saveFiles([{ name, bytes: new TextEncoder().encode(text).buffer as ArrayBuffer }]);
}

/**
 * Owns the training worker: starts it in an effect and terminates it in cleanup (React StrictMode
 * mounts twice in development; without cleanup two workers would run). Each retry or recovery
 * starts a fresh one. Settings start from the URL query and are written back to it when changed.
 */
export function useTrainer() {
  const [state, dispatch] = useReducer(reduce, undefined, stateFromUrl);
  const client = useRef<TrainerClient | null>(null);
  const nextRequest = useRef(1);
  /** Commands sent before the worker exists (children's effects run before this hook's) wait here. */
  const queued = useRef<WorkerCommand[]>([]);
  const send = useCallback((command: WorkerCommand, transfer?: Transferable[]) => {
    if (client.current) client.current.send(command, transfer);
    else queued.current.push(command);
  }, []);
  /** The state as of the last render, for the worker effect (which must not rerun on every change). */
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });

  /**
   * Evidence maps: one request at a time. A drawing asks for one with every reading as the pen
   * moves; meanwhile only the newest waits, and goes when the answer (or a refusal) comes.
   */
  const explaining = useRef<{ inFlight: boolean; waiting: Extract<WorkerCommand, { type: 'explainDigit' }> | null }>({
    inFlight: false,
    waiting: null,
  });

  useEffect(() => {
    explaining.current = { inFlight: false, waiting: null };
    const onEvent = (event: WorkerEvent) => {
      if (event.type === 'modelFilesReady') saveFiles(event.files);
      if (event.type === 'classDigitsExported') saveText(event.name, event.text);
      // Each epoch's end is rendered (its sentence in the live region, its point on the curves), even
      // when the next one arrives before React would have rendered: short epochs end 0.1 s apart.
      if (event.type === 'epochEnded') flushSync(() => dispatch(event));
      else dispatch(event);
      if (event.type === 'digitExplained' || (event.type === 'failed' && event.error.kind === 'step')) {
        const { waiting } = explaining.current;
        explaining.current = { inFlight: waiting !== null, waiting: null };
        if (waiting) {
          // Asked for again: a refusal just now marked the last request answered.
          dispatch({ type: 'explainRequested', requestId: waiting.requestId });
          trainer.send(waiting);
        }
      }
    };
    const trainer = startTrainer(dataUrl(), onEvent, (fault) => dispatch({ type: 'workerFaulted', ...fault }), testWatchdogFromUrl());
    client.current = trainer;
    const current = latest.current;
    trainer.send({ type: 'load', dataUrl: dataUrl(), avoidBackends: current.avoidBackends, testFault: testFaultFromUrl() });
    trainer.send({ type: 'listClassDigits' });
    trainer.send({ type: 'listRuns' });
    for (const command of recoveryCommands(current)) trainer.send(command);
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

  // Closing or reloading the page mid-run asks first (the checkpoint would let it continue, but
  // a click on the wrong tab should not cost a class its demo).
  const running = isRunning(state.phase);
  useEffect(() => {
    if (!running) return;
    const confirm = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', confirm);
    return () => window.removeEventListener('beforeunload', confirm);
  }, [running]);

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

  const upload = useCallback(
    async (chosen: File[]) => {
      dispatch({ type: 'uploadRequested' });
      try {
        const files = await Promise.all(chosen.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
        send(
          { type: 'uploadModel', files, backend: latest.current.settings.backend },
          files.map((f) => f.bytes),
        );
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        dispatch({
          type: 'uploadRejected',
          message: `The files could not be read: ${detail}`,
          said: { code: 'filesUnreadable', values: { detail } },
        });
      }
    },
    [send],
  );

  const retry = useCallback(() => dispatch({ type: 'retryRequested' }), []);

  /** Asks for a page of a gallery; it arrives in state.digitLists under digitListKey(query, offset). */
  const queryDigits = useCallback(
    (query: DigitQuery, offset: number, count: number) =>
      send({ type: 'queryDigits', requestId: nextRequest.current++, query, offset, count }),
    [send],
  );
  /** Chooses what the Inside panel looks at: a digit of the data set, or (null) the drawing. */
  const inspect = useCallback((digit: { split: SplitName; index: number } | null) => dispatch({ type: 'inspectRequested', digit }), []);
  /** Asks for every layer's output for a digit of the data set (arrives as state.inspected). */
  const inspectDigit = useCallback(
    (split: SplitName, index: number) => send({ type: 'inspectDigit', requestId: nextRequest.current++, split, index }),
    [send],
  );

  /** Class-digit commands: the last operation's words go as the new one starts. */
  const classCommand = useCallback(
    (command: WorkerCommand) => {
      dispatch({ type: 'classRequested' });
      send(command);
    },
    [send],
  );
  const addClassDigit = useCallback(
    (strokes: Stroke[], label: number) => classCommand({ type: 'addClassDigit', strokes, label }),
    [classCommand],
  );
  const importClassDigits = useCallback(
    async (chosen: File[]) => {
      dispatch({ type: 'classRequested' });
      try {
        const files = await Promise.all(chosen.map(async (file) => ({ name: file.name, text: await file.text() })));
        send({ type: 'importClassDigits', files });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        dispatch({
          type: 'classImportRejected',
          message: `The files could not be read: ${detail}`,
          said: { code: 'classFilesUnreadable', values: { detail } },
        });
      }
    },
    [send],
  );

  /** Asks for the evidence map of a 28x28 digit for `target`; it arrives as state.evidence. */
  const explain = useCallback(
    (pixels: Float32Array, target: number) => {
      const requestId = nextRequest.current++;
      dispatch({ type: 'explainRequested', requestId });
      const command = { type: 'explainDigit' as const, requestId, pixels: pixels.slice(), target };
      if (explaining.current.inFlight) {
        explaining.current.waiting = command;
        return;
      }
      explaining.current.inFlight = true;
      send(command);
    },
    [send],
  );
  const takeLearningStep = useCallback(
    (pixels: Float32Array, label: number, optimizer: OptimizerName, learningRate: number) => {
      const requestId = nextRequest.current++;
      dispatch({ type: 'learningStepRequested', requestId });
      send({ type: 'takeLearningStep', requestId, pixels: pixels.slice(), label, optimizer, learningRate });
    },
    [send],
  );

  return {
    state,
    retry,
    explain,
    takeLearningStep,
    applyLearningStep: (requestId: number) => {
      dispatch({ type: 'learningStepApplyRequested' });
      send({ type: 'applyLearningStep', requestId });
    },
    keepLearningStep: (requestId: number) => send({ type: 'keepLearningStep', requestId }),
    pinRun: (id: string | null) => send({ type: 'pinRun', id }),
    deleteRun: (id: string) => send({ type: 'deleteRun', id }),
    compareRun: (id: string | null) => dispatch({ type: 'runCompared', id }),
    changeSettings,
    train: () => send({ type: 'train', settings: state.settings, testFault: testFaultFromUrl() }),
    pause: () => send({ type: 'pause' }),
    resume: () => send({ type: 'resume' }),
    predict,
    stop: () => {
      dispatch({ type: 'stopRequested' });
      send({ type: 'stop' });
    },
    resumeInterrupted: () => send({ type: 'resumeCheckpoint' }),
    discardInterrupted: () => send({ type: 'discardCheckpoint' }),
    useSavedModel: (id: string) => send({ type: 'useSavedModel', id, backend: state.settings.backend }),
    deleteSavedModel: (id: string) => send({ type: 'deleteSavedModel', id }),
    download: () => send({ type: 'downloadModel' }),
    upload,
    dismissNotice: () => dispatch({ type: 'noticeDismissed' }),
    queryDigits,
    inspect,
    inspectDigit,
    addClassDigit,
    deleteClassDigit: (id: string) => classCommand({ type: 'deleteClassDigit', id }),
    clearClassDigits: () => classCommand({ type: 'clearClassDigits' }),
    exportClassDigits: () => classCommand({ type: 'exportClassDigits' }),
    importClassDigits,
    teachClassDigits: () => {
      dispatch({ type: 'teachRequested' });
      send({ type: 'teachClassDigits' });
    },
  };
}

export type TrainerHandle = ReturnType<typeof useTrainer>;

/**
 * The part of the handle a panel uses: the fields of the state it reads and the actions it calls,
 * named in its props so a reader sees what a panel depends on (and the type checker holds it to that).
 */
export type TrainerView<Fields extends keyof AppState, Actions extends Exclude<keyof TrainerHandle, 'state'> = never> = Pick<
  TrainerHandle,
  Actions
> & { state: Pick<AppState, Fields> };

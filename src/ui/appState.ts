/**
 * The UI's state and the pure reducer that maps worker events and UI actions onto it. `phase` is
 * what the root element's `data-state` shows (the automation contract); later phases (training,
 * paused, evaluating, done) join the union as the features that need them land.
 */
import { assertNever, type AppError, type DatasetSummary, type WorkerEvent } from '../worker/protocol';

export type Phase = 'loading' | 'ready' | 'error';

export interface AppState {
  phase: Phase;
  /** Download progress while loading; null before the manifest is read. */
  progress: { loadedBytes: number; totalBytes: number } | null;
  dataset: DatasetSummary | null;
  error: AppError | null;
  /** Bumped by "Try again": the hook starts a fresh worker for each attempt. */
  attempt: number;
}

export type UiAction = { type: 'retryRequested' };
export type AppAction = WorkerEvent | UiAction;

export const initialState: AppState = { phase: 'loading', progress: null, dataset: null, error: null, attempt: 0 };

/** Applies one worker event or UI action. */
export function reduce(state: AppState, action: AppAction): AppState {
  switch (action.type) {
    case 'loadProgressed':
      // A late progress event must not pull a finished or failed load back to "loading".
      if (state.phase !== 'loading') return state;
      return { ...state, progress: { loadedBytes: action.loadedBytes, totalBytes: action.totalBytes } };
    case 'loaded':
      return { ...state, phase: 'ready', dataset: action.dataset, error: null };
    case 'failed':
      return { ...state, phase: 'error', error: action.error };
    case 'retryRequested':
      return { ...initialState, attempt: state.attempt + 1 };
    default:
      return assertNever(action);
  }
}

/**
 * The model in use and the saved models: the library, the model changing, storage failures, uploads.
 */
import { assertNever } from '../../shared/protocol';
import { isRunning, saying, type AppAction, type AppState, type ModelInUse } from './base';

/** The actions of this family (routed here by appState.ts). */
export type LibraryAction = Extract<AppAction, { type: LibraryActionType }>;
export type LibraryActionType =
  'savedModelsListed' | 'modelChanged' | 'storageFailed' | 'uploadRequested' | 'uploadRejected' | 'modelFilesReady';

export function reduceLibrary(state: AppState, action: LibraryAction): AppState {
  switch (action.type) {
    case 'savedModelsListed':
      return { ...state, savedModels: action.models, interrupted: isRunning(state.phase) ? null : action.checkpoint };
    case 'modelChanged': {
      const model: ModelInUse = { source: action.source, record: action.model };
      const base = {
        ...state,
        model,
        // A learning step shown was taken on the model that was in use: it no longer applies.
        learningStep: null,
        recovery: null,
        recoveries: 0,
        uploading: false,
        uploadError: null,
        modelError: null,
        digitLists: {},
      };
      if (action.source === 'trained') return base;
      // A restored or uploaded model brings its own results: they replace the last run's.
      return {
        ...base,
        phase: 'done',
        evaluation: action.model.evaluation,
        epochs: action.model.epochs,
        batchLosses: [],
        batch: null,
        plan: null,
        modelSummary: action.model.summary,
        digitLists: {},
      };
    }
    case 'storageFailed':
      return { ...state, storageWarning: saying(action) };
    case 'uploadRequested':
      return { ...state, uploading: true, uploadError: null };
    case 'uploadRejected':
      return { ...state, uploading: false, uploadError: saying(action) };
    case 'modelFilesReady':
      return state;
    default:
      return assertNever(action);
  }
}

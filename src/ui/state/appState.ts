/**
 * The UI's state and the pure reducer that maps worker events and UI actions onto it, one family
 * of actions per file: training.ts, library.ts, drawing.ts, inside.ts, classDigits.ts, and recovery.ts (faults and
 * the recovery policy). The state's shape and helpers are in base.ts. `phase` is what the root
 * element's `data-state` shows (the automation contract).
 */
import type { AppAction, AppState } from './base';
import { reduceDrawing, type DrawingAction, type DrawingActionType } from './drawing';
import { reduceInside, type InsideAction, type InsideActionType } from './inside';
import { reduceLibrary, type LibraryAction, type LibraryActionType } from './library';
import { reduceRecovery, type RecoveryAction, type RecoveryActionType } from './recovery';
import { reduceTraining, type TrainingAction, type TrainingActionType } from './training';
import { reduceClassDigits, type ClassDigitsAction, type ClassDigitsActionType } from './classDigits';
import { reduceWhy, type WhyAction, type WhyActionType } from './why';

export * from './base';

type Family = 'training' | 'library' | 'drawing' | 'inside' | 'recovery' | 'classDigits' | 'why';

/** Every action's family, as the families' ActionType lists say: the type checker refuses an action left out or routed elsewhere. */
const FAMILY: {
  [T in AppAction['type']]: T extends TrainingActionType
    ? 'training'
    : T extends LibraryActionType
      ? 'library'
      : T extends DrawingActionType
        ? 'drawing'
        : T extends InsideActionType
          ? 'inside'
          : T extends RecoveryActionType
            ? 'recovery'
            : T extends ClassDigitsActionType
              ? 'classDigits'
              : T extends WhyActionType
                ? 'why'
                : never;
} = {
  loadProgressed: 'training',
  loaded: 'training',
  modelDescribed: 'training',
  backendSelected: 'training',
  trainingStarted: 'training',
  batchEnded: 'training',
  epochEnded: 'training',
  trainingPaused: 'training',
  trainingResumed: 'training',
  evaluationStarted: 'training',
  evaluated: 'training',
  checkpointSaved: 'training',
  settingsChanged: 'training',
  stopRequested: 'training',
  failed: 'recovery',
  retryRequested: 'recovery',
  workerFaulted: 'recovery',
  backendLost: 'recovery',
  noticeDismissed: 'recovery',
  pong: 'recovery',
  savedModelsListed: 'library',
  modelChanged: 'library',
  storageFailed: 'library',
  uploadRequested: 'library',
  uploadRejected: 'library',
  modelFilesReady: 'library',
  filtersChanged: 'inside',
  inspectRequested: 'inside',
  digitInspected: 'inside',
  digitsListed: 'inside',
  predictRequested: 'drawing',
  predicted: 'drawing',
  classDigitsListed: 'classDigits',
  classDigitsMeasured: 'classDigits',
  classDigitsExported: 'classDigits',
  classDigitsImported: 'classDigits',
  classImportRejected: 'classDigits',
  taught: 'classDigits',
  classRequested: 'classDigits',
  teachRequested: 'classDigits',
  digitExplained: 'why',
  learningStepTaken: 'why',
  learningStepApplied: 'why',
  runsListed: 'why',
  explainRequested: 'why',
  learningStepRequested: 'why',
  learningStepApplyRequested: 'why',
  runCompared: 'why',
};

/** Applies one worker event or UI action. */
export function reduce(state: AppState, action: AppAction): AppState {
  const family: Family = FAMILY[action.type];
  // The casts are what FAMILY says: an action of family F is one of F's actions.
  switch (family) {
    case 'training':
      return reduceTraining(state, action as TrainingAction);
    case 'library':
      return reduceLibrary(state, action as LibraryAction);
    case 'drawing':
      return reduceDrawing(state, action as DrawingAction);
    case 'inside':
      return reduceInside(state, action as InsideAction);
    case 'recovery':
      return reduceRecovery(state, action as RecoveryAction);
    case 'classDigits':
      return reduceClassDigits(state, action as ClassDigitsAction);
    case 'why':
      return reduceWhy(state, action as WhyAction);
    default: {
      // An action of no family (an unknown event from a newer worker?) is a bug, not a no-op.
      const none: never = family;
      throw new Error(`unhandled variant: ${JSON.stringify(action)} (family ${String(none)})`);
    }
  }
}

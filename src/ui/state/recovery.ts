/**
 * Faults and the recovery policy, in one place: a failed command, "Try again", a crashed or silent worker, a lost WebGL context. Nothing trained is lost: a run continues from its checkpoint, a model in use comes back from this browser, at most MAX_RECOVERIES times in a row.
 */
import { assertNever } from '../../shared/protocol';
import type { BackendName, Saying, WorkerCommand } from '../../shared/protocol';
import {
  MAX_RECOVERIES,
  initialState,
  isRunning,
  saying,
  settled,
  type AppAction,
  type AppState,
  type Notice,
  type Recovery,
} from './base';

/** The actions of this family (routed here by appState.ts). */
export type RecoveryAction = Extract<AppAction, { type: RecoveryActionType }>;
export type RecoveryActionType = 'failed' | 'retryRequested' | 'workerFaulted' | 'backendLost' | 'noticeDismissed' | 'pong';

/**
 * A fault (crashed or silent worker, lost WebGL context): nothing trained is lost. A run continues
 * from its last checkpoint, a model in use comes back from this browser; both in a fresh worker.
 */
function recover(state: AppState, cause: Saying, lost?: BackendName): AppState {
  const avoidBackends = lost && !state.avoidBackends.includes(lost) ? [...state.avoidBackends, lost] : state.avoidBackends;
  const running = isRunning(state.phase) || state.recovery?.action === 'resume' || state.recovery?.action === 'train';
  const recovery: Recovery | null = running
    ? state.checkpointEpoch !== null
      ? { action: 'resume' }
      : { action: 'train' }
    : state.model?.record.id
      ? { action: 'restore', id: state.model.record.id }
      : null;
  if (state.recoveries >= MAX_RECOVERIES || (recovery === null && state.model !== null)) {
    return { ...state, phase: 'error', error: { kind: 'worker', ...cause }, stopping: false, recovery: null, avoidBackends };
  }
  const next = {
    ...state,
    attempt: state.attempt + 1,
    recovery,
    recoveries: state.recoveries + 1,
    avoidBackends,
    stopping: false,
    error: null,
  };
  if (recovery === null) {
    // Nothing to keep: start over, as "Try again" would.
    return { ...next, phase: 'loading', progress: null, dataset: null, notice: { cause, lost, outcome: 'restarted' } };
  }
  if (recovery.action === 'restore') {
    return { ...next, phase: 'loading', progress: null, notice: { cause, lost, outcome: 'restoring' } };
  }
  const notice: Notice =
    recovery.action === 'resume'
      ? { cause, lost, outcome: 'resumed', epoch: state.checkpointEpoch ?? 0 }
      : { cause, lost, outcome: 'retrained' };
  return { ...next, phase: 'training', notice };
}

export function reduceRecovery(state: AppState, action: RecoveryAction): AppState {
  switch (action.type) {
    case 'failed':
      // Bad settings leave everything else as it was: the message says what to change.
      if (action.error.kind === 'settings') return { ...state, error: action.error, phase: state.dataset ? 'ready' : state.phase };
      // And a refused class-digit operation: said beside the class digits.
      if (action.error.kind === 'step') {
        // A step refused before it was taken is gone; one refused while applying stays, ready to try again.
        const learningStep = state.learningStep?.numbers ? { ...state.learningStep, applying: false } : null;
        // An evidence map refused is not coming: the map shown is no longer "updating".
        return { ...state, learningStep, lastExplainRequest: state.evidence?.requestId ?? 0, stepError: saying(action.error) };
      }
      if (action.error.kind === 'class') return { ...state, teaching: false, classNote: { kind: 'error', ...saying(action.error) } };
      // So does a failed saved-model operation: the model in use is still there.
      if (action.error.kind === 'model') {
        // Except where the model was being restored after a fault: the new worker does not have it.
        const model = state.recovery?.action === 'restore' ? null : state.model;
        return { ...state, model, recovery: null, modelError: saying(action.error), phase: model ? 'done' : settled(state) };
      }
      return { ...state, phase: 'error', error: action.error, stopping: false, recovery: null };
    case 'retryRequested': {
      const fresh = {
        ...initialState(state.settings, state.urlErrors),
        settingErrors: state.settingErrors,
        attempt: state.attempt + 1,
        avoidBackends: state.avoidBackends,
      };
      // "Try again" keeps the model in use: it comes back from this browser.
      const id = state.model?.record.id;
      return id ? { ...fresh, model: state.model, recovery: { action: 'restore', id } } : fresh;
    }
    case 'workerFaulted':
      return recover(state, { message: action.message, said: action.said });
    case 'backendLost':
      return recover(state, { message: action.message, said: action.said }, action.backend);
    case 'noticeDismissed':
      return { ...state, notice: null };
    case 'pong':
      return state;
    default:
      return assertNever(action);
  }
}

/**
 * The policy's commands: what a fresh worker is asked to do after `load`, so a fault costs at most
 * the epoch in progress. The hook sends them when it starts a worker for a new attempt.
 */
export function recoveryCommands(state: AppState): WorkerCommand[] {
  switch (state.recovery?.action) {
    case 'resume':
      return [{ type: 'resumeCheckpoint' }];
    case 'train':
      return [{ type: 'train', settings: state.plan?.settings ?? state.settings }];
    case 'restore':
      return [{ type: 'useSavedModel', id: state.recovery.id, backend: state.settings.backend }];
    case undefined:
      return [];
  }
}

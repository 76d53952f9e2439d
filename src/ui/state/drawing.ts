/**
 * The drawing: the latest request and the answer to it.
 */
import { assertNever } from '../../shared/protocol';
import type { AppAction, AppState } from './base';

/** The actions of this family (routed here by appState.ts). */
export type DrawingAction = Extract<AppAction, { type: DrawingActionType }>;
export type DrawingActionType = 'predictRequested' | 'predicted';

export function reduceDrawing(state: AppState, action: DrawingAction): AppState {
  switch (action.type) {
    case 'predictRequested':
      return { ...state, lastPredictRequest: Math.max(state.lastPredictRequest, action.requestId) };
    case 'predicted':
      // Answers can overtake each other only in theory; never let an older one replace a newer.
      if (state.reading && state.reading.requestId > action.reading.requestId) return state;
      return { ...state, reading: action.reading };
    default:
      return assertNever(action);
  }
}

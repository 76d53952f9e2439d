/**
 * Inside the network and the galleries: the filters, the picked digit and its layers, pages of digits.
 */
import { assertNever } from '../../shared/protocol';
import { DIGIT_LISTS_KEPT, digitListKey, type AppAction, type AppState } from './base';

/** The actions of this family (routed here by appState.ts). */
export type InsideAction = Extract<AppAction, { type: InsideActionType }>;
export type InsideActionType = 'filtersChanged' | 'inspectRequested' | 'digitInspected' | 'digitsListed';

export function reduceInside(state: AppState, action: InsideAction): AppState {
  switch (action.type) {
    case 'filtersChanged':
      return { ...state, filters: action.filters, filtersEpoch: action.epoch };
    case 'inspectRequested':
      return { ...state, inspecting: action.digit };
    case 'digitInspected': {
      const { split, index, label, pixels, activations } = action;
      return { ...state, inspected: { split, index, label, pixels, activations } };
    }
    case 'digitsListed': {
      const { query, offset, total, items, bytes } = action;
      const key = digitListKey(query, offset);
      const kept = Object.entries(state.digitLists)
        .filter(([k]) => k !== key)
        .slice(-(DIGIT_LISTS_KEPT - 1));
      return { ...state, digitLists: { ...Object.fromEntries(kept), [key]: { query, offset, total, items, bytes } } };
    }
    default:
      return assertNever(action);
  }
}

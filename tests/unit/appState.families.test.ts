/**
 * The reducer routes each action to its family (appState.ts); each family's reducer refuses an
 * action of another family rather than ignoring it, so a wrong route shows as an error at once.
 */
import { describe, expect, it } from 'vitest';
import { initialState, type AppAction, type AppState } from '../../src/ui/state/appState';
import { reduceDrawing } from '../../src/ui/state/drawing';
import { reduceInside } from '../../src/ui/state/inside';
import { reduceLibrary } from '../../src/ui/state/library';
import { reduceRecovery } from '../../src/ui/state/recovery';
import { reduceTraining } from '../../src/ui/state/training';

const families: [string, (state: AppState, action: never) => AppState][] = [
  ['training', reduceTraining],
  ['library', reduceLibrary],
  ['drawing', reduceDrawing],
  ['inside', reduceInside],
  ['recovery', reduceRecovery],
];

// One action of the recovery family and one of the training family: each family gets one not its own.
const noticeDismissed: AppAction = { type: 'noticeDismissed' };
const stopRequested: AppAction = { type: 'stopRequested' };

describe('the reducer families', () => {
  it.each(families)('%s refuses an action of another family', (name, reduce) => {
    const foreign = name === 'recovery' ? stopRequested : noticeDismissed;
    expect(() => reduce(initialState(), foreign as never)).toThrow(/unhandled variant/);
  });
});

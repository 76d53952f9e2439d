/**
 * The reducer after a fault (a crashed or silent worker, a lost GPU context): what the fresh worker
 * is asked to do, what the notice says, which backends are avoided, and when the app gives up.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RECOVERIES, type AppState } from '../../src/ui/state/appState';
import { recoveryCommands } from '../../src/ui/state/recovery';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { dataset, midRun, plan, record, run, started, withModel } from './appStateFixtures';

const crash = { type: 'workerFaulted', message: 'The training worker crashed' } as const;
const said = { code: 'workerCrashed', values: {} } as const;

describe('recovery from a fault', () => {
  it('with no run and no model, starts over: the data loads again in a fresh worker, and the notice says so', () => {
    const ready = run([{ type: 'loaded', dataset }]);
    const faulted = run([{ ...crash, said }], ready);
    expect(faulted).toMatchObject({
      phase: 'loading',
      progress: null,
      dataset: null,
      error: null,
      attempt: 1,
      recovery: null,
      recoveries: 1,
      avoidBackends: [],
    });
    expect(faulted.notice).toEqual({ cause: { message: crash.message, said }, outcome: 'restarted' });
  });

  it('a run without a checkpoint (storage failed) is trained again, and the notice says retrained', () => {
    const faulted = run([crash], started());
    expect(faulted).toMatchObject({ phase: 'training', recovery: { action: 'train' }, recoveries: 1 });
    expect(faulted.notice).toEqual({ cause: { message: crash.message }, outcome: 'retrained' });
  });

  it('a saved model in use comes back from this browser, and the notice says it is being restored', () => {
    const faulted = run([{ type: 'backendLost', backend: 'webgl', message: 'the WebGL context was lost' }], withModel('m7'));
    expect(faulted).toMatchObject({ phase: 'loading', progress: null, dataset, recovery: { action: 'restore', id: 'm7' } });
    expect(faulted.notice).toEqual({ cause: { message: 'the WebGL context was lost' }, lost: 'webgl', outcome: 'restoring' });
  });

  it('a model in use that could not be saved cannot come back: the error shows rather than the model vanishing', () => {
    const unsaved = withModel(null);
    const faulted = run([crash], unsaved);
    expect(faulted).toMatchObject({ phase: 'error', error: { kind: 'worker', message: crash.message }, recovery: null });
    expect(faulted.attempt).toBe(unsaved.attempt);
    expect(faulted.model).toBe(unsaved.model);
  });

  it('lists a lost backend once however often it is lost, and a plain crash avoids no backend', () => {
    const lost = { type: 'backendLost', backend: 'webgl', message: 'lost' } as const;
    const twice = run([lost, lost], midRun());
    expect(twice.avoidBackends).toEqual(['webgl']);
    expect(run([{ ...lost, backend: 'wasm' }], twice).avoidBackends).toEqual(['webgl', 'wasm']);
    expect(run([crash, crash], midRun()).avoidBackends).toEqual([]);
  });

  it('a Stop still pending when the worker dies is dropped: the recovered run is not shown as stopping', () => {
    const faulted = run([{ type: 'stopRequested' }, crash], midRun());
    expect(faulted).toMatchObject({ phase: 'training', recovery: { action: 'resume' }, stopping: false });
  });

  it('gives up after MAX_RECOVERIES faults in a row, clearing a pending Stop and the recovery', () => {
    let state: AppState = midRun();
    for (let i = 0; i < MAX_RECOVERIES; i++) state = run([crash], state);
    expect(state).toMatchObject({ phase: 'training', recoveries: MAX_RECOVERIES, attempt: MAX_RECOVERIES });
    const gaveUp = run([{ type: 'stopRequested' }, crash], state);
    expect(gaveUp).toMatchObject({ phase: 'error', error: { kind: 'worker', message: crash.message }, stopping: false, recovery: null });
    expect(gaveUp.attempt).toBe(MAX_RECOVERIES);
  });

  it('an epoch that ends between faults resets the count: a run that makes progress is never given up', () => {
    let state: AppState = midRun();
    for (let i = 0; i < MAX_RECOVERIES * 2; i++) {
      state = run([crash, { type: 'epochEnded', result: { ...state.epochs.at(-1)!, epoch: state.epochs.length } }], state);
    }
    expect(state).toMatchObject({ phase: 'training', recoveries: 0, recovery: { action: 'resume' } });
    expect(run([crash], state).phase).toBe('training');
  });

  it('a restored model resets the count too', () => {
    let state = withModel('m1');
    for (let i = 0; i < MAX_RECOVERIES; i++) state = run([crash, { type: 'loaded', dataset }], state);
    state = run([{ type: 'modelChanged', source: 'restored', model: record('m1') }], state);
    expect(state).toMatchObject({ phase: 'done', recoveries: 0, recovery: null });
    expect(run([crash], state)).toMatchObject({ phase: 'loading', recovery: { action: 'restore', id: 'm1' } });
  });

  it('a pending recovery counts as a run: a second fault before the fresh worker trains resumes or retrains it again', () => {
    // The fresh worker refuses the run's settings: the page is ready, the recovery not yet done.
    const refused = { type: 'failed', error: { kind: 'settings', message: 'epochs must be ...' } } as const;
    const resuming = run([crash, refused], midRun());
    expect(resuming).toMatchObject({ phase: 'ready', recovery: { action: 'resume' } });
    expect(run([crash], resuming)).toMatchObject({ phase: 'training', recovery: { action: 'resume' } });
    const retraining = run([crash, refused], started());
    expect(retraining).toMatchObject({ phase: 'ready', recovery: { action: 'train' } });
    expect(run([crash], retraining)).toMatchObject({ phase: 'training', recovery: { action: 'train' } });
  });

  it('the fresh worker’s data set arriving mid-recovery does not end the run', () => {
    const recovering = run([crash], midRun());
    expect(run([{ type: 'loaded', dataset }], recovering)).toMatchObject({ phase: 'training', dataset, recovery: { action: 'resume' } });
  });

  it('the model to restore is gone: the page is ready without a model, and says why', () => {
    const restoring = run([crash, { type: 'loaded', dataset }], withModel('m1'));
    expect(restoring).toMatchObject({ phase: 'ready', recovery: { action: 'restore', id: 'm1' } });
    const gone = run([{ type: 'failed', error: { kind: 'model', message: 'That saved model is gone' } }], restoring);
    expect(gone).toMatchObject({ phase: 'ready', model: null, recovery: null, modelError: { message: 'That saved model is gone' } });
    // After "Try again" the data set is loading too: the page goes on loading.
    const retried = run([{ type: 'failed', error: { kind: 'internal', message: 'x' } }, { type: 'retryRequested' }], withModel('m1'));
    expect(retried).toMatchObject({ phase: 'loading', dataset: null, recovery: { action: 'restore', id: 'm1' } });
    const early = run([{ type: 'failed', error: { kind: 'model', message: 'gone' } }], retried);
    expect(early).toMatchObject({ phase: 'loading', model: null, recovery: null, modelError: { message: 'gone' } });
  });

  it('the policy’s commands for the fresh worker: resume from the checkpoint, train the plan again, restore the model, or nothing', () => {
    expect(recoveryCommands(run([crash], midRun()))).toEqual([{ type: 'resumeCheckpoint' }]);
    const custom = { ...plan, settings: { ...DEFAULT_SETTINGS, epochs: 3 } };
    const retraining = run(
      [crash],
      run([
        { type: 'loaded', dataset },
        { type: 'trainingStarted', plan: custom },
      ]),
    );
    expect(recoveryCommands(retraining)).toEqual([{ type: 'train', settings: custom.settings }]);
    expect(recoveryCommands(run([crash], withModel('m7')))).toEqual([
      { type: 'useSavedModel', id: 'm7', backend: DEFAULT_SETTINGS.backend },
    ]);
    expect(recoveryCommands(run([crash], run([{ type: 'loaded', dataset }])))).toEqual([]);
    expect(recoveryCommands(withModel('m7'))).toEqual([]);
  });
});

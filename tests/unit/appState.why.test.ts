/**
 * "Why did it say that?" and the run history in the UI state (src/ui/state/why.ts), and the pure
 * helpers behind the charts' baseline (src/ui/runs/baseline.ts, alignSeries): an old evidence map
 * never replaces a newer one, a step goes from asked to taken to applied and a refusal ends it, the
 * baseline and the run compared with it, and a baseline longer than the live run drawn beside it.
 */
import { describe, expect, it } from 'vitest';
import type { Evidence, LearningStepNumbers, RunRecord } from '../../src/shared/protocol';
import { initialState, reduce } from '../../src/ui/state/appState';
import { baselineRun, chartBaseline, comparedRun } from '../../src/ui/state/why';
import { baselineSeries, epochPoints } from '../../src/ui/runs/baseline';
import { alignSeries } from '../../src/ui/charts/chartData';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { epoch, evaluation, record, run } from './appStateFixtures';

const evidence = (target: number): Evidence => ({ target, attributions: new Float32Array(784), score: -0.1, baselineScore: -2, steps: 32 });
const numbers = { label: 3, loss: 1.2 } as LearningStepNumbers;
const runRecord = (id: string, pinned: boolean): RunRecord => ({
  id,
  finishedAt: `2026-12-01T0${id.length}:00:00.000Z`,
  name: id,
  settings: DEFAULT_SETTINGS,
  trainer: 'engine',
  trainCount: 48_000,
  epochs: [epoch(0), epoch(1), epoch(2)],
  evaluation: { ...evaluation, stopped: false, epochsCompleted: 2 },
  pinned,
});

describe('evidence maps and learning steps in the UI state', () => {
  it('shows the newest evidence map; an older answer arriving late does not replace it', () => {
    const state = run([
      { type: 'explainRequested', requestId: 4 },
      { type: 'explainRequested', requestId: 5 },
      { type: 'digitExplained', requestId: 5, evidence: evidence(9), durationMs: 30 },
      { type: 'digitExplained', requestId: 4, evidence: evidence(7), durationMs: 30 },
    ]);
    expect(state.lastExplainRequest).toBe(5);
    expect(state.evidence?.evidence.target).toBe(9);
  });

  it('takes a step from asked to taken to applied; a refusal ends the applying and says why', () => {
    let state = run([
      { type: 'learningStepRequested', requestId: 8 },
      { type: 'learningStepTaken', requestId: 7, numbers }, // an older request's answer: not this step
    ]);
    expect(state.learningStep).toEqual({ requestId: 8, numbers: null, applying: false, applied: null });
    state = run([{ type: 'learningStepTaken', requestId: 8, numbers }, { type: 'learningStepApplyRequested' }], state);
    expect(state.learningStep).toMatchObject({ numbers, applying: true, applied: null });
    const refused = reduce(state, {
      type: 'failed',
      error: { kind: 'step', message: 'stale', said: { code: 'stepGone', values: {} } },
    });
    expect(refused.learningStep?.applying).toBe(false);
    expect(refused.stepError).toEqual({ message: 'stale', said: { code: 'stepGone', values: {} } });
    expect(refused.phase).toBe(state.phase);
    state = reduce(state, { type: 'learningStepApplied', requestId: 8, probabilities: [1], loss: 0.5 });
    expect(state.learningStep).toMatchObject({ applying: false, applied: { probabilities: [1], loss: 0.5 } });
    // A step refused before it was taken (a run started meanwhile) is gone: the button is free again.
    const refusedEarly = run(
      [
        { type: 'learningStepRequested', requestId: 10 },
        { type: 'failed', error: { kind: 'step', message: 'training', said: { code: 'stepWhileTraining', values: {} } } },
      ],
      state,
    );
    expect(refusedEarly.learningStep).toBeNull();
    // Another model in use: the step shown no longer applies.
    expect(reduce(state, { type: 'modelChanged', source: 'restored', model: record('m2') }).learningStep).toBeNull();
    // A new step starts afresh.
    state = reduce(state, { type: 'learningStepRequested', requestId: 9 });
    expect(state.learningStep).toEqual({ requestId: 9, numbers: null, applying: false, applied: null });
  });
});

describe('the run history in the UI state', () => {
  it('finds the baseline and the run compared with it: the one chosen, else the newest other one', () => {
    const runs = [runRecord('newest', false), runRecord('pinned', true), runRecord('oldest', false)];
    const state = reduce(initialState(), { type: 'runsListed', runs });
    expect(baselineRun(state.runs)?.id).toBe('pinned');
    expect(comparedRun(state.runs, state.comparedRun)?.id).toBe('newest');
    expect(comparedRun(state.runs, reduce(state, { type: 'runCompared', id: 'oldest' }).comparedRun)?.id).toBe('oldest');
    // The baseline is not compared with itself; nothing pinned, no baseline.
    expect(comparedRun(state.runs, 'pinned')?.id).toBe('newest');
    expect(baselineRun([runRecord('a', false)])).toBeNull();
    expect(comparedRun([runRecord('p', true)], null)).toBeNull();
    // The live charts draw the baseline beside another run, not beside itself.
    expect(chartBaseline(state.runs, [epoch(0), epoch(1)])?.id).toBe('pinned');
    expect(chartBaseline(state.runs, runs[1]!.epochs)).toBeNull();
    expect(chartBaseline([runRecord('a', false)], [])).toBeNull();
  });

  it('draws a 20-epoch baseline beside a run at its third epoch: every series on the same x, a missing point left out', () => {
    const live = [epoch(0), epoch(1), epoch(2)];
    const baseline = Array.from({ length: 21 }, (_, e) => epoch(e));
    const series = [
      { name: 'loss', points: epochPoints(live, 'loss') },
      ...baselineSeries(baseline, ['loss', 'accuracy', 'valLoss'], 'baseline'),
    ];
    // A curve the baseline has no values for (no validation split) is left out.
    expect(series.map((s) => [s.name, s.dashed ?? false, s.points.length])).toEqual([
      ['loss', false, 3],
      ['baseline loss', true, 21],
      ['baseline accuracy', true, 21],
    ]);
    const aligned = alignSeries(series);
    expect(aligned.map((s) => s.points.map((p) => p.x))).toEqual([0, 1, 2].map(() => Array.from({ length: 21 }, (_, e) => e)));
    expect(aligned[0]!.points.slice(0, 3).map((p) => p.y)).toEqual(live.map((e) => e.loss));
    expect(aligned[0]!.points.slice(3).every((p) => Number.isNaN(p.y))).toBe(true);
    expect(aligned[1]!.points.map((p) => p.y)).toEqual(baseline.map((e) => e.loss));
    // Series already on one x list are left as they are.
    expect(alignSeries(series.slice(1))).toEqual(series.slice(1));
  });
});

/**
 * "Why did it say that?": the evidence map of the digit looked at, one step of learning from its
 * request to its applied result, and the run history with the run compared against the baseline.
 */
import { assertNever, type EpochResult, type Evidence, type LearningStepNumbers, type RunRecord } from '../../shared/protocol';
import type { AppAction, AppState } from './base';

/** The actions of this family (routed here by appState.ts). */
export type WhyAction = Extract<AppAction, { type: WhyActionType }>;
export type WhyActionType =
  | 'digitExplained'
  | 'learningStepTaken'
  | 'learningStepApplied'
  | 'runsListed'
  | 'explainRequested'
  | 'learningStepRequested'
  | 'learningStepApplyRequested'
  | 'runCompared';

export interface EvidenceShown {
  requestId: number;
  evidence: Evidence;
  durationMs: number;
}

/** One step of learning: asked for (numbers null), taken, applied. */
export interface LearningStepShown {
  requestId: number;
  numbers: LearningStepNumbers | null;
  applying: boolean;
  applied: { probabilities: number[]; loss: number } | null;
}

export function reduceWhy(state: AppState, action: WhyAction): AppState {
  switch (action.type) {
    case 'explainRequested':
      return { ...state, lastExplainRequest: action.requestId };
    case 'digitExplained':
      // An answer to an older request than one already shown is dropped (answers come in order, but a restart may reorder).
      if (state.evidence && state.evidence.requestId > action.requestId) return state;
      return {
        ...state,
        evidence: { requestId: action.requestId, evidence: action.evidence, durationMs: action.durationMs },
        stepError: null,
      };
    case 'learningStepRequested':
      return { ...state, learningStep: { requestId: action.requestId, numbers: null, applying: false, applied: null }, stepError: null };
    case 'learningStepTaken':
      if (state.learningStep?.requestId !== action.requestId) return state;
      return { ...state, learningStep: { ...state.learningStep, numbers: action.numbers } };
    case 'learningStepApplyRequested':
      return state.learningStep ? { ...state, learningStep: { ...state.learningStep, applying: true }, stepError: null } : state;
    case 'learningStepApplied':
      if (state.learningStep?.requestId !== action.requestId) return state;
      return {
        ...state,
        learningStep: { ...state.learningStep, applying: false, applied: { probabilities: action.probabilities, loss: action.loss } },
      };
    case 'runsListed':
      return { ...state, runs: action.runs };
    case 'runCompared':
      return { ...state, comparedRun: action.id };
    default:
      return assertNever(action);
  }
}

/** The baseline (the pinned run), if any. */
export function baselineRun(runs: readonly RunRecord[] | null): RunRecord | null {
  return runs?.find((run) => run.pinned) ?? null;
}

/**
 * The baseline the live charts draw beside the run they show: none when that run is the baseline
 * itself (pinned just after it finished), which would only draw its own curves again, dashed.
 */
export function chartBaseline(runs: readonly RunRecord[] | null, shown: readonly EpochResult[]): RunRecord | null {
  const baseline = baselineRun(runs);
  if (!baseline) return null;
  const same =
    baseline.epochs.length === shown.length &&
    baseline.epochs.every((e, i) => e.epoch === shown[i]!.epoch && e.loss === shown[i]!.loss && e.valLoss === shown[i]!.valLoss);
  return same ? null : baseline;
}

/** The run compared with the baseline: the one chosen, else the newest run that is not the baseline. */
export function comparedRun(runs: readonly RunRecord[] | null, chosen: string | null): RunRecord | null {
  if (!runs) return null;
  return runs.find((run) => run.id === chosen && !run.pinned) ?? runs.find((run) => !run.pinned) ?? null;
}

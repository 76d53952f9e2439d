/**
 * The digit the Inside and Why panels look at: a digit picked in a gallery, the drawing on the Draw
 * panel, or else the test set's first digit (a 7 in MNIST), so neither panel is empty once there is
 * a model. One hook asks the worker for the picked digit's layers (App calls it once); the other
 * reads what has arrived, in any panel.
 */
import { useEffect } from 'react';
import type { LayerActivation } from '../../shared/protocol';
import { awaitingFirstEpoch, type AppState } from '../state/appState';
import type { TrainerView } from '../hooks/useTrainer';
import { useFormat, useStrings } from '../i18n/I18n';

const FIRST_TEST_DIGIT = { split: 'test', index: 0 } as const;

type SubjectState = Pick<AppState, 'model' | 'plan' | 'inspecting' | 'inspected' | 'reading' | 'epochs' | 'phase'>;

export interface Subject {
  input: Float32Array;
  activations: LayerActivation[];
  title: string;
  /** The test set's first digit, shown because nothing was drawn or picked. */
  isDefault: boolean;
  /** The data set's label; null for a drawing. */
  label: number | null;
  /** The network's answer: the likeliest digit. */
  predicted: number;
  /** Changes when the digit or its reading does (a new drawing, another digit, a new epoch's reading). */
  key: string;
}

/** The data set digit shown (picked, or the default while nothing is drawn), or null for the drawing. */
function shownDigit(state: SubjectState) {
  const drawn = state.reading?.input && state.reading.activations ? state.reading : null;
  return state.inspecting ?? (drawn ? null : FIRST_TEST_DIGIT);
}

/** A fingerprint of the model in use: a change (another model, a new epoch) means the subject is read again. */
function modelKey(state: Pick<AppState, 'model' | 'epochs'>): string {
  const model = state.model ? `${state.model.source} ${state.model.record.id} ${state.model.record.savedAt}` : '';
  return `${model} @${state.epochs.length}`;
}

/** Asks the worker for the shown data set digit's layers, again after every epoch and when the model changes. */
export function useSubjectRequests(trainer: TrainerView<keyof SubjectState, 'inspectDigit'>): void {
  const { state, inspectDigit } = trainer;
  const hasModel = state.plan !== null || state.model !== null;
  const shown = shownDigit(state);
  const split = shown?.split;
  const index = shown?.index;
  const key = modelKey(state);
  const waiting = awaitingFirstEpoch(state);
  useEffect(() => {
    if (split !== undefined && index !== undefined && hasModel && !waiting) inspectDigit(split, index);
  }, [split, index, hasModel, key, waiting, inspectDigit]);
}

const argMax = (values: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

/** What the panels show, from what has arrived; null while the shown digit's answer is on its way. */
export function useSubject(state: SubjectState): Subject | null {
  const s = useStrings().inside;
  const format = useFormat();
  const shown = shownDigit(state);
  const { inspected, reading } = state;
  if (shown) {
    if (!inspected || inspected.split !== shown.split || inspected.index !== shown.index) return null;
    return {
      input: inspected.pixels,
      activations: inspected.activations,
      title: s.digitSubject(inspected.split, format.count(inspected.index), inspected.label),
      isDefault: !state.inspecting,
      label: inspected.label,
      predicted: argMax(inspected.activations.at(-1)!.values),
      // The worker sends a new reading after every epoch: the arrays themselves tell the readings apart.
      key: `${inspected.split} ${inspected.index} ${readingId(inspected.activations)}`,
    };
  }
  if (!reading?.input || !reading.activations) return null;
  return {
    input: reading.input.pixels,
    activations: reading.activations,
    title: s.drawingSubject,
    isDefault: false,
    label: null,
    predicted: argMax(reading.activations.at(-1)!.values),
    // By its strokes, not its reading: a digit chosen for it ("why not a 9?") stays through the re-reads of every epoch.
    key: `drawing ${reading.strokeCount} ${readingId(reading.activations)}`,
  };
}

/** A distinct number for each reading the worker sends (its arrays are new objects each time). */
const readingIds = new WeakMap<object, number>();
let nextReadingId = 1;
function readingId(activations: LayerActivation[]): number {
  let id = readingIds.get(activations);
  if (id === undefined) {
    id = nextReadingId++;
    readingIds.set(activations, id);
  }
  return id;
}

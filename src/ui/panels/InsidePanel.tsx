import { useEffect, useMemo, useRef } from 'react';
import type { LayerActivation } from '../../shared/protocol';
import { isRunning } from '../state/appState';
import { ConvExplainer } from '../inside/ConvExplainer';
import { FeatureMaps } from '../inside/FeatureMaps';
import { Filters } from '../inside/Filters';
import { useSeen } from '../hooks/useSeen';
import type { TrainerView } from '../hooks/useTrainer';
import { Panel } from './Panel';
import { useFormat, useStrings } from '../i18n/I18n';

/**
 * The digit shown until one is drawn or picked: the test set's first digit (a 7 in MNIST), so the
 * panel is never empty once there is a model.
 */
const FIRST_TEST_DIGIT = { split: 'test', index: 0 } as const;

/**
 * What the network does with one digit: a digit picked in a gallery, the drawing on the Draw
 * panel, or else the test set's first digit.
 */
function useSubject(
  trainer: InsidePanelTrainer,
): { input: Float32Array; activations: LayerActivation[]; title: string; isDefault: boolean } | null {
  const strings = useStrings();
  const s = strings.inside;
  const format = useFormat();
  const { state, inspectDigit } = trainer;
  const { inspecting, inspected, reading } = state;
  // A picked digit is read again after every epoch and when the model changes, like the drawing.
  const epochs = state.epochs.length;
  const model = state.model ? `${state.model.source} ${state.model.record.id} ${state.model.record.savedAt}` : '';
  const hasModel = state.plan !== null || state.model !== null;
  const drawn = reading?.input && reading.activations ? reading : null;
  const shown = inspecting ?? (drawn ? null : FIRST_TEST_DIGIT);
  const shownSplit = shown?.split;
  const shownIndex = shown?.index;
  useEffect(() => {
    if (shownSplit !== undefined && shownIndex !== undefined && hasModel) inspectDigit(shownSplit, shownIndex);
  }, [shownSplit, shownIndex, hasModel, epochs, model, inspectDigit]);
  if (shown) {
    if (!inspected || inspected.split !== shown.split || inspected.index !== shown.index) return null;
    return {
      input: inspected.pixels,
      activations: inspected.activations,
      title: s.digitSubject(inspected.split, format.count(inspected.index), inspected.label),
      isDefault: !inspecting,
    };
  }
  if (!drawn?.input || !drawn.activations) return null;
  return { input: drawn.input.pixels, activations: drawn.activations, title: s.drawingSubject, isDefault: false };
}

type InsidePanelTrainer = TrainerView<
  'model' | 'plan' | 'filters' | 'filtersEpoch' | 'inspecting' | 'inspected' | 'reading' | 'phase' | 'epochs',
  'inspect' | 'inspectDigit'
>;

/**
 * Inside the network it is training: the feature maps of every layer, the filters, and a
 * convolution worked step by step. Everything is drawn from the numbers the worker sends.
 */
export function InsidePanel({ trainer }: { trainer: InsidePanelTrainer }) {
  const strings = useStrings();
  const s = strings.inside;
  const { state } = trainer;
  const subject = useSubject(trainer);
  const top = useRef<HTMLDivElement>(null);
  // A whole screen ahead, not 400 px: the Inside panel is the last one, and its controls exist only
  // once mounted, so a keyboard user gets to them only if Tab through the Draw panel (the stops just
  // before) brings it that near. At 1280x900 the panel starts 525 px below the drawing area.
  const seen = useSeen(top, '100%');
  const hasModel = state.plan !== null || state.model !== null;
  const conv1 = state.filters?.[0];
  const conv1Index = subject?.activations.findIndex((a) => a.name === conv1?.name) ?? -1;
  const conv1Output = subject?.activations[conv1Index];
  // conv1's input: the digit itself, or the padded digit (the classic preset's first layer pads).
  const before = conv1Index > 0 ? subject?.activations[conv1Index - 1] : undefined;
  const digit = subject?.input;
  const conv1Input = useMemo(
    () => (before ? { size: before.shape[0]!, pixels: before.values } : digit ? { size: 28, pixels: digit } : null),
    [before, digit],
  );
  return (
    <Panel id="inside" title={strings.panels.inside}>
      <p className="muted" ref={top} data-seen={seen}>
        {s.intro}
      </p>
      {!hasModel ? <p data-testid="inside-waiting">{s.noModel}</p> : null}
      {hasModel ? (
        <p className="inside__subject">
          <strong>
            {s.showing}
            {strings.colon}
          </strong>{' '}
          {subject?.title ?? s.reading}
          {subject?.isDefault ? <span className="muted small"> ({s.drawFirst})</span> : null}
          {state.inspecting ? (
            <>
              {' '}
              <button type="button" className="secondary" onClick={() => trainer.inspect(null)}>
                {s.backToDrawing}
              </button>
            </>
          ) : null}
          {isRunning(state.phase) ? <span className="muted"> · {s.updatesEachEpoch}</span> : null}
        </p>
      ) : null}
      {seen && subject ? (
        <>
          <h3>{s.featureMaps}</h3>
          <FeatureMaps input={subject.input} activations={subject.activations} />
        </>
      ) : null}
      {seen && state.filters ? (
        <>
          <h3>{s.filters}</h3>
          <Filters filters={state.filters} epoch={state.filtersEpoch} />
        </>
      ) : null}
      {seen && conv1 && conv1Output && conv1Input ? (
        <>
          <h3>{s.explainer}</h3>
          <p className="muted">{s.explainerIntro}</p>
          <ConvExplainer input={conv1Input} output={conv1Output} filters={conv1} />
        </>
      ) : null}
    </Panel>
  );
}

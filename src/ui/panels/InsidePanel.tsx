import { useMemo, useRef } from 'react';
import { isRunning } from '../state/appState';
import { ConvExplainer } from '../inside/ConvExplainer';
import { FeatureMaps } from '../inside/FeatureMaps';
import { Filters } from '../inside/Filters';
import { useSeen } from '../hooks/useSeen';
import type { TrainerView } from '../hooks/useTrainer';
import { Panel } from './Panel';
import { useSubject } from '../inside/subject';
import { useStrings } from '../i18n/I18n';

type InsidePanelTrainer = TrainerView<
  'model' | 'plan' | 'filters' | 'filtersEpoch' | 'inspecting' | 'inspected' | 'reading' | 'phase' | 'epochs',
  'inspect'
>;

/**
 * Inside the network it is training: the feature maps of every layer, the filters, and a
 * convolution worked step by step. Everything is drawn from the numbers the worker sends.
 */
export function InsidePanel({ trainer }: { trainer: InsidePanelTrainer }) {
  const strings = useStrings();
  const s = strings.inside;
  const { state } = trainer;
  const subject = useSubject(state);
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

import { useRef } from 'react';
import { isRunning } from '../state/appState';
import { useSeen } from '../hooks/useSeen';
import { useSubject } from '../inside/subject';
import { EvidenceView } from '../why/EvidenceView';
import { LearningStepView } from '../why/LearningStepView';
import type { TrainerView } from '../hooks/useTrainer';
import { Panel } from './Panel';
import { useSay, useStrings } from '../i18n/I18n';

type WhyPanelTrainer = TrainerView<
  | 'model'
  | 'plan'
  | 'inspecting'
  | 'inspected'
  | 'reading'
  | 'phase'
  | 'epochs'
  | 'evidence'
  | 'lastExplainRequest'
  | 'learningStep'
  | 'stepError',
  'inspect' | 'explain' | 'takeLearningStep' | 'applyLearningStep' | 'keepLearningStep'
>;

/**
 * "Why did it say that?" (issue 18): for the digit the Inside panel shows too (the drawing, or a
 * digit picked in a gallery), where the network found its evidence, and one step of learning.
 */
export function WhyPanel({ trainer }: { trainer: WhyPanelTrainer }) {
  const strings = useStrings();
  const s = strings.why;
  const say = useSay();
  const { state } = trainer;
  const subject = useSubject(state);
  const hasModel = state.plan !== null || state.model !== null;
  const settings = state.model?.record.settings ?? null;
  // The evidence map is asked for after every epoch: only once the panel has come near the screen
  // (a screen ahead, as the Inside panel), so a run nobody is looking at here does not pay for it.
  const top = useRef<HTMLParagraphElement>(null);
  const seen = useSeen(top, '100%');
  return (
    <Panel id="why" title={strings.panels.why}>
      <p className="muted" ref={top} data-seen={seen}>
        {s.intro}
      </p>
      {!hasModel ? <p data-testid="why-waiting">{s.noModel}</p> : null}
      {hasModel ? (
        <p className="inside__subject" data-testid="why-subject">
          <strong>
            {strings.inside.showing}
            {strings.colon}
          </strong>{' '}
          {subject?.title ?? strings.inside.reading}
          {subject?.isDefault ? <span className="muted small"> ({strings.inside.drawFirst})</span> : null}
          {state.inspecting ? (
            <>
              {' '}
              <button type="button" className="secondary" onClick={() => trainer.inspect(null)}>
                {strings.inside.backToDrawing}
              </button>
            </>
          ) : null}
        </p>
      ) : null}
      {state.stepError ? (
        <p className="error" role="alert" data-testid="why-error">
          {say(state.stepError)}
        </p>
      ) : null}
      {hasModel && subject && seen ? (
        <>
          <h3>{s.evidenceTitle}</h3>
          <EvidenceView subject={subject} shown={state.evidence} lastRequest={state.lastExplainRequest} explain={trainer.explain} />
          <h3>{s.stepTitle}</h3>
          <LearningStepView
            subject={subject}
            step={state.learningStep}
            defaults={settings ? { optimizer: settings.optimizer, learningRate: settings.learningRate } : null}
            busy={isRunning(state.phase) || state.model === null}
            take={trainer.takeLearningStep}
            apply={trainer.applyLearningStep}
            keep={trainer.keepLearningStep}
          />
        </>
      ) : null}
    </Panel>
  );
}

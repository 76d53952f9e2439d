import { useEffect } from 'react';
import { isRunning, type AppState } from '../ui/appState';
import { DataPanel } from '../ui/panels/DataPanel';
import { EvaluatePanel } from '../ui/panels/EvaluatePanel';
import { ModelPanel } from '../ui/panels/ModelPanel';
import { ModelsPanel, savedModelLabel } from '../ui/panels/ModelsPanel';
import { DrawPanel } from '../ui/panels/DrawPanel';
import { ExplorerPanel } from '../ui/panels/ExplorerPanel';
import { InsidePanel } from '../ui/panels/InsidePanel';
import { TrainPanel } from '../ui/panels/TrainPanel';
import { strings } from '../ui/strings';
import { usePresentMode } from '../ui/usePresentMode';
import { useTrainer, type Trainer } from '../ui/useTrainer';

const PANELS = ['data', 'explorer', 'model', 'train', 'evaluate', 'models', 'draw', 'inside'] as const;
/** What a projector shows: the curves, the results, the canvas and its prediction. */
const PRESENT_PANELS = ['train', 'evaluate', 'draw'] as const;

/** The tab's title shows the run's progress: a class can follow it from another tab. */
function useProgressTitle(state: AppState) {
  const epoch = state.batch?.epoch;
  const total = state.plan?.settings.epochs;
  const title = isRunning(state.phase) && epoch && total ? `${strings.train.epoch} ${epoch}/${total} · ${strings.title}` : strings.title;
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** Faults the app recovered from, and on a fresh page the model saved last time. */
function Banners({ trainer }: { trainer: Trainer }) {
  const { state } = trainer;
  const newest = state.savedModels[0];
  const offer = newest && !state.model && !isRunning(state.phase) && !state.recovery ? newest : null;
  return (
    <>
      {state.notice ? (
        <div className="notice banner" role="status" data-testid="fault-notice">
          <span>{state.notice}</span>
          <button type="button" className="secondary" onClick={trainer.dismissNotice}>
            {strings.models.dismiss}
          </button>
        </div>
      ) : null}
      {offer ? (
        <div className="notice banner" data-testid="saved-model-offer-box">
          <span>{strings.models.offer}</span>
          <button
            type="button"
            data-testid="saved-model-offer"
            disabled={state.dataset === null}
            onClick={() => trainer.useSavedModel(offer.id)}
          >
            {savedModelLabel(offer)}
          </button>
        </div>
      ) : null}
    </>
  );
}

/** Page layout: header, panel navigation, the panels. `data-state` is the automation contract. */
export function App() {
  const trainer = useTrainer();
  const { state } = trainer;
  const { present, togglePresent } = usePresentMode();
  useProgressTitle(state);
  const shown = (id: (typeof PANELS)[number]) => !present || (PRESENT_PANELS as readonly string[]).includes(id);
  return (
    <div className={present ? 'app app--present' : 'app'} id="app" data-state={state.phase} data-present={present}>
      <header className="app__header">
        <div className="app__title">
          <h1>{strings.title}</h1>
          <button type="button" className="secondary" data-testid="present-toggle" aria-pressed={present} onClick={togglePresent}>
            {present ? strings.present.off : strings.present.on}
          </button>
        </div>
        {present ? null : <p className="app__tagline">{strings.tagline}</p>}
        <nav aria-label={strings.panelsLabel}>
          {PANELS.filter(shown).map((id) => (
            <a key={id} href={`#${id}`}>
              {strings.panels[id]}
            </a>
          ))}
        </nav>
        <Banners trainer={trainer} />
      </header>
      <main className="app__panels">
        {shown('data') ? (
          <DataPanel phase={state.phase} progress={state.progress} dataset={state.dataset} error={state.error} onRetry={trainer.retry} />
        ) : null}
        {shown('explorer') ? (
          <ExplorerPanel
            loaded={state.dataset !== null}
            labelCounts={state.dataset?.labelCounts ?? null}
            evaluation={state.evaluation}
            digitLists={state.digitLists}
            queryDigits={trainer.queryDigits}
            inspect={trainer.inspect}
          />
        ) : null}
        {shown('model') ? <ModelPanel summary={state.modelSummary} /> : null}
        <TrainPanel trainer={trainer} present={present} />
        <EvaluatePanel
          evaluation={state.evaluation}
          digitLists={state.digitLists}
          queryDigits={trainer.queryDigits}
          inspect={trainer.inspect}
          present={present}
        />
        {shown('models') ? <ModelsPanel trainer={trainer} /> : null}
        <DrawPanel trainer={trainer} present={present} />
        {shown('inside') ? <InsidePanel trainer={trainer} /> : null}
      </main>
    </div>
  );
}

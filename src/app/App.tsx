import { DataPanel } from '../ui/panels/DataPanel';
import { EvaluatePanel } from '../ui/panels/EvaluatePanel';
import { ModelPanel } from '../ui/panels/ModelPanel';
import { Panel } from '../ui/panels/Panel';
import { TrainPanel } from '../ui/panels/TrainPanel';
import { strings } from '../ui/strings';
import { useTrainer } from '../ui/useTrainer';

const PANELS = ['data', 'model', 'train', 'evaluate', 'draw'] as const;

/** Page layout: header, panel navigation, the panels. `data-state` is the automation contract. */
export function App() {
  const trainer = useTrainer();
  const { state } = trainer;
  return (
    <div className="app" id="app" data-state={state.phase}>
      <header className="app__header">
        <h1>{strings.title}</h1>
        <p className="app__tagline">{strings.tagline}</p>
        <nav aria-label="Panels">
          {PANELS.map((id) => (
            <a key={id} href={`#${id}`}>
              {strings.panels[id]}
            </a>
          ))}
        </nav>
      </header>
      <main className="app__panels">
        <DataPanel state={state} onRetry={trainer.retry} />
        <ModelPanel summary={state.modelSummary} />
        <TrainPanel trainer={trainer} />
        <EvaluatePanel evaluation={state.evaluation} />
        <Panel id="draw" title={strings.panels.draw} muted>
          <p>{strings.upcoming.draw}</p>
          <p className="muted">{strings.comingNext}</p>
        </Panel>
      </main>
    </div>
  );
}

import { DataPanel } from '../ui/panels/DataPanel';
import { EvaluatePanel } from '../ui/panels/EvaluatePanel';
import { ModelPanel } from '../ui/panels/ModelPanel';
import { DrawPanel } from '../ui/panels/DrawPanel';
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
        <DataPanel phase={state.phase} progress={state.progress} dataset={state.dataset} error={state.error} onRetry={trainer.retry} />
        <ModelPanel summary={state.modelSummary} />
        <TrainPanel trainer={trainer} />
        <EvaluatePanel evaluation={state.evaluation} />
        <DrawPanel trainer={trainer} />
      </main>
    </div>
  );
}

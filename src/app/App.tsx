import { Panel } from '../ui/panels/Panel';
import { DataPanel } from '../ui/panels/DataPanel';
import { strings } from '../ui/strings';
import { useTrainer } from '../ui/useTrainer';

const UPCOMING = ['model', 'train', 'evaluate', 'draw'] as const;

/** Page layout: header, panel navigation, the panels. `data-state` is the automation contract. */
export function App() {
  const { state, retry } = useTrainer();
  return (
    <div className="app" id="app" data-state={state.phase}>
      <header className="app__header">
        <h1>{strings.title}</h1>
        <p className="app__tagline">{strings.tagline}</p>
        <nav aria-label="Panels">
          <a href="#data">{strings.panels.data}</a>
          {UPCOMING.map((id) => (
            <a key={id} href={`#${id}`}>
              {strings.panels[id]}
            </a>
          ))}
        </nav>
      </header>
      <main className="app__panels">
        <DataPanel state={state} onRetry={retry} />
        {UPCOMING.map((id) => (
          <Panel key={id} id={id} title={strings.panels[id]} muted>
            <p>{strings.upcoming[id]}</p>
            <p className="muted">{strings.comingNext}</p>
          </Panel>
        ))}
      </main>
    </div>
  );
}

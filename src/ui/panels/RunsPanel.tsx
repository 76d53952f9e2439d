import type { TrainerView } from '../hooks/useTrainer';
import { baselineRun, comparedRun } from '../state/why';
import { RunComparison } from '../runs/RunComparison';
import { Panel } from './Panel';
import { modelName } from './ModelsPanel';
import { useFormat, useStrings } from '../i18n/I18n';

type RunsPanelTrainer = TrainerView<'runs' | 'comparedRun', 'pinRun' | 'deleteRun' | 'compareRun'>;

/**
 * Runs compared (issue 18): every finished run kept in this browser, one pinned as the baseline,
 * and the baseline beside another run: settings, results and the difference of their confusion matrices.
 */
export function RunsPanel({ trainer }: { trainer: RunsPanelTrainer }) {
  const strings = useStrings();
  const s = strings.runs;
  const format = useFormat();
  const { runs } = trainer.state;
  const baseline = baselineRun(runs);
  const other = comparedRun(runs, trainer.state.comparedRun);
  return (
    <Panel id="runs" title={strings.panels.runs}>
      <p className="muted">{s.intro}</p>
      {runs && runs.length === 0 ? <p data-testid="run-history-empty">{s.empty}</p> : null}
      {runs && runs.length > 0 ? (
        <>
          <h3>{s.history}</h3>
          <ol className="run-history" data-testid="run-history" aria-label={s.history}>
            {runs.map((run) => {
              const compared = other?.id === run.id && baseline !== null;
              const name = modelName({ ...run, origin: 'trained' }, strings, format);
              return (
                <li
                  key={run.id}
                  className={run.pinned ? 'run run--baseline' : compared ? 'run run--compared' : 'run'}
                  data-testid="run"
                  data-run-id={run.id}
                  data-pinned={run.pinned}
                  data-compared={compared}
                  data-accuracy={run.evaluation.accuracy}
                >
                  <span className="run__name">
                    {run.pinned ? <strong className="run__badge">{s.pinned}</strong> : null}
                    {s.runLabel(name, format.dateTime(run.finishedAt))}
                  </span>
                  <span className="run__accuracy">{s.accuracy(format.percent(run.evaluation.accuracy))}</span>
                  <span className="controls run__actions">
                    <button
                      type="button"
                      className="secondary"
                      data-testid="pin-baseline"
                      data-run-id={run.id}
                      aria-label={`${run.pinned ? s.unpin : s.pin}: ${name}`}
                      onClick={() => trainer.pinRun(run.pinned ? null : run.id)}
                    >
                      {run.pinned ? s.unpin : s.pin}
                    </button>
                    {baseline && !run.pinned ? (
                      <button
                        type="button"
                        className="secondary"
                        data-testid="compare-run"
                        data-run-id={run.id}
                        aria-label={`${compared ? s.comparing : s.compare}: ${name}`}
                        onClick={() => trainer.compareRun(run.id)}
                      >
                        {compared ? s.comparing : s.compare}
                      </button>
                    ) : null}
                    <button
                      type="button"
                      className="secondary"
                      data-testid="delete-run"
                      data-run-id={run.id}
                      aria-label={`${s.deleteRun}: ${name}`}
                      onClick={() => trainer.deleteRun(run.id)}
                    >
                      {s.deleteRun}
                    </button>
                  </span>
                </li>
              );
            })}
          </ol>
          <h3>{s.comparison}</h3>
          {!baseline ? <p className="muted">{s.noBaseline}</p> : null}
          {baseline && !other ? <p className="muted">{s.onlyBaseline}</p> : null}
          {baseline && other ? <RunComparison baseline={baseline} other={other} /> : null}
        </>
      ) : null}
    </Panel>
  );
}

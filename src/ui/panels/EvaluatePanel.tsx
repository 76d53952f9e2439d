import { memo } from 'react';
import type { TestEvaluation } from '../../worker/protocol';
import { ConfusionMatrixChart } from '../charts';
import { formatCount, formatPercent } from '../format';
import { strings } from '../strings';
import { Panel } from './Panel';

const s = strings.evaluate;

/** Test loss and accuracy, the confusion matrix and per-class accuracy of the model just trained. */
export const EvaluatePanel = memo(function EvaluatePanel({ evaluation }: { evaluation: TestEvaluation | null }) {
  return (
    <Panel id="evaluate" title={strings.panels.evaluate}>
      {evaluation ? <Results evaluation={evaluation} /> : <p className="muted">{s.waiting}</p>}
    </Panel>
  );
});

function Results({ evaluation }: { evaluation: TestEvaluation }) {
  const digits = evaluation.confusion.map((_, i) => i);
  return (
    <>
      <div className="metrics">
        <div className="metric">
          <span className="metric__label">{s.testAccuracy}</span>
          <span className="metric__value" data-testid="test-accuracy" data-value={evaluation.accuracy}>
            {formatPercent(evaluation.accuracy)}
          </span>
        </div>
        <div className="metric">
          <span className="metric__label">{s.testLoss}</span>
          <span className="metric__value" data-testid="test-loss" data-value={evaluation.loss}>
            {evaluation.loss.toFixed(4)}
          </span>
        </div>
      </div>
      {evaluation.stopped ? <p className="muted">{s.stoppedNote(evaluation.epochsCompleted)}</p> : null}
      <figure className="confusion" data-testid="confusion-matrix">
        <figcaption>{s.confusion}</figcaption>
        <ConfusionMatrixChart confusion={evaluation.confusion} />
        <details className="chart__table">
          <summary>{s.table}</summary>
          <table className="confusion__table">
            <thead>
              <tr>
                <th scope="col">
                  {s.truth} \ {s.predicted}
                </th>
                {digits.map((d) => (
                  <th key={d} scope="col">
                    {d}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {evaluation.confusion.map((row, truth) => (
                <tr key={truth}>
                  <th scope="row">{truth}</th>
                  {row.map((count, predicted) => (
                    <td
                      key={predicted}
                      data-testid={`confusion-cell-${truth}-${predicted}`}
                      className={truth === predicted ? 'diagonal' : count > 0 ? 'mistake' : ''}
                    >
                      {formatCount(count)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figure>
      <table className="per-class" data-testid="per-class-accuracy">
        <caption>{s.perClass}</caption>
        <thead>
          <tr>
            <th scope="row">{s.digit}</th>
            {digits.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{s.accuracy}</th>
            {evaluation.perClassAccuracy.map((a, d) => (
              <td key={d}>{Number.isNaN(a) ? '–' : formatPercent(a, 1)}</td>
            ))}
          </tr>
        </tbody>
      </table>
    </>
  );
}

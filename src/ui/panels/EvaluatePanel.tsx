import { memo, useRef, useState } from 'react';
import type { DigitItem, DigitQuery, TestEvaluation } from '../../shared/protocol';
import type { DigitList } from '../state/appState';
import { ConfusionMatrixChart } from '../charts/charts';
import { ConfusionTable, DigitHeaders } from '../charts/ConfusionTable';
import { ReliabilityCurve } from '../charts/ReliabilityCurve';
import { DigitGallery, lookInside, useDigitList } from '../digits/DigitGallery';
import type { TrainerHandle } from '../hooks/useTrainer';
import { useSeen } from '../hooks/useSeen';
import { Panel } from './Panel';
import { useFormat, useStrings } from '../i18n/I18n';

interface EvaluatePanelProps {
  evaluation: TestEvaluation | null;
  /** Projector mode: the figures and the matrix only. */
  present?: boolean;
  digitLists: Record<string, DigitList>;
  queryDigits: TrainerHandle['queryDigits'];
  inspect: TrainerHandle['inspect'];
}

/** Test loss and accuracy, the confusion matrix (click a cell for its digits), per-class accuracy and the mistakes. */
export const EvaluatePanel = memo(function EvaluatePanel({
  evaluation,
  digitLists,
  queryDigits,
  inspect,
  present = false,
}: EvaluatePanelProps) {
  const strings = useStrings();
  const s = strings.evaluate;
  const [cell, setCell] = useState<{ truth: number; predicted: number } | null>(null);
  return (
    <Panel id="evaluate" title={strings.panels.evaluate}>
      {evaluation ? (
        <>
          <Results evaluation={evaluation} selected={cell} onCell={setCell} present={present} />
          {present ? null : (
            <Mistakes
              evaluation={evaluation}
              cell={cell}
              onAll={() => setCell(null)}
              lists={{ state: { digitLists }, queryDigits }}
              onPick={(item) => lookInside(inspect, item)}
            />
          )}
        </>
      ) : (
        <p className="muted">{s.waiting}</p>
      )}
    </Panel>
  );
});

interface MistakesProps {
  evaluation: TestEvaluation;
  cell: { truth: number; predicted: number } | null;
  onAll: () => void;
  lists: Parameters<typeof useDigitList>[0];
  onPick: (item: DigitItem) => void;
}

/** The most confident mistakes first, or the digits of the confusion-matrix cell clicked. */
function Mistakes({ evaluation, cell, onAll, lists, onPick }: MistakesProps) {
  const strings = useStrings();
  const s = strings.evaluate;
  const format = useFormat();
  const [offsets, setOffsets] = useState<Record<string, number>>({});
  const top = useRef<HTMLElement>(null);
  const seen = useSeen(top);
  const query: DigitQuery = cell ? { kind: 'cell', ...cell } : { kind: 'mistakes' };
  const key = cell ? `${cell.truth}-${cell.predicted}` : 'mistakes';
  const offset = offsets[key] ?? 0;
  const list = useDigitList(lists, seen ? query : null, offset, evaluation);
  const count = cell
    ? evaluation.confusion[cell.truth]![cell.predicted]!
    : evaluation.count - Math.round(evaluation.accuracy * evaluation.count);
  return (
    <section className="mistakes" data-testid="mistakes-gallery" data-cell={cell ? key : ''} ref={top} data-seen={seen}>
      <h3>
        {cell
          ? cell.truth === cell.predicted
            ? s.cellRight(cell.truth, format.count(count))
            : s.cellWrong(cell.truth, cell.predicted, format.count(count))
          : s.mistakes(format.count(count), format.count(evaluation.count))}
      </h3>
      <p className="muted">
        {cell ? s.cellHint : s.mistakesHint}{' '}
        {cell ? (
          <button type="button" className="secondary" onClick={onAll}>
            {s.allMistakes}
          </button>
        ) : null}
      </p>
      <DigitGallery
        list={list}
        testId="mistakes-digits"
        empty={s.noDigits}
        onPick={onPick}
        onPage={(next) => setOffsets((o) => ({ ...o, [key]: next }))}
      />
    </section>
  );
}

interface ResultsProps {
  evaluation: TestEvaluation;
  present: boolean;
  selected: { truth: number; predicted: number } | null;
  onCell: (cell: { truth: number; predicted: number }) => void;
}

function Results({ evaluation, selected, onCell, present }: ResultsProps) {
  const strings = useStrings();
  const s = strings.evaluate;
  const format = useFormat();
  return (
    <>
      <div className="metrics">
        <div className="metric">
          <span className="metric__label">{s.testAccuracy}</span>
          <span className="metric__value" data-testid="test-accuracy" data-value={evaluation.accuracy}>
            {format.percent(evaluation.accuracy)}
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
        {present ? null : (
          <details className="chart__table" open>
            <summary>{s.clickableTable}</summary>
            <ConfusionTable
              confusion={evaluation.confusion}
              corner={`${s.truth} \\ ${s.predicted}`}
              cell={(count, truth, predicted) => (
                <button
                  type="button"
                  className="confusion__cell"
                  data-testid={`confusion-cell-${truth}-${predicted}`}
                  aria-pressed={selected?.truth === truth && selected.predicted === predicted}
                  aria-label={s.cellLabel(truth, predicted, format.count(count))}
                  disabled={count === 0}
                  onClick={() => onCell({ truth, predicted })}
                >
                  {format.count(count)}
                </button>
              )}
            />
          </details>
        )}
      </figure>
      {present || !evaluation.reliability ? null : <ReliabilityCurve curve={evaluation.reliability} />}
      {present ? null : (
        <table className="per-class" data-testid="per-class-accuracy">
          <caption>{s.perClass}</caption>
          <thead>
            <tr>
              <th scope="row">{s.digit}</th>
              <DigitHeaders />
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{s.accuracy}</th>
              {evaluation.perClassAccuracy.map((a, d) => (
                <td key={d}>{Number.isNaN(a) ? '–' : format.percent(a, 1)}</td>
              ))}
            </tr>
          </tbody>
        </table>
      )}
    </>
  );
}

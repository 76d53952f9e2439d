import { memo, useRef, useState } from 'react';
import type { SplitName, TestEvaluation } from '../../shared/protocol';
import type { DigitList } from '../state/appState';
import { DigitGallery, lookInside, useDigitList } from '../digits/DigitGallery';
import type { TrainerHandle } from '../hooks/useTrainer';
import { useSeen } from '../hooks/useSeen';
import { Panel } from './Panel';
import { useFormat, useStrings } from '../i18n/I18n';

interface ExplorerPanelProps {
  loaded: boolean;
  labelCounts: { train: number[]; test: number[] } | null;
  /** Test digits carry the model's answer once it has been evaluated: pages are asked again then. */
  evaluation: TestEvaluation | null;
  digitLists: Record<string, DigitList>;
  queryDigits: TrainerHandle['queryDigits'];
  inspect: TrainerHandle['inspect'];
}

/** Every training and test digit, by class, a page at a time; a click looks inside the network. */
export const ExplorerPanel = memo(function ExplorerPanel(props: ExplorerPanelProps) {
  const strings = useStrings();
  const s = strings.explorer;
  const format = useFormat();
  const { loaded, labelCounts, evaluation, digitLists, queryDigits, inspect } = props;
  const [split, setSplit] = useState<SplitName>('train');
  const [label, setLabel] = useState(0);
  const [offset, setOffset] = useState(0);
  const top = useRef<HTMLDivElement>(null);
  const seen = useSeen(top);
  const list = useDigitList(
    { state: { digitLists }, queryDigits },
    loaded && seen ? { kind: 'class', split, label } : null,
    offset,
    evaluation,
  );
  const choose = (nextSplit: SplitName, nextLabel: number) => {
    setSplit(nextSplit);
    setLabel(nextLabel);
    setOffset(0);
  };
  return (
    <Panel id="explorer" title={strings.panels.explorer}>
      <div data-testid="data-explorer" data-split={split} data-label={label} ref={top} data-seen={seen}>
        <p className="muted">{s.intro}</p>
        <div className="controls" role="group" aria-label={s.split}>
          {(['train', 'test'] as const).map((name) => (
            <button
              key={name}
              type="button"
              className="secondary"
              aria-pressed={split === name}
              data-testid={`explorer-split-${name}`}
              onClick={() => choose(name, label)}
            >
              {s.splits[name]}
            </button>
          ))}
        </div>
        <div className="controls" role="group" aria-label={s.digit}>
          {Array.from({ length: 10 }, (_, d) => (
            <button
              key={d}
              type="button"
              className="secondary explorer__class"
              aria-pressed={label === d}
              data-testid={`explorer-class-${d}`}
              onClick={() => choose(split, d)}
            >
              {d}
              {labelCounts ? <span className="muted small"> ({format.count(labelCounts[split][d]!)})</span> : null}
            </button>
          ))}
        </div>
        {loaded ? (
          <DigitGallery
            list={list}
            testId="explorer-digits"
            empty={s.none}
            onPick={(item) => lookInside(inspect, item)}
            onPage={setOffset}
          />
        ) : (
          <p className="muted">{s.waiting}</p>
        )}
      </div>
    </Panel>
  );
});

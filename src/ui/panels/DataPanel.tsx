import { memo } from 'react';
import { DigitCanvas } from '../DigitCanvas';
import type { AppState } from '../appState';
import { formatCount, formatMegabytes } from '../format';
import { strings } from '../strings';
import { PIXELS_PER_IMAGE, type DatasetSummary } from '../../worker/protocol';
import { ErrorPanel } from './ErrorPanel';
import { Panel } from './Panel';

const s = strings.data;

/** Loading progress, then the counts, the class balance and a grid of real sample digits. */
type DataPanelProps = Pick<AppState, 'phase' | 'progress' | 'dataset' | 'error'> & { onRetry: () => void };

// Memoized on the fields it shows: drawing and training re-render the app many times a second.
export const DataPanel = memo(function DataPanel({ phase, progress, dataset, error, onRetry }: DataPanelProps) {
  return (
    <Panel id="data" title={strings.panels.data}>
      {error && (error.kind === 'data' || !dataset) ? <ErrorPanel error={error} onRetry={onRetry} /> : null}
      {phase === 'loading' ? <LoadProgress progress={progress} /> : null}
      {dataset ? <DatasetView dataset={dataset} /> : null}
    </Panel>
  );
});

function LoadProgress({ progress }: { progress: AppState['progress'] }) {
  const done = progress !== null && progress.loadedBytes >= progress.totalBytes;
  const text =
    progress === null
      ? s.connecting
      : done
        ? s.checking
        : `${formatMegabytes(progress.loadedBytes)} ${s.of} ${formatMegabytes(progress.totalBytes)}`;
  return (
    <div className="progress" data-testid="data-progress">
      <label htmlFor="data-progress-bar">{s.loading}</label>
      <progress id="data-progress-bar" max={progress?.totalBytes ?? 1} value={progress?.loadedBytes ?? undefined} />
      <span className="progress__text" aria-live="polite">
        {text}
      </span>
    </div>
  );
}

function DatasetView({ dataset }: { dataset: DatasetSummary }) {
  return (
    <>
      <p className="data-status" data-testid="data-status" data-load-ms={Math.round(dataset.durationMs)}>
        <strong>{formatCount(dataset.trainCount)}</strong> {s.trainDigits} · <strong>{formatCount(dataset.testCount)}</strong>{' '}
        {s.testDigits}
        <span className="muted">
          {' '}
          — {dataset.files} {s.files}, {formatMegabytes(dataset.downloadedBytes)}, {s.loadedIn} {(dataset.durationMs / 1000).toFixed(1)}{' '}
          {s.seconds}
        </span>
      </p>
      <ClassCounts dataset={dataset} />
      <SampleGrid dataset={dataset} />
      <p className="source muted">{dataset.source}</p>
    </>
  );
}

function ClassCounts({ dataset }: { dataset: DatasetSummary }) {
  const { train, test } = dataset.labelCounts;
  return (
    <table className="class-counts" data-testid="class-counts">
      <caption>{s.perClass}</caption>
      <thead>
        <tr>
          <th scope="row">{s.digit}</th>
          {train.map((_, digit) => (
            <th key={digit} scope="col">
              {digit}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{s.training}</th>
          {train.map((n, digit) => (
            <td key={digit}>{formatCount(n)}</td>
          ))}
        </tr>
        <tr>
          <th scope="row">{s.test}</th>
          {test.map((n, digit) => (
            <td key={digit}>{formatCount(n)}</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function SampleGrid({ dataset }: { dataset: DatasetSummary }) {
  const { indices, labels, bytes } = dataset.samples;
  const rows = new Map<number, number[]>();
  labels.forEach((label, i) => rows.set(label, [...(rows.get(label) ?? []), i]));
  return (
    <figure className="samples">
      <figcaption>{s.samples}</figcaption>
      <div className="sample-grid" data-testid="sample-grid">
        {[...rows].map(([label, members]) => (
          <div className="sample-row" key={label} data-label={label}>
            <span className="sample-row__label" aria-hidden="true">
              {label}
            </span>
            {members.map((i) => (
              <DigitCanvas
                key={indices[i]}
                bytes={bytes.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)}
                label={`${s.sampleLabel} ${indices[i]}, ${s.labelled} ${label}`}
                data-index={indices[i]!}
                data-label={label}
              />
            ))}
          </div>
        ))}
      </div>
    </figure>
  );
}

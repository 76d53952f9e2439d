import { useMemo } from 'react';
import { SETTING_NAMES } from '../../shared/settings';
import type { RunRecord } from '../../shared/protocol';
import { LineChart } from '../charts/charts';
import { DigitHeaders } from '../charts/ConfusionTable';
import { choiceLabels } from '../panels/SettingsForm';
import { useFormat, useStrings } from '../i18n/I18n';
import { diverging } from '../inside/heatmap';
import { epochPoints } from './baseline';

/** Training time of a run: its epochs' durations (epoch 0, the untrained model's measurement, has none). */
const trainingMs = (run: RunRecord) => run.epochs.reduce((sum, e) => sum + (e.epoch > 0 ? e.durationMs : 0), 0);
const lastEpoch = (run: RunRecord) => [...run.epochs].reverse().find((e) => e.epoch > 0) ?? null;

/** Two runs side by side: their settings (differences marked), their results, and how their confusion matrices differ. */
export function RunComparison({ baseline, other }: { baseline: RunRecord; other: RunRecord }) {
  const strings = useStrings();
  const s = strings.runs;
  const t = strings.train;
  const format = useFormat();
  const labels = choiceLabels(t);
  const settingText = (run: RunRecord, name: (typeof SETTING_NAMES)[number]) => {
    const value = run.settings[name];
    return labels[name]?.[String(value)] ?? (typeof value === 'number' && value >= 1000 ? format.count(value) : String(value));
  };
  const speed = (run: RunRecord) => {
    const epochs = run.epochs.filter((e) => e.epoch > 0);
    return epochs.length ? epochs.reduce((sum, e) => sum + e.imagesPerSecond, 0) / epochs.length : 0;
  };
  const figures: [string, string, string, string, string][] = [
    [
      'testAccuracy',
      s.figures.testAccuracy,
      format.percent(baseline.evaluation.accuracy),
      format.percent(other.evaluation.accuracy),
      `${other.evaluation.accuracy >= baseline.evaluation.accuracy ? '+' : '−'}${format.decimal(Math.abs(other.evaluation.accuracy - baseline.evaluation.accuracy) * 100, 2)}`,
    ],
    [
      'testLoss',
      s.figures.testLoss,
      format.decimal(baseline.evaluation.loss, 4),
      format.decimal(other.evaluation.loss, 4),
      `${other.evaluation.loss >= baseline.evaluation.loss ? '+' : '−'}${format.decimal(Math.abs(other.evaluation.loss - baseline.evaluation.loss), 4)}`,
    ],
    [
      'valAccuracy',
      s.figures.valAccuracy,
      lastEpoch(baseline)?.valAccuracy != null ? format.percent(lastEpoch(baseline)!.valAccuracy!) : '–',
      lastEpoch(other)?.valAccuracy != null ? format.percent(lastEpoch(other)!.valAccuracy!) : '–',
      '',
    ],
    ['epochs', s.figures.epochs, String(baseline.evaluation.epochsCompleted), String(other.evaluation.epochsCompleted), ''],
    ['trainCount', s.figures.trainCount, format.count(baseline.trainCount), format.count(other.trainCount), ''],
    ['time', s.figures.time, format.duration(trainingMs(baseline)), format.duration(trainingMs(other)), ''],
    ['speed', s.figures.speed, format.count(Math.round(speed(baseline))), format.count(Math.round(speed(other))), ''],
    ['trainer', s.figures.trainer, baseline.trainer, other.trainer, ''],
  ];
  const difference = useMemo(
    () => other.evaluation.confusion.map((row, t) => row.map((count, p) => count - (baseline.evaluation.confusion[t]?.[p] ?? 0))),
    [baseline, other],
  );
  const largest = Math.max(1, ...difference.flat().map(Math.abs));
  const curves = useMemo(
    () => [
      { name: s.other, points: epochPoints(other.epochs, 'valAccuracy') },
      { name: s.baseline, points: epochPoints(baseline.epochs, 'valAccuracy'), dashed: true },
    ],
    [baseline, other, s],
  );
  return (
    <div className="comparison" data-testid="run-comparison" data-baseline-id={baseline.id} data-compared-id={other.id}>
      <div className="comparison__tables">
        <table className="comparison__settings">
          <caption>{t.settings}</caption>
          <thead>
            <tr>
              <th scope="col">{s.setting}</th>
              <th scope="col">{s.baseline}</th>
              <th scope="col">{s.other}</th>
            </tr>
          </thead>
          <tbody>
            {SETTING_NAMES.map((name) => {
              const differs = baseline.settings[name] !== other.settings[name];
              return (
                <tr key={name} className={differs ? 'comparison__differs' : undefined} data-setting={name} data-differs={differs}>
                  <th scope="row">
                    {t.labels[name]}
                    {differs ? <span className="visually-hidden"> ({s.differs})</span> : null}
                  </th>
                  <td>{settingText(baseline, name)}</td>
                  <td>{settingText(other, name)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <table className="comparison__figures">
          <caption>{s.figure}</caption>
          <thead>
            <tr>
              <th scope="col">{s.figure}</th>
              <th scope="col">{s.baseline}</th>
              <th scope="col">{s.other}</th>
              <th scope="col">{s.difference}</th>
            </tr>
          </thead>
          <tbody>
            {figures.map(([key, name, a, b, diff]) => (
              <tr key={key} data-testid={`comparison-${key}`}>
                <th scope="row">{name}</th>
                <td data-run="baseline">{a}</td>
                <td data-run="other">{b}</td>
                <td>{diff}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LineChart testId="comparison-chart" title={s.curves} xLabel={t.epochAxis} yLabel={t.accuracyAxis} series={curves} />
      {/* Wide tables scroll in a region of their own on a phone (a region that scrolls is a Tab stop, with its name). */}
      <div className="comparison__scroll" role="region" aria-label={s.perClass} tabIndex={0}>
        <table className="comparison__per-class">
          <caption>{s.perClass}</caption>
          <thead>
            <tr>
              <th scope="col" />
              <DigitHeaders />
            </tr>
          </thead>
          <tbody>
            {[
              [s.baseline, baseline.evaluation.perClassAccuracy],
              [s.other, other.evaluation.perClassAccuracy],
            ].map(([name, values]) => (
              <tr key={name as string}>
                <th scope="row">{name as string}</th>
                {(values as number[]).map((v, d) => (
                  <td key={d}>{format.percent(v, 1)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="comparison__scroll" role="region" aria-label={s.confusionDiff} tabIndex={0}>
        <table className="comparison__confusion" data-testid="comparison-confusion">
          <caption>{s.confusionDiff}</caption>
          <thead>
            <tr>
              <th scope="col" />
              <DigitHeaders />
            </tr>
          </thead>
          <tbody>
            {difference.map((row, truth) => (
              <tr key={truth}>
                <th scope="row">{truth}</th>
                {row.map((value, predicted) => {
                  // Orange where the compared run is better (more right on the diagonal, fewer mistakes off it),
                  // blue where it is worse; pale enough at most for black text to stay readable.
                  const better = truth === predicted ? value : -value;
                  const [r, g, b] = diverging(better, largest * 1.8);
                  return (
                    <td
                      key={predicted}
                      data-testid={`comparison-cell-${truth}-${predicted}`}
                      data-value={value}
                      style={{ background: `rgb(${r}, ${g}, ${b})` }}
                    >
                      {value === 0 ? '' : value > 0 ? `+${value}` : `−${-value}`}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

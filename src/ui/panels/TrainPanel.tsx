import { isRunning } from '../state/appState';
import { memo, useEffect, useMemo } from 'react';
import type { BackendInfo, EpochResult, RunRecord } from '../../shared/protocol';
import { chartBaseline } from '../state/why';
import { baselineSeries, epochPoints } from '../runs/baseline';
import { LineChart, warmUpCharts } from '../charts/charts';
import { downsample } from '../charts/chartData';
import { SettingsForm } from './SettingsForm';
import type { TrainerView } from '../hooks/useTrainer';
import { ErrorPanel } from './ErrorPanel';
import { modelName } from './ModelsPanel';
import { Panel } from './Panel';
import { useFormat, useSay, useStrings } from '../i18n/I18n';

/** Points of the per-batch loss curve drawn at most. */
const MAX_BATCH_POINTS = 300;

type TrainPanelTrainer = TrainerView<
  | 'phase'
  | 'stopping'
  | 'epochs'
  | 'dataset'
  | 'error'
  | 'urlErrors'
  | 'settingErrors'
  | 'settings'
  | 'plan'
  | 'evaluation'
  | 'batchLosses'
  | 'backend'
  | 'batch'
  | 'progress'
  | 'runs',
  'train' | 'stop' | 'retry' | 'resume' | 'pause' | 'changeSettings'
>;

/** Settings, presets, the controls, the backend badge, progress and the live charts. */
export function TrainPanel({ trainer, present = false }: { trainer: TrainPanelTrainer; present?: boolean }) {
  const strings = useStrings();
  const s = strings.train;
  const say = useSay();
  const { state } = trainer;
  const running = isRunning(state.phase);
  const canTrain = state.dataset !== null && !running && state.settingErrors.length === 0;
  const loaded = state.dataset !== null;
  useEffect(() => {
    if (loaded) warmUpCharts();
  }, [loaded]);
  return (
    <Panel id="train" title={strings.panels.train}>
      {/* Loading and its failures show here, on the first screen, where the teacher looks. */}
      {state.error && (state.error.kind === 'data' || !state.dataset) ? (
        <ErrorPanel error={state.error} onRetry={trainer.retry} />
      ) : state.phase === 'loading' ? (
        <LoadProgress progress={state.progress} />
      ) : null}
      {state.urlErrors.length > 0 ? (
        <div className="notice" role="alert" data-testid="settings-error">
          <strong>
            {s.settingsError}
            {strings.colon}
          </strong>
          <ul>
            {state.urlErrors.map((e) => (
              <li key={e.setting}>{say(e)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {present ? null : (
        <SettingsForm
          settings={state.settings}
          errors={state.settingErrors}
          disabled={running}
          onChange={trainer.changeSettings}
          unfold={state.urlErrors.length > 0}
          rate={trainingRate(state.backend)}
        />
      )}
      <div className="controls">
        <button type="button" className="primary-action" data-testid="train-button" disabled={!canTrain} onClick={trainer.train}>
          {s.train}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="pause-button"
          disabled={state.phase !== 'training' || state.stopping}
          onClick={trainer.pause}
        >
          {s.pause}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="resume-button"
          disabled={state.phase !== 'paused' || state.stopping}
          onClick={trainer.resume}
        >
          {s.resume}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="stop-button"
          disabled={!(state.phase === 'training' || state.phase === 'paused') || state.stopping}
          onClick={trainer.stop}
        >
          {state.stopping ? s.stopping : s.stop}
        </button>
        <BackendBadge state={state} />
      </div>
      {state.error && state.error.kind !== 'data' && state.dataset ? <ErrorPanel error={state.error} onRetry={trainer.retry} /> : null}
      <EpochProgress state={state} />
      <EpochAnnouncement epochs={state.epochs} testAccuracy={state.phase === 'done' ? (state.evaluation?.accuracy ?? null) : null} />
      <Charts
        hasPlan={state.plan !== null || state.epochs.length > 0}
        validates={(state.plan?.validationCount ?? 0) > 0}
        epochs={state.epochs}
        batchLosses={state.batchLosses}
        baseline={chartBaseline(state.runs, state.epochs)}
      />
      {present ? null : <EpochLog epochs={state.epochs} />}
    </Panel>
  );
}

/** The download's progress bar: bytes as they arrive, then "checking" while the files are verified and decoded. */
function LoadProgress({ progress }: { progress: TrainPanelTrainer['state']['progress'] }) {
  const strings = useStrings();
  const s = strings.data;
  const format = useFormat();
  const done = progress !== null && progress.loadedBytes >= progress.totalBytes;
  const text =
    progress === null
      ? s.connecting
      : done
        ? s.checking
        : `${format.megabytes(progress.loadedBytes)} ${s.of} ${format.megabytes(progress.totalBytes)}`;
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

function BackendBadge({ state }: { state: TrainPanelTrainer['state'] }) {
  const strings = useStrings();
  const s = strings.train;
  const backend = state.backend;
  const format = useFormat();
  const reason = backend ? (backend.why?.map((w) => s.why[w.code](w.detail)).join('; ') ?? backend.reason) : '';
  const engine = backend?.trainer === 'engine';
  // The calibration's figures: the rate of what trains (named beside it), then what it was measured against.
  const [own, other, otherName] = engine
    ? [backend?.rates?.engine, backend?.rates?.webgl, 'WebGL']
    : [backend?.rates?.webgl, backend?.rates?.engine, s.engine];
  const shownRates = [
    own === undefined ? null : s.rate(format.count(own)),
    other === undefined ? null : `${otherName}${strings.colon}${s.rate(format.count(other))}`,
  ]
    .filter((r) => r !== null)
    .join('; ');
  return (
    <span
      className="badge"
      data-testid="backend-badge"
      data-backend={backend ? (engine ? 'engine' : backend.name) : ''}
      data-engine-rate={backend?.rates?.engine ?? ''}
      title={reason}
    >
      {backend ? (
        <>
          {s.backend}
          {strings.colon}
          <strong>{engine ? s.engine : backend.name}</strong>
          {/* The calibration's rate, until a run shows its own on the progress line (two speeds side by side confuse). */}
          {shownRates && !isRunning(state.phase) ? `${strings.colon}${shownRates}` : null} <span className="badge__reason">({reason})</span>
        </>
      ) : (
        s.backendPending
      )}
    </span>
  );
}

function EpochProgress({ state }: { state: TrainPanelTrainer['state'] }) {
  const strings = useStrings();
  const s = strings.train;
  const format = useFormat();
  const { plan, batch, epochs } = state;
  if (!plan) {
    // Before a run: where the progress will be, so the first screen shows it (and what to do).
    return (
      <div
        className="epoch-progress"
        data-testid="epoch-progress"
        data-epoch={0}
        data-epochs-done={0}
        data-images-per-second=""
        data-warmup-ms=""
      >
        <div className="epoch-progress__line">
          <strong>
            {s.epoch} 0 {s.of} {state.settings.epochs}
          </strong>
          {state.dataset ? <span> · {s.readyToTrain}</span> : <span> · {s.waitingForData}</span>}
        </div>
        <progress max={1} value={0} aria-label={`${s.epoch} 0 ${s.of} ${state.settings.epochs}`} />
      </div>
    );
  }
  const total = plan.settings.epochs;
  const epoch = batch?.epoch ?? 1;
  const done = epochs.length;
  const fraction = batch ? (epoch - 1 + batch.batch / batch.batchesPerEpoch) / total : 0;
  const remainingImages = (1 - fraction) * total * plan.trainCount;
  const leftMs = batch && batch.imagesPerSecond > 0 ? (remainingImages / batch.imagesPerSecond) * 1000 : NaN;
  const status =
    state.phase === 'paused'
      ? s.paused
      : state.phase === 'evaluating'
        ? s.evaluating
        : batch && state.phase === 'training'
          ? `${format.count(Math.round(batch.imagesPerSecond))} ${s.imagesPerSecond}${Number.isFinite(leftMs) ? ` · ${format.duration(leftMs)} ${s.left}` : ''}`
          : '';
  return (
    <div
      className="epoch-progress"
      data-testid="epoch-progress"
      data-epoch={epoch}
      data-epochs-done={done}
      data-images-per-second={batch ? Math.round(batch.imagesPerSecond) : ''}
      data-warmup-ms={batch ? Math.round(batch.warmupMs) : ''}
    >
      <div className="epoch-progress__line">
        <strong>
          {s.epoch} {epoch} {s.of} {total}
        </strong>
        {batch ? (
          <span>
            {' '}
            · {s.batch} {batch.batch}/{batch.batchesPerEpoch}
          </span>
        ) : null}
        {status ? <span> · {status}</span> : null}
      </div>
      <progress max={1} value={state.phase === 'done' ? 1 : fraction} aria-label={`${s.epoch} ${epoch} ${s.of} ${total}`} />
      <p className="muted small" data-testid="run-split" data-teaching={plan.teaching ? plan.teaching.classDigits : undefined}>
        {plan.teaching
          ? s.teachingSplit(
              format.count(plan.trainCount - plan.teaching.classDigits * plan.teaching.copies),
              format.count(plan.teaching.classDigits),
              format.count(plan.teaching.copies),
              format.count(plan.validationCount),
            )
          : s.split(format.count(plan.trainCount), format.count(plan.validationCount))}
      </p>
    </div>
  );
}

/**
 * For screen readers: one sentence per completed epoch and one at the end, never per batch (a
 * live region that changed ten times a second would drown everything else out).
 */
const EpochAnnouncement = memo(function EpochAnnouncement({
  epochs,
  testAccuracy,
}: {
  epochs: EpochResult[];
  testAccuracy: number | null;
}) {
  const strings = useStrings();
  const s = strings.train;
  const format = useFormat();
  const last = epochs.at(-1);
  const text =
    testAccuracy !== null
      ? s.announceDone(format.percent(testAccuracy))
      : last && last.epoch > 0
        ? s.announceEpoch(last.epoch, last.epochs, format.percent(last.accuracy))
        : '';
  return (
    <p className="visually-hidden" aria-live="polite" data-testid="epoch-announcement">
      {text}
    </p>
  );
});

// Memoized: a drawing read on the Draw panel re-renders the app, and these need not follow.
const Charts = memo(function Charts({
  hasPlan,
  validates,
  epochs,
  batchLosses,
  baseline,
}: {
  hasPlan: boolean;
  /** The run has validation digits: its validation curves will get points. */
  validates: boolean;
  epochs: EpochResult[];
  batchLosses: [number, number][];
  /** The pinned run: its curves dashed beside the live ones. */
  baseline: RunRecord | null;
}) {
  const strings = useStrings();
  const s = strings.train;
  const r = strings.runs;
  const format = useFormat();
  // Memoized on their sources: an epoch chart then redraws once per epoch, not at every batch event.
  const [lossSeries, accuracySeries] = useMemo(() => {
    const dashed = (keys: ('loss' | 'valLoss' | 'accuracy' | 'valAccuracy')[]) =>
      baseline ? baselineSeries(baseline.epochs, keys, r.baseline, s.series) : [];
    // Beside a baseline, the live curves are in the chart from the start (empty until epoch 0):
    // one chart made per run, not a second one when the first point comes.
    const live = (key: 'loss' | 'valLoss' | 'accuracy' | 'valAccuracy', validation = false) => ({
      name: s.series[key],
      points: epochPoints(epochs, key),
      expected: baseline !== null && (!validation || validates),
    });
    return [
      [live('loss'), live('valLoss', true), ...dashed(['loss', 'valLoss'])],
      [live('accuracy'), live('valAccuracy', true), ...dashed(['accuracy', 'valAccuracy'])],
    ];
  }, [epochs, s, r, baseline, validates]);
  const batchSeries = useMemo(() => [{ name: s.series.batchLoss, points: downsample(batchLosses, MAX_BATCH_POINTS) }], [batchLosses, s]);
  if (!hasPlan) return null;
  return (
    <div className="charts">
      {/* The live one first: it moves from the first batch, the epoch curves gain a point an epoch. */}
      <LineChart
        testId="batch-loss-chart"
        kind="points"
        title={s.batchLossChart}
        xLabel={s.batchAxis}
        yLabel={s.lossAxis}
        series={batchSeries}
      />
      <LineChart testId="loss-chart" title={s.lossChart} xLabel={s.epochAxis} yLabel={s.lossAxis} series={lossSeries} />
      <LineChart testId="accuracy-chart" title={s.accuracyChart} xLabel={s.epochAxis} yLabel={s.accuracyAxis} series={accuracySeries} />
      {baseline ? (
        <p className="muted small charts__baseline" data-testid="baseline-note" data-run-id={baseline.id}>
          {r.dashedNote(modelName({ ...baseline, origin: 'trained' }, strings, format))}
        </p>
      ) : null}
    </div>
  );
});

/** Every epoch's figures as a table (and as data attributes for recorded runs). */
const EpochLog = memo(function EpochLog({ epochs }: { epochs: EpochResult[] }) {
  const strings = useStrings();
  const s = strings.train;
  const format = useFormat();
  if (epochs.length === 0) return null;
  const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);
  const fixed = (x: number | null) => (x === null ? '–' : x.toFixed(4));
  return (
    <details className="chart__table epoch-log" data-testid="epoch-log">
      <summary>{s.epochLog}</summary>
      <table>
        <thead>
          <tr>
            {s.epochLogColumns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {epochs.map((e) => (
            <tr key={e.epoch} data-epoch={e.epoch} data-result={JSON.stringify(e)}>
              <th scope="row">{e.epoch}</th>
              <td>{fixed(e.loss)}</td>
              <td>{percent(e.accuracy)}</td>
              <td>{fixed(e.valLoss)}</td>
              <td>{percent(e.valAccuracy)}</td>
              <td>{format.duration(e.durationMs)}</td>
              <td>{format.count(Math.round(e.imagesPerSecond))}</td>
              <td>{format.count(e.numTensors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
});

/** Images a second of what trains here, as calibrated (the engine, or tfjs WebGL where it measured faster); null if not measured. */
function trainingRate(backend: BackendInfo | null): number | null {
  if (!backend?.rates) return null;
  return (backend.trainer === 'engine' ? backend.rates.engine : backend.name === 'webgl' ? backend.rates.webgl : undefined) ?? null;
}

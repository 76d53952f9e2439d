import { useMemo, useRef, useState } from 'react';
import {
  PIXELS_PER_IMAGE,
  type ClassMeasurement,
  type ClassReading,
  type SavedModelInfo,
  type TeachResult,
  type Tally,
} from '../../shared/protocol';
import { isRunning } from '../state/appState';
import { currentMeasurement, type ClassDigitList, type ClassNote } from '../state/classDigits';
import type { TrainerView } from '../hooks/useTrainer';
import { ConfusionMatrixChart } from '../charts/charts';
import { ConfusionTable, DigitHeaders } from '../charts/ConfusionTable';
import { DigitCanvas } from '../digits/DigitCanvas';
import { useFormat, useSay, useStrings } from '../i18n/I18n';
import type { Format } from '../i18n/format';
import { Panel } from './Panel';
import { modelName } from './ModelsPanel';

type ClassPanelTrainer = TrainerView<
  | 'classDigits'
  | 'classMeasurement'
  | 'classNote'
  | 'teaching'
  | 'taught'
  | 'model'
  | 'phase'
  | 'recovery'
  | 'evaluation'
  | 'savedModels'
  | 'epochs',
  'deleteClassDigit' | 'clearClassDigits' | 'exportClassDigits' | 'importClassDigits' | 'teachClassDigits'
>;

const pct = (t: Tally, format: Format) => (t.count > 0 ? format.percent(t.correct / t.count, 1) : '–');

/**
 * "Our class digits": the digits the class drew and labelled, by digit; how the model reads them
 * next to its MNIST test accuracy; the file to carry them to another device and back; and
 * "Teach it our handwriting", with the before and after a teacher needs.
 */
export function ClassDigitsPanel({ trainer }: { trainer: ClassPanelTrainer }) {
  const strings = useStrings();
  const s = strings.classDigits;
  const { state } = trainer;
  const list = state.classDigits;
  const measurement = currentMeasurement(state);
  const count = list?.digits.length ?? 0;
  const running = isRunning(state.phase) || state.recovery !== null;
  return (
    <Panel id="class" title={strings.panels.class}>
      <p>{s.intro}</p>
      <Accuracy trainer={trainer} measurement={measurement} count={count} />
      <ClassGrid list={list} measurement={measurement} onDelete={trainer.deleteClassDigit} disabled={running} />
      <FileActions trainer={trainer} count={count} disabled={running} />
      <Note note={state.classNote} />
      {measurement && count > 0 ? <ClassResults list={list!} measurement={measurement} /> : null}
      <Teach trainer={trainer} running={running} />
    </Panel>
  );
}

/** "The model reads 27 of our 30 digits: 90.0% (MNIST test digits: 98.4%)", and per digit. */
function Accuracy({ trainer, measurement, count }: { trainer: ClassPanelTrainer; measurement: ClassMeasurement | null; count: number }) {
  const s = useStrings().classDigits;
  const format = useFormat();
  const { state } = trainer;
  const running = isRunning(state.phase);
  const hasModel = state.model !== null || running;
  // During a run the class digits are read by the model training: its MNIST figure is the last validation accuracy.
  const mnist = running
    ? (state.epochs.at(-1)?.valAccuracy ?? null)
    : (state.model?.record.evaluation.accuracy ?? state.evaluation?.accuracy ?? null);
  if (count === 0)
    return (
      <p className="muted" data-testid="class-accuracy" data-count={0}>
        {s.empty}
      </p>
    );
  if (!hasModel || !measurement) {
    return (
      <p className="muted" data-testid="class-accuracy" data-count={count}>
        {hasModel ? s.measuring : s.noModel}
      </p>
    );
  }
  const { all } = measurement;
  const epoch = state.classMeasurement?.epoch;
  return (
    <div
      className="metrics"
      data-testid="class-accuracy"
      data-count={all.count}
      data-correct={all.correct}
      data-value={all.correct / all.count}
    >
      <div className="metric">
        <span className="metric__label">{s.ourDigits(format.count(all.count))}</span>
        <span className="metric__value">{pct(all, format)}</span>
        <span className="muted small">{s.correctOf(format.count(all.correct), format.count(all.count))}</span>
      </div>
      {mnist !== null ? (
        <div className="metric">
          <span className="metric__label">{running ? s.mnistValidation : s.mnistTest}</span>
          <span className="metric__value">{format.percent(mnist, 1)}</span>
        </div>
      ) : null}
      {running && epoch !== null && epoch !== undefined ? <p className="muted small">{s.duringRun(epoch)}</p> : null}
    </div>
  );
}

/** The class digits by digit, with counts; misread ones outlined, held-out ones marked; each can be deleted. */
function ClassGrid({
  list,
  measurement,
  onDelete,
  disabled,
}: {
  list: ClassDigitList | null;
  measurement: ClassMeasurement | null;
  onDelete: (id: string) => void;
  disabled: boolean;
}) {
  const s = useStrings().classDigits;
  const rows = useMemo(() => {
    const byDigit = Array.from({ length: 10 }, () => [] as { index: number; bytes: Uint8Array }[]);
    list?.digits.forEach((d, index) =>
      byDigit[d.label]!.push({ index, bytes: list.bytes.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE) }),
    );
    return byDigit;
  }, [list]);
  if (!list) return null;
  return (
    <div className="class-grid" data-testid="class-digits" data-count={list.digits.length}>
      {rows.map((items, digit) => (
        <div key={digit} className="class-grid__row" data-testid={`class-digits-${digit}`} data-count={items.length}>
          <span className="class-grid__digit">
            <strong>{digit}</strong> <span className="muted small">({items.length})</span>
          </span>
          <ul className="class-grid__items">
            {items.map(({ index, bytes }) => {
              const info = list.digits[index]!;
              const reading = measurement?.readings[index];
              const wrong = reading !== undefined && reading.predicted !== info.label;
              const classes = ['class-digit', wrong ? 'class-digit--wrong' : '', info.heldOut ? 'class-digit--held' : ''].join(' ');
              return (
                <li
                  key={info.id}
                  className={classes}
                  data-testid="class-digit"
                  data-id={info.id}
                  data-label={info.label}
                  data-predicted={reading?.predicted ?? ''}
                  data-held-out={info.heldOut}
                  title={reading ? s.readAs(reading.predicted) : undefined}
                >
                  <DigitCanvas bytes={bytes} label={s.digitLabel(info.label, reading?.predicted ?? null, info.heldOut)} className="digit" />
                  <button
                    type="button"
                    className="class-digit__delete"
                    data-testid="delete-class-digit"
                    aria-label={s.deleteDigit(info.label)}
                    disabled={disabled}
                    onClick={() => onDelete(info.id)}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
      <p className="muted small">{s.legend}</p>
    </div>
  );
}

/** Export, import, and clear with a confirmation. */
function FileActions({ trainer, count, disabled }: { trainer: ClassPanelTrainer; count: number; disabled: boolean }) {
  const s = useStrings().classDigits;
  const format = useFormat();
  const input = useRef<HTMLInputElement>(null);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="controls class-actions">
      <button
        type="button"
        className="secondary"
        data-testid="export-class-digits"
        disabled={count === 0}
        onClick={trainer.exportClassDigits}
      >
        {s.export}
      </button>
      <button type="button" className="secondary" disabled={disabled} onClick={() => input.current?.click()}>
        {s.import}
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        multiple
        hidden
        data-testid="import-class-digits"
        aria-label={s.import}
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ''; // the same file chosen again is a new choice
          if (files.length > 0) void trainer.importClassDigits(files);
        }}
      />
      {confirming ? (
        <span className="class-actions__confirm" role="group" aria-label={s.clearAsk(format.count(count))}>
          <span>{s.clearAsk(format.count(count))}</span>
          <button
            type="button"
            className="danger"
            data-testid="confirm-clear-class-digits"
            onClick={() => {
              setConfirming(false);
              trainer.clearClassDigits();
            }}
          >
            {s.clearYes}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {s.clearNo}
          </button>
        </span>
      ) : (
        <button
          type="button"
          className="secondary"
          data-testid="clear-class-digits"
          disabled={count === 0 || disabled}
          onClick={() => setConfirming(true)}
        >
          {s.clear}
        </button>
      )}
      <p className="muted small class-actions__hint">{s.fileHint}</p>
    </div>
  );
}

function Note({ note }: { note: ClassNote | null }) {
  const s = useStrings().classDigits;
  const format = useFormat();
  const say = useSay();
  if (!note) return <p className="visually-hidden" role="status" />;
  if (note.kind === 'error') {
    return (
      <p className="error" role="alert" data-testid="class-digits-error">
        {say(note)}
      </p>
    );
  }
  const text =
    note.kind === 'exported' ? s.exported(format.count(note.count)) : s.imported(format.count(note.added), format.count(note.duplicates));
  return (
    <p className="muted" role="status" data-testid="class-digits-note" data-added={note.kind === 'imported' ? note.added : undefined}>
      {text}
    </p>
  );
}

/** Per digit, the class set's confusion matrix, and the digits it gets wrong with its three likeliest readings. */
function ClassResults({ list, measurement }: { list: ClassDigitList; measurement: ClassMeasurement }) {
  const strings = useStrings();
  const s = strings.classDigits;
  const e = strings.evaluate;
  const format = useFormat();
  const mistakes = measurement.readings.map((r, index) => ({ r, index })).filter(({ r }) => r.predicted !== r.label);
  return (
    <>
      <table className="per-class" data-testid="class-per-digit">
        <caption>{s.perDigit}</caption>
        <thead>
          <tr>
            <th scope="row">{e.digit}</th>
            <DigitHeaders />
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{e.accuracy}</th>
            {measurement.perDigit.map((t, d) => (
              <td key={d} data-count={t.count} data-correct={t.correct}>
                {t.count > 0 ? `${t.correct}/${t.count}` : '–'}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <figure className="confusion" data-testid="class-confusion-matrix">
        <figcaption>{s.confusion}</figcaption>
        <ConfusionMatrixChart confusion={measurement.confusion} />
        <details className="chart__table">
          <summary>{s.confusionTable}</summary>
          <ConfusionTable
            confusion={measurement.confusion}
            corner={`${s.meant} \\ ${e.predicted}`}
            cell={(n, truth, read) => (
              <span data-testid={`class-confusion-cell-${truth}-${read}`} data-count={n}>
                {format.count(n)}
              </span>
            )}
          />
        </details>
      </figure>
      <section data-testid="class-mistakes" data-count={mistakes.length}>
        <h3>{s.mistakes(format.count(mistakes.length))}</h3>
        {mistakes.length === 0 ? (
          <p className="muted">{s.noMistakes}</p>
        ) : (
          <ul className="class-mistakes">
            {mistakes.map(({ r, index }) => (
              <Mistake key={r.id} reading={r} bytes={list.bytes.subarray(index * PIXELS_PER_IMAGE, (index + 1) * PIXELS_PER_IMAGE)} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Mistake({ reading, bytes }: { reading: ClassReading; bytes: Uint8Array }) {
  const s = useStrings().classDigits;
  const format = useFormat();
  const top = reading.top.map((t) => s.reading(t.digit, format.percent(t.probability, 0))).join(', ');
  return (
    <li
      className="class-mistake"
      data-testid="class-mistake"
      data-id={reading.id}
      data-label={reading.label}
      data-predicted={reading.predicted}
    >
      <DigitCanvas bytes={bytes} label={s.digitLabel(reading.label, reading.predicted, false)} className="digit" />
      <span>
        <strong>{s.meantDigit(reading.label)}</strong> <span className="muted">{s.likeliest}</span> {top}
      </span>
    </li>
  );
}

/** "Teach it our handwriting": what it does, the button, and the before and after. */
function Teach({ trainer, running }: { trainer: ClassPanelTrainer; running: boolean }) {
  const s = useStrings().classDigits;
  const format = useFormat();
  const { state } = trainer;
  const digits = state.classDigits?.digits ?? [];
  const held = digits.filter((d) => d.heldOut).length;
  const taught = digits.length - held;
  const hasModel = state.model !== null;
  const why = !hasModel ? s.teachNeedsModel : taught === 0 ? s.teachNeedsDigits : running ? s.teachBusy : null;
  return (
    <section className="teach" data-testid="teach-section">
      <h3>{s.teachTitle}</h3>
      <p className="muted small">{s.teachExplain(format.count(taught), format.count(held))}</p>
      <button
        type="button"
        data-testid="teach-class-digits"
        disabled={why !== null || state.teaching}
        aria-describedby={why ? 'teach-why' : undefined}
        onClick={trainer.teachClassDigits}
      >
        {state.teaching ? s.teaching : s.teach}
      </button>
      {why ? (
        <p id="teach-why" className="muted small">
          {why}
        </p>
      ) : null}
      {state.taught ? (
        <TeachOutcome result={state.taught} saved={state.savedModels.find((m) => m.id === state.taught?.model.id) ?? null} />
      ) : null}
    </section>
  );
}

/** The before and after; the new model by its name in the page's language once the saved list has it. */
function TeachOutcome({ result, saved }: { result: TeachResult; saved: SavedModelInfo | null }) {
  const strings = useStrings();
  const s = strings.classDigits;
  const format = useFormat();
  const row = (label: string, before: Tally, after: Tally, testId: string) => (
    <tr
      data-testid={testId}
      data-before={before.count > 0 ? before.correct / before.count : ''}
      data-after={after.count > 0 ? after.correct / after.count : ''}
      data-count={after.count}
    >
      <th scope="row">{label}</th>
      <td>{pct(before, format)}</td>
      <td>{pct(after, format)}</td>
    </tr>
  );
  const { before, after } = result;
  return (
    <div className="teach__result" data-testid="teach-result" data-model-id={result.model.id ?? ''}>
      <table>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{s.measuredOn}</span>
            </th>
            <th scope="col">{s.before}</th>
            <th scope="col">{s.after}</th>
          </tr>
        </thead>
        <tbody>
          {row(s.heldOutRow(format.count(after.heldOut.count)), before.heldOut, after.heldOut, 'teach-held-out')}
          {row(s.taughtRow(format.count(after.taught.count)), before.taught, after.taught, 'teach-taught')}
          <tr data-testid="teach-mnist" data-before={before.mnist} data-after={after.mnist}>
            <th scope="row">{s.mnistRow}</th>
            <td>{format.percent(before.mnist, 2)}</td>
            <td>{format.percent(after.mnist, 2)}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted small">
        {result.stopped ? s.teachStopped(result.epochs) : ''}
        {result.model.id ? s.savedAs(saved ? modelName(saved, strings, format) : result.model.name) : s.notSaved}{' '}
        {s.copiesNote(format.count(result.copies))}
      </p>
    </div>
  );
}

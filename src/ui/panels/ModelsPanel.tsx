import { useState, type DragEvent } from 'react';
import type { ModelRecord, SavedModelInfo } from '../../shared/protocol';
import { isRunning, type ModelInUse } from '../state/appState';
import type { TrainerView } from '../hooks/useTrainer';
import { Panel } from './Panel';
import type { Strings } from '../i18n/en';
import type { Format } from '../i18n/format';
import { useFormat, useSay, useStrings } from '../i18n/I18n';

type ModelsPanelTrainer = TrainerView<
  | 'savedModels'
  | 'model'
  | 'uploading'
  | 'uploadError'
  | 'storageWarning'
  | 'modelError'
  | 'dataset'
  | 'recovery'
  | 'phase'
  | 'interrupted',
  'useSavedModel' | 'upload' | 'resumeInterrupted' | 'download' | 'discardInterrupted' | 'deleteSavedModel'
>;

/**
 * A model's name in the page's language: a trained one is named by its recipe ("LeNet-5 (seed
 * notebook, 28x28), tanh, 20 epochs"), an uploaded one keeps the name it came with.
 */
export function modelName(
  record: Pick<ModelRecord, 'name' | 'origin' | 'settings' | 'evaluation' | 'classDigits' | 'learningSteps'>,
  strings: Strings,
  format: Format,
): string {
  const { settings } = record;
  if (record.origin !== 'trained' || !settings) return record.name;
  const epochs = record.evaluation.stopped ? record.evaluation.epochsCompleted : settings.epochs;
  const subset = settings.trainSize < 60_000 ? format.count(settings.trainSize) : null;
  const name = strings.models.trainedName(strings.train.modelOptions[settings.model], settings.activation, epochs, subset);
  const taught = record.classDigits ? strings.classDigits.taughtName(name, format.count(record.classDigits)) : name;
  const steps = record.learningSteps;
  return steps ? strings.why.stepName(taught, steps.count, strings.why.optimizers[steps.optimizer], steps.label) : taught;
}

/** The button that makes a saved model the model in use: the offer a class sees on page load. */
export function savedModelLabel(model: SavedModelInfo, s: Strings['models'], format: Format): string {
  const label = model.origin === 'uploaded' ? s.useUploaded : s.use;
  return label(format.percent(model.evaluation.accuracy, 1), format.dateTime(model.savedAt));
}

/** Where the model in use came from; `data-source` is 'none', 'trained', 'restored' or 'uploaded'. */
export function ModelSource({ model }: { model: ModelInUse | null }) {
  const strings = useStrings();
  const s = strings.models;
  const format = useFormat();
  if (!model) {
    return (
      <p className="model-source" data-testid="model-source" data-source="none">
        {s.none}
      </p>
    );
  }
  const { record, source } = model;
  return (
    <p className="model-source" data-testid="model-source" data-source={source} data-model-id={record.id ?? ''}>
      <strong>
        {s.inUse}
        {strings.colon}
      </strong>{' '}
      {modelName(record, strings, format)} — {s.source[source]} · {format.percent(record.evaluation.accuracy)} {s.testAccuracy}
      {record.id ? ` · ${s.savedAt} ${format.dateTime(record.savedAt)}` : ` · ${s.notSaved}`}
    </p>
  );
}

/** Saved models (use, delete), the interrupted run, download and upload of the model in use. */
export function ModelsPanel({ trainer }: { trainer: ModelsPanelTrainer }) {
  const strings = useStrings();
  const s = strings.models;
  const format = useFormat();
  const say = useSay();
  const { state } = trainer;
  const running = isRunning(state.phase);
  const busy = running || state.recovery !== null || state.uploading;
  const { interrupted } = state;
  return (
    <Panel id="models" title={strings.panels.models}>
      <p className="muted">{s.intro}</p>
      <ModelSource model={state.model} />
      {state.storageWarning ? (
        <p className="notice" role="alert" data-testid="storage-warning">
          <strong>
            {s.storageWarning}
            {strings.colon}
          </strong>{' '}
          {say(state.storageWarning)}
        </p>
      ) : null}
      {state.modelError ? (
        <p className="notice" role="alert" data-testid="model-error">
          {say(state.modelError)}
        </p>
      ) : null}
      {interrupted && !busy ? (
        <div className="notice" data-testid="interrupted-run">
          <p>{s.interrupted(interrupted.epoch, interrupted.settings.epochs, format.dateTime(interrupted.savedAt))}</p>
          <button type="button" data-testid="resume-checkpoint" disabled={state.dataset === null} onClick={trainer.resumeInterrupted}>
            {s.continueRun}
          </button>{' '}
          <button type="button" className="secondary" data-testid="discard-checkpoint" onClick={trainer.discardInterrupted}>
            {s.discardRun}
          </button>
        </div>
      ) : null}
      {state.savedModels.length === 0 ? (
        <p className="muted" data-testid="saved-models" data-count={0}>
          {s.empty}
        </p>
      ) : (
        <ul className="saved-models" data-testid="saved-models" data-count={state.savedModels.length}>
          {state.savedModels.map((model) => (
            <SavedModel
              key={model.id}
              model={model}
              inUse={state.model?.record.id === model.id}
              disabled={busy || state.dataset === null}
              onUse={() => trainer.useSavedModel(model.id)}
              onDelete={() => trainer.deleteSavedModel(model.id)}
            />
          ))}
        </ul>
      )}
      <div className="model-files">
        <button type="button" data-testid="download-model" disabled={state.model === null || busy} onClick={trainer.download}>
          {s.download}
        </button>
        <UploadZone disabled={busy} onFiles={(files) => void trainer.upload(files)} />
        {state.uploading ? (
          <p className="muted" role="status">
            {s.checking}
          </p>
        ) : null}
        {state.uploadError ? (
          <p className="error" role="alert" data-testid="upload-error">
            <strong>
              {s.uploadError}
              {strings.colon}
            </strong>{' '}
            {say(state.uploadError)}
          </p>
        ) : null}
      </div>
    </Panel>
  );
}

function SavedModel(props: { model: SavedModelInfo; inUse: boolean; disabled: boolean; onUse: () => void; onDelete: () => void }) {
  const strings = useStrings();
  const s = strings.models;
  const format = useFormat();
  const { model, inUse, disabled, onUse, onDelete } = props;
  // Deleting asks twice, in place: a native confirm() would freeze the page, and a class cannot undo.
  const [confirming, setConfirming] = useState(false);
  return (
    <li className="saved-model" data-testid="saved-model" data-id={model.id} data-in-use={inUse} data-saved-at={model.savedAt}>
      <div>
        <strong>{modelName(model, strings, format)}</strong>
        <div className="muted small">
          {s.facts(
            format.count(model.evaluation.count),
            format.count(model.summary.totalParams),
            format.count(Math.round(model.weightBytes / 1000)),
          )}
        </div>
      </div>
      <div className="saved-model__actions">
        <button type="button" data-testid="use-saved-model" data-id={model.id} disabled={disabled || inUse} onClick={onUse}>
          {inUse ? s.inUseButton : savedModelLabel(model, s, format)}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="delete-saved-model"
          disabled={disabled}
          onClick={() => (confirming ? onDelete() : setConfirming(true))}
          onBlur={() => setConfirming(false)}
        >
          {confirming ? s.confirmDelete : s.delete}
        </button>
      </div>
    </li>
  );
}

/** A file input that also takes the two files dropped onto it. */
function UploadZone({ disabled, onFiles }: { disabled: boolean; onFiles: (files: File[]) => void }) {
  const strings = useStrings();
  const s = strings.models;
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled && event.dataTransfer.files.length > 0) onFiles(Array.from(event.dataTransfer.files));
  };
  return (
    <label
      className={over ? 'dropzone dropzone--over' : 'dropzone'}
      data-testid="upload-dropzone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <strong>{s.upload}</strong>
      <span className="muted small">{s.uploadHint}</span>
      <input
        type="file"
        multiple
        accept=".json,.bin,application/json,application/octet-stream"
        data-testid="upload-model"
        disabled={disabled}
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = ''; // the same files can be chosen again after a fix
          if (files.length > 0) onFiles(files);
        }}
      />
    </label>
  );
}

/**
 * The worker's side of persistence: what a saved model and a checkpoint hold, and the operations
 * on them that the session runs. Storage is IndexedDB (the only storage a worker has; tfjs issue
 * 2643); any failure of it becomes a message, never a lost model in memory.
 */
import { ModelStoreError, type ModelStore } from '../model/modelStore';
import type { NamedArray, OptimizerState } from '../model/trainingState';
import { MODEL_PRESETS } from '../model/lenet5';
import type { CheckpointInfo, EpochResult, ModelRecord, RunRecord, SavedModelInfo, Saying } from '../shared/protocol';
import { completeSettings, validateSettings, type TrainSettings } from '../shared/settings';

/** A run's state after a completed epoch: enough to continue it anywhere, bit for bit on the same backend. */
export interface Checkpoint {
  settings: TrainSettings;
  /** Last completed epoch; 0 is the initial weights. */
  epoch: number;
  /** Epoch results so far, epoch 0 included: the curves continue where they stopped. */
  history: EpochResult[];
  weights: NamedArray[];
  optimizer: OptimizerState;
  savedAt: string;
}

export type LibraryStore = ModelStore<ModelRecord, Checkpoint, RunRecord>;

/** The name a trained model is listed under, e.g. "LeNet-5 (seed notebook, 28x28), tanh, 20 epochs". */
export function trainedModelName(settings: TrainSettings, epochsCompleted: number): string {
  const epochs = `${epochsCompleted} epoch${epochsCompleted === 1 ? '' : 's'}`;
  const subset = settings.trainSize < 60_000 ? `, ${settings.trainSize.toLocaleString('en-US')} digits` : '';
  const styles = settings.styles === 1 ? ', varied handwriting' : '';
  return `${MODEL_PRESETS[settings.model].label}, ${settings.activation}, ${epochs}${subset}${styles}`;
}

/** The list and the checkpoint, for `savedModelsListed`. A checkpoint whose settings no longer validate is ignored. */
export async function readLibrary(store: LibraryStore): Promise<{ models: SavedModelInfo[]; checkpoint: CheckpointInfo | null }> {
  const [models, checkpoint] = await Promise.all([store.list(), readCheckpoint(store)]);
  const usable = checkpoint && validateSettings(checkpoint.settings).length === 0 ? checkpoint : null;
  return {
    models,
    checkpoint: usable ? { settings: usable.settings, epoch: usable.epoch, savedAt: usable.savedAt } : null,
  };
}

/** The checkpoint, its settings completed (one saved before a setting existed trained with its default). */
export async function readCheckpoint(store: LibraryStore): Promise<Checkpoint | null> {
  const checkpoint = await store.getCheckpoint();
  return checkpoint ? { ...checkpoint, settings: completeSettings(checkpoint.settings) } : null;
}

/** A sentence for the UI from anything storage threw. */
export function storageSaying(error: unknown): Saying {
  if (error instanceof ModelStoreError) return { message: error.message, said: error.said };
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `Saving in this browser failed: ${detail}`, said: { code: 'savingFailed', values: { detail } } };
}

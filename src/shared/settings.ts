/**
 * Training settings: their defaults (the seed notebook's recipe), their ranges, the presets, and
 * their round trip through the URL query, so a teacher can share a setup as a link. Pure: both
 * threads import it; the worker checks a `train` command's settings again at its edge.
 */

import type { Activation, ModelPreset } from '../model/lenet5';
import type { OptimizerName } from '../model/optimizerDefaults';

export type { Activation, ModelPreset, OptimizerName };
/** `engine`: the LeNet Lab engine trains (tfjs WASM runs the model otherwise); the others: tfjs on that backend. */
export type BackendChoice = 'auto' | 'engine' | 'webgl' | 'wasm' | 'cpu';
/** `constant`: the learning rate throughout (Keras' default); `linear`: it falls steadily to a tenth by the last step. */
export type Schedule = 'constant' | 'linear';

export interface TrainSettings {
  model: ModelPreset;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** How the learning rate changes over the run (learningRateAt). */
  schedule: Schedule;
  optimizer: OptimizerName;
  activation: Activation;
  /** Fraction of the training subset held out, from its end, as Keras' validation_split does. */
  validationSplit: number;
  /** How many of the 60,000 training digits to use (the first ones): a subset for fast demos. */
  trainSize: number;
  backend: BackendChoice;
  /** Seeds the initial weights and every epoch's shuffle. */
  seed: number;
  /**
   * "Varied handwriting", 1 on, 0 off: training digits are rewritten on the fly in styles MNIST
   * lacks (slashed zeros, flagged ones, crossed sevens, closed fours) and gently warped
   * (src/data/styles.ts). Drawings from students are read better; MNIST's own test set the same.
   */
  styles: number;
}

/** The seed notebook's recipe: LeNet-5 28x28, tanh, Adam 0.001, batch 64, 20 epochs, split 0.2. */
export const DEFAULT_SETTINGS: TrainSettings = {
  model: 'lenet5',
  epochs: 20,
  batchSize: 64,
  learningRate: 0.001,
  schedule: 'constant',
  optimizer: 'adam',
  activation: 'tanh',
  validationSplit: 0.2,
  trainSize: 60_000,
  backend: 'auto',
  seed: 1,
  styles: 0,
};

type NumberSpec = { kind: 'number'; min: number; max: number; integer: boolean };
type ChoiceSpec<T extends string> = { kind: 'choice'; options: readonly T[] };
type Spec<T> = [T] extends [number] ? NumberSpec : [T] extends [string] ? ChoiceSpec<T & string> : never;

/** Every setting's allowed values; the form and the URL parser both read them. */
export const SETTING_SPECS: { [K in keyof TrainSettings]: Spec<TrainSettings[K]> } = {
  model: { kind: 'choice', options: ['lenet5', 'lenet5-classic'] },
  epochs: { kind: 'number', min: 1, max: 100, integer: true },
  batchSize: { kind: 'number', min: 1, max: 1024, integer: true },
  learningRate: { kind: 'number', min: 0.00001, max: 1, integer: false },
  schedule: { kind: 'choice', options: ['constant', 'linear'] },
  optimizer: { kind: 'choice', options: ['adam', 'sgd', 'rmsprop'] },
  activation: { kind: 'choice', options: ['tanh', 'relu'] },
  validationSplit: { kind: 'number', min: 0, max: 0.5, integer: false },
  trainSize: { kind: 'number', min: 100, max: 60_000, integer: true },
  backend: { kind: 'choice', options: ['auto', 'engine', 'webgl', 'wasm', 'cpu'] },
  seed: { kind: 'number', min: 0, max: 2 ** 31 - 1, integer: true },
  styles: { kind: 'number', min: 0, max: 1, integer: true },
};

export const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof TrainSettings)[];

export interface Preset {
  id: 'seed' | 'quick';
  label: string;
  settings: Partial<TrainSettings>;
}

/** Presets the Train panel offers; each is a set of overrides of the defaults. */
export const PRESETS: Preset[] = [
  { id: 'seed', label: 'Seed recipe (20 epochs)', settings: {} },
  // About 8-10 s on the LeNet Lab engine on 2 cores (ReLU trains ~13,000 images/s there). The falling
  // learning rate, varied handwriting and the rate of 0.005 were each chosen on 30 writers' handwriting
  // over 8-16 seeds, then MNIST's test set (README, "Reading handwriting"): MNIST test 98.3% -> 98.8%,
  // real handwriting of 30 other writers 95.0% -> 97.5%.
  {
    id: 'quick',
    label: 'Quick demo',
    settings: { epochs: 2, trainSize: 60_000, learningRate: 0.005, schedule: 'linear', activation: 'relu', styles: 1 },
  },
];

/** Setting errors, for the UI to word in any language. */
export type SettingCode = 'settingRange' | 'settingCombination';

export interface SettingError {
  setting: keyof TrainSettings | 'trainSize/validationSplit';
  message: string;
  /** settingRange: { setting, raw }; settingCombination: { trainSize, validationSplit }. */
  said: { code: SettingCode; values: Record<string, string | number> };
}

/** A person-readable description of a setting's range, e.g. "a whole number from 1 to 100". */
export function describeRange(name: keyof TrainSettings): string {
  const spec = SETTING_SPECS[name];
  if (spec.kind === 'choice') return `one of ${spec.options.join(', ')}`;
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`;
}

/** Checks one raw value (from the URL or the form); returns it typed, or an error naming the setting and its range. */
export function parseSetting<K extends keyof TrainSettings>(name: K, raw: string): { value: TrainSettings[K] } | { error: SettingError } {
  const spec = SETTING_SPECS[name] as NumberSpec | ChoiceSpec<string>;
  const error = {
    error: {
      setting: name,
      message: `${name} must be ${describeRange(name)}; got "${raw}"`,
      said: { code: 'settingRange' as const, values: { setting: name, raw } },
    },
  };
  if (spec.kind === 'choice') {
    return spec.options.includes(raw) ? { value: raw as TrainSettings[K] } : error;
  }
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) return error;
  return { value: value as TrainSettings[K] };
}

/** How many digits train and how many validate, as Keras splits: the validation digits are the last ones. */
export function splitSizes(settings: Pick<TrainSettings, 'trainSize' | 'validationSplit'>): { train: number; validation: number } {
  const train = Math.floor(settings.trainSize * (1 - settings.validationSplit));
  return { train, validation: settings.trainSize - train };
}

/** Checks what no single range can: the split must leave digits to train on. */
export function checkCombination(settings: TrainSettings): SettingError[] {
  const { train } = splitSizes(settings);
  if (train < 1) {
    return [
      {
        setting: 'trainSize/validationSplit',
        message: `trainSize ${settings.trainSize} with validationSplit ${settings.validationSplit} leaves no digit to train on`,
        said: { code: 'settingCombination', values: { trainSize: settings.trainSize, validationSplit: settings.validationSplit } },
      },
    ];
  }
  return [];
}

/**
 * Parses every setting `raw` gives (null: not given) over `base`: the good values replace base's,
 * each bad one is an error naming its range and leaves base's value. The one loop over the
 * settings that the URL, the form and the worker's check share; the combination is theirs to check.
 */
export function parseSettings(
  raw: (name: keyof TrainSettings) => string | null,
  base: TrainSettings,
): { settings: TrainSettings; errors: SettingError[] } {
  const settings: TrainSettings = { ...base };
  const errors: SettingError[] = [];
  for (const name of SETTING_NAMES) {
    const value = raw(name);
    if (value === null) continue;
    const parsed = parseSetting(name, value);
    if ('error' in parsed) errors.push(parsed.error);
    else (settings as unknown as Record<string, unknown>)[name] = parsed.value;
  }
  return { settings, errors };
}

/** Reads settings from a URL query; unknown parameters are ignored, bad ones reported and replaced by their default. */
export function settingsFromQuery(query: string | URLSearchParams): { settings: TrainSettings; errors: SettingError[] } {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const { settings, errors } = parseSettings((name) => params.get(name), DEFAULT_SETTINGS);
  const combination = checkCombination(settings);
  if (combination.length > 0)
    return {
      settings: { ...settings, validationSplit: DEFAULT_SETTINGS.validationSplit, trainSize: DEFAULT_SETTINGS.trainSize },
      errors: [...errors, ...combination],
    };
  return { settings, errors };
}

/** Writes settings into a URL query (all of them: a shared link states its whole recipe). */
export function settingsToQuery(settings: TrainSettings, base: string | URLSearchParams = ''): string {
  const params = new URLSearchParams(base);
  for (const name of SETTING_NAMES) params.set(name, String(settings[name]));
  return params.toString();
}

/** The fraction of the learning rate left at the last step of a `linear` schedule. */
export const LINEAR_END = 0.1;

/**
 * The learning rate of step `step` (1 for a run's first, counted over all its epochs) of `steps`:
 * the setting itself, or, on the `linear` schedule, falling from it to LINEAR_END of it. A function of
 * the step alone, so a run continued from a checkpoint takes the same steps as one never stopped.
 */
export function learningRateAt(settings: Pick<TrainSettings, 'learningRate' | 'schedule'>, step: number, steps: number): number {
  if (settings.schedule === 'constant' || steps <= 1) return settings.learningRate;
  // Never past the end: a step beyond `steps` would otherwise get a rate below LINEAR_END, then a negative one.
  return settings.learningRate * (1 - ((1 - LINEAR_END) * Math.min(step - 1, steps)) / steps);
}

/**
 * Steps in a whole run of these settings: its epochs times the batches of an epoch, of the
 * training split's digits or, for a run that draws more (a teaching run's class digits), `trainCount`.
 */
export function stepsOf(
  settings: Pick<TrainSettings, 'trainSize' | 'validationSplit' | 'batchSize' | 'epochs'>,
  trainCount = splitSizes(settings).train,
): number {
  return settings.epochs * Math.ceil(trainCount / settings.batchSize);
}

/** Settings stored before a setting existed (a checkpoint, a saved model) get the default, which is how they trained. */
export function completeSettings(stored: Partial<TrainSettings>): TrainSettings {
  return { ...DEFAULT_SETTINGS, ...stored };
}

/** Checks settings that arrive as a whole (the worker's `train` command). */
export function validateSettings(settings: TrainSettings): SettingError[] {
  const { errors } = parseSettings((name) => String(settings[name]), settings);
  return errors.length > 0 ? errors : checkCombination(settings);
}

/** Digits of each split evaluated for epoch 0 (the untrained model): enough for a steady starting point. */
export const INITIAL_SAMPLE = 2000;

/**
 * About how long a run of these settings takes, from the click to the test results, at `rate`
 * training images a second (the calibration's, on this device): its training steps, the forward
 * passes of the evaluations (the validation split after every epoch, a sample at epoch 0, the
 * 10,000 test digits; a forward pass costs about a third of a training step), and two seconds of
 * setting up, saving and drawing. Checked against recorded runs on the test machine (README, "Results").
 */
export function estimateRunSeconds(settings: Pick<TrainSettings, 'epochs' | 'trainSize' | 'validationSplit'>, rate: number): number {
  const { train, validation } = splitSizes(settings);
  const evaluated = settings.epochs * validation + Math.min(train, INITIAL_SAMPLE) + Math.min(validation, INITIAL_SAMPLE) + 10_000;
  return (settings.epochs * train + evaluated / 3) / rate + 2;
}

/** A duration as the presets say it: whole seconds under 20, then fives, then whole minutes. */
export function aboutTime(seconds: number): { seconds: number } | { minutes: number } {
  if (seconds < 20) return { seconds: Math.max(1, Math.round(seconds)) };
  if (seconds < 57.5) return { seconds: Math.round(seconds / 5) * 5 };
  return { minutes: Math.max(1, Math.round(seconds / 60)) };
}

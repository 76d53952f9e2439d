import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from '../../src/data/random';
import { downsample } from '../../src/ui/charts/chartData';
import {
  DEFAULT_SETTINGS,
  aboutTime,
  PRESETS,
  completeSettings,
  estimateRunSeconds,
  learningRateAt,
  settingsFromQuery,
  settingsToQuery,
  splitSizes,
  stepsOf,
  validateSettings,
} from '../../src/shared/settings';

describe('settings', () => {
  it('defaults to the seed notebook’s recipe', () => {
    expect(DEFAULT_SETTINGS).toEqual({
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
    });
    expect(splitSizes(DEFAULT_SETTINGS)).toEqual({ train: 48_000, validation: 12_000 });
  });

  it('reads every setting from the URL query and writes them back (round trip)', () => {
    const query =
      'epochs=1&trainSize=6000&batchSize=64&learningRate=0.001&optimizer=adam&activation=tanh&validationSplit=0.2&backend=wasm&model=lenet5&seed=1';
    const { settings, errors } = settingsFromQuery(query);
    expect(errors).toEqual([]);
    expect(settings).toMatchObject({ epochs: 1, trainSize: 6000, backend: 'wasm' });
    const other = {
      ...settings,
      model: 'lenet5-classic',
      optimizer: 'rmsprop',
      activation: 'relu',
      learningRate: 0.0005,
      schedule: 'linear',
      seed: 42,
      styles: 1,
    } as const;
    expect(settingsFromQuery(settingsToQuery(other)).settings).toEqual(other);
    expect(settingsToQuery(other, 'lang=zh')).toContain('lang=zh');
  });

  it('names a bad or out-of-range value with its range, and uses the default instead', () => {
    const { settings, errors } = settingsFromQuery('epochs=0&batchSize=abc&optimizer=adagrad&learningRate=2&trainSize=6000.5');
    expect(errors.map((e) => e.message)).toEqual([
      'epochs must be a whole number from 1 to 100; got "0"',
      'batchSize must be a whole number from 1 to 1024; got "abc"',
      'learningRate must be a number from 0.00001 to 1; got "2"',
      'optimizer must be one of adam, sgd, rmsprop; got "adagrad"',
      'trainSize must be a whole number from 100 to 60000; got "6000.5"',
    ]);
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(validateSettings({ ...DEFAULT_SETTINGS, epochs: 101 })).toHaveLength(1);
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual([]);
  });

  it('offers the seed recipe and a quick demo preset, both valid', () => {
    expect(PRESETS.map((p) => p.label)).toEqual(['Seed recipe (20 epochs)', 'Quick demo']);
    for (const preset of PRESETS) expect(validateSettings({ ...DEFAULT_SETTINGS, ...preset.settings })).toEqual([]);
  });

  it('schedules the learning rate: constant, or falling linearly from the setting to a tenth of it by the last step', () => {
    const steps = stepsOf({ ...DEFAULT_SETTINGS, epochs: 2 });
    expect(steps).toBe(2 * 750);
    const linear = { learningRate: 0.003, schedule: 'linear' } as const;
    expect(learningRateAt(linear, 1, steps)).toBe(0.003);
    expect(learningRateAt(linear, steps / 2 + 1, steps)).toBeCloseTo(0.003 * 0.55, 12);
    expect(learningRateAt(linear, steps + 1, steps)).toBeCloseTo(0.0003, 12);
    expect(learningRateAt({ learningRate: 0.003, schedule: 'constant' }, steps, steps)).toBe(0.003);
    // Never past the end (a run that takes more steps than its settings say keeps the last rate, never a negative one).
    expect(learningRateAt(linear, 2 * steps, steps)).toBeCloseTo(0.0003, 12);
    // A teaching run's epochs hold its class digits' copies too: its steps count them.
    expect(stepsOf({ ...DEFAULT_SETTINGS, epochs: 2 }, 48_000 + 2400)).toBe(2 * 788);
    expect(settingsFromQuery('schedule=cosine').errors.map((e) => e.message)).toEqual([
      'schedule must be one of constant, linear; got "cosine"',
    ]);
  });

  it('has "Varied handwriting" as styles=0/1: on in the Quick demo, off in the seed recipe, anything else named', () => {
    expect(settingsFromQuery('styles=1').settings.styles).toBe(1);
    expect(settingsFromQuery('styles=2').errors.map((e) => e.message)).toEqual(['styles must be a whole number from 0 to 1; got "2"']);
    expect(PRESETS.find((p) => p.id === 'quick')!.settings.styles).toBe(1);
    expect(PRESETS.find((p) => p.id === 'seed')!.settings.styles).toBeUndefined();
    // A checkpoint saved before the setting existed trained without it.
    const old: Partial<typeof DEFAULT_SETTINGS> = { ...DEFAULT_SETTINGS };
    delete old.styles;
    delete old.schedule;
    expect(completeSettings(old)).toEqual({ ...DEFAULT_SETTINGS, styles: 0, schedule: 'constant' });
    expect(validateSettings(completeSettings(old))).toEqual([]);
  });
});

describe('seeded shuffles', () => {
  it('repeat for the same seed, differ for another, and are permutations', () => {
    const order = (seed: number) =>
      Array.from(
        shuffleInPlace(
          Int32Array.from({ length: 100 }, (_, i) => i),
          mulberry32(seed),
        ),
      );
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect([...order(3)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('downsample', () => {
  it('keeps short series, and averages long ones into at most maxPoints buckets', () => {
    expect(
      downsample(
        [
          [1, 2],
          [2, 4],
        ],
        10,
      ),
    ).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 4 },
    ]);
    const long = Array.from({ length: 1000 }, (_, i) => [i + 1, i % 2] as [number, number]);
    const out = downsample(long, 100);
    expect(out).toHaveLength(100);
    expect(out.every((p) => p.y === 0.5)).toBe(true);
    expect(out.at(-1)!.x).toBe(1000);
  });
});

describe("a preset's time", () => {
  const quick = { ...DEFAULT_SETTINGS, ...PRESETS.find((p) => p.id === 'quick')!.settings };
  it('counts the training steps, a third of a step for each digit evaluated, and two seconds', () => {
    // Quick demo: 2 x 48,000 steps; 2 x 12,000 validation + 2,000 + 2,000 (epoch 0) + 10,000 test digits.
    expect(estimateRunSeconds(quick, 15_000)).toBeCloseTo((96_000 + 38_000 / 3) / 15_000 + 2, 6);
    // The seed recipe: 20 x 48,000 steps; 20 x 12,000 + 4,000 + 10,000 evaluated.
    expect(estimateRunSeconds(DEFAULT_SETTINGS, 20_000)).toBeCloseTo((960_000 + 254_000 / 3) / 20_000 + 2, 6);
    // No validation split: only epoch 0's sample of the training digits (2,000) and the test set are evaluated.
    expect(estimateRunSeconds({ epochs: 1, trainSize: 3000, validationSplit: 0 }, 3000)).toBeCloseTo((3000 + 12_000 / 3) / 3000 + 2, 6);
  });
  it('is said in whole seconds under 20, then in fives, then in whole minutes', () => {
    expect([0.3, 8.24, 19.4, 19.6, 22.4, 53.2, 57.4].map(aboutTime)).toEqual([1, 8, 19, 20, 20, 55, 55].map((seconds) => ({ seconds })));
    expect([57.6, 72, 89, 91, 140].map(aboutTime)).toEqual([1, 1, 1, 2, 2].map((minutes) => ({ minutes })));
  });
});

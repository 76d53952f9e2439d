/**
 * Every setting's range as a person reads it, the values at and just past each end, the split of
 * the training digits, and the URL query written back with every setting.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  PRESETS,
  SETTING_NAMES,
  checkCombination,
  describeRange,
  parseSetting,
  settingsFromQuery,
  settingsToQuery,
  splitSizes,
  validateSettings,
  type TrainSettings,
} from '../../src/shared/settings';

/** The value parseSetting reads, or the message it refuses the raw value with. */
const parsed = (name: keyof TrainSettings, raw: string) => {
  const result = parseSetting(name, raw);
  return 'value' in result ? result.value : result.error.message;
};

describe('setting ranges', () => {
  it('describes each setting’s range in words', () => {
    expect(Object.fromEntries(SETTING_NAMES.map((name) => [name, describeRange(name)]))).toEqual({
      model: 'one of lenet5, lenet5-classic',
      epochs: 'a whole number from 1 to 100',
      batchSize: 'a whole number from 1 to 1024',
      learningRate: 'a number from 0.00001 to 1',
      optimizer: 'one of adam, sgd, rmsprop',
      activation: 'one of tanh, relu',
      validationSplit: 'a number from 0 to 0.5',
      trainSize: 'a whole number from 100 to 60000',
      backend: 'one of auto, engine, webgl, wasm, cpu',
      seed: 'a whole number from 0 to 2147483647',
      styles: 'a whole number from 0 to 1',
      schedule: 'one of constant, linear',
    });
  });

  it('accepts both ends of each number’s range and refuses just past them, naming the range', () => {
    const ends: [keyof TrainSettings, string, string, string, string][] = [
      // setting, min, below min, max, above max
      ['epochs', '1', '0', '100', '101'],
      ['batchSize', '1', '0', '1024', '1025'],
      ['learningRate', '0.00001', '0.0000099', '1', '1.0001'],
      ['validationSplit', '0', '-0.01', '0.5', '0.51'],
      ['trainSize', '100', '99', '60000', '60001'],
      ['seed', '0', '-1', '2147483647', '2147483648'],
    ];
    for (const [name, min, below, max, above] of ends) {
      expect(parsed(name, min)).toBe(Number(min));
      expect(parsed(name, max)).toBe(Number(max));
      for (const raw of [below, above]) expect(parsed(name, raw)).toBe(`${name} must be ${describeRange(name)}; got "${raw}"`);
    }
  });

  it('whole-number settings refuse fractions; the others take them, in any notation Number reads', () => {
    expect(parsed('epochs', '2.5')).toBe('epochs must be a whole number from 1 to 100; got "2.5"');
    expect(parsed('seed', '7.1')).toBe('seed must be a whole number from 0 to 2147483647; got "7.1"');
    expect(parsed('validationSplit', '0.25')).toBe(0.25);
    expect(parsed('learningRate', '3e-4')).toBe(0.0003);
    expect(parsed('epochs', ' 5 ')).toBe(5);
  });

  it('refuses blank and non-finite values, even where 0 is in range', () => {
    for (const raw of ['', ' ', 'Infinity', '-Infinity', 'NaN', 'abc']) {
      expect(parsed('validationSplit', raw)).toBe(`validationSplit must be a number from 0 to 0.5; got "${raw}"`);
      expect(parsed('seed', raw)).toBe(`seed must be a whole number from 0 to 2147483647; got "${raw}"`);
    }
  });

  it('takes a choice only as spelled in its list', () => {
    expect(parsed('model', 'lenet5-classic')).toBe('lenet5-classic');
    expect(parsed('backend', 'cpu')).toBe('cpu');
    expect(parsed('activation', 'relu')).toBe('relu');
    for (const raw of ['Adam', ' adam', 'adam ', ''])
      expect(parsed('optimizer', raw)).toBe(`optimizer must be one of adam, sgd, rmsprop; got "${raw}"`);
  });

  it('a refusal names the setting and the raw value for the other languages', () => {
    expect(parseSetting('batchSize', '0')).toEqual({
      error: {
        setting: 'batchSize',
        message: 'batchSize must be a whole number from 1 to 1024; got "0"',
        said: { code: 'settingRange', values: { setting: 'batchSize', raw: '0' } },
      },
    });
  });
});

describe('the training digits’ split', () => {
  it('validates the last fraction, rounding the training part down as Keras does', () => {
    expect(splitSizes({ trainSize: 101, validationSplit: 0.5 })).toEqual({ train: 50, validation: 51 });
    expect(splitSizes({ trainSize: 1001, validationSplit: 0.3 })).toEqual({ train: 700, validation: 301 });
    expect(splitSizes({ trainSize: 1000, validationSplit: 0 })).toEqual({ train: 1000, validation: 0 });
  });

  it('refuses a split that leaves no digit to train on, and accepts one that leaves one', () => {
    const none = { ...DEFAULT_SETTINGS, trainSize: 1, validationSplit: 0.5 };
    expect(checkCombination(none)).toEqual([
      {
        setting: 'trainSize/validationSplit',
        message: 'trainSize 1 with validationSplit 0.5 leaves no digit to train on',
        said: { code: 'settingCombination', values: { trainSize: 1, validationSplit: 0.5 } },
      },
    ]);
    expect(checkCombination({ ...none, trainSize: 2 })).toEqual([]);
  });
});

describe('settings as a whole (the worker’s train command)', () => {
  it('names every setting out of range, in the settings’ order', () => {
    const errors = validateSettings({ ...DEFAULT_SETTINGS, seed: -1, model: 'lenet6' as TrainSettings['model'], epochs: 0 });
    expect(errors.map((e) => e.setting)).toEqual(['model', 'epochs', 'seed']);
    expect(errors[0]!.message).toBe('model must be one of lenet5, lenet5-classic; got "lenet6"');
  });

  it('checks the split once every range is right', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, trainSize: 1, validationSplit: 0.5 }).map((e) => e.setting)).toEqual(['trainSize']);
  });
});

describe('the URL query', () => {
  it('writes every setting, in order, keeping the page’s other parameters and replacing old values', () => {
    expect(settingsToQuery(DEFAULT_SETTINGS, 'lang=zh&epochs=5')).toBe(
      'lang=zh&epochs=20&model=lenet5&batchSize=64&learningRate=0.001&schedule=constant&optimizer=adam&activation=tanh&validationSplit=0.2&trainSize=60000&backend=auto&seed=1&styles=0',
    );
    expect(settingsToQuery(DEFAULT_SETTINGS, new URLSearchParams('lang=zh'))).toMatch(/^lang=zh&model=lenet5&epochs=20&/);
    expect(settingsToQuery(DEFAULT_SETTINGS)).toMatch(/^model=lenet5&/);
  });

  it('reads a query given as URLSearchParams, ignoring parameters that are not settings', () => {
    const { settings, errors } = settingsFromQuery(new URLSearchParams('lang=zh&epochs=3&testFault=lose-webgl-context'));
    expect(errors).toEqual([]);
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, epochs: 3 });
  });

  it('keeps the good parameters of a query with a bad one', () => {
    const { settings, errors } = settingsFromQuery('?epochs=3&trainSize=500&validationSplit=0.7');
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, epochs: 3, trainSize: 500 });
    expect(errors.map((e) => e.message)).toEqual(['validationSplit must be a number from 0 to 0.5; got "0.7"']);
  });
});

describe('presets', () => {
  it('the quick demo: 2 epochs of ReLU on all 60,000 digits, learning rate 0.005 falling to a tenth, varied handwriting on', () => {
    expect(PRESETS).toEqual([
      { id: 'seed', label: 'Seed recipe (20 epochs)', settings: {} },
      {
        id: 'quick',
        label: 'Quick demo',
        settings: { epochs: 2, trainSize: 60_000, learningRate: 0.005, schedule: 'linear', activation: 'relu', styles: 1 },
      },
    ]);
  });
});

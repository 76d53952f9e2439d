import { useState } from 'react';
import type { Strings } from '../i18n/en';
import { useSay, useStrings } from '../i18n/I18n';
import { rangeText } from '../i18n/ranges';
import {
  DEFAULT_SETTINGS,
  PRESETS,
  SETTING_NAMES,
  SETTING_SPECS,
  aboutTime,
  checkCombination,
  estimateRunSeconds,
  parseSettings,
  type SettingError,
  type TrainSettings,
} from '../../shared/settings';

type Raw = Record<keyof TrainSettings, string>;
const toRaw = (settings: TrainSettings) => Object.fromEntries(SETTING_NAMES.map((n) => [n, String(settings[n])])) as Raw;

export const choiceLabels = (s: Strings['train']): Partial<Record<keyof TrainSettings, Record<string, string>>> => ({
  model: s.modelOptions,
  backend: s.backendOptions,
  schedule: s.scheduleOptions,
});

interface SettingsFormProps {
  settings: TrainSettings;
  errors: SettingError[];
  disabled: boolean;
  onChange: (settings: TrainSettings, errors: SettingError[]) => void;
  /** Show the settings unfolded from the start (the address had values out of range). */
  unfold?: boolean;
  /** Training images a second of what will train here (the backend's calibration), for each preset's time; null: not measured. */
  rate?: number | null;
}

/**
 * Every training setting with its range. What the user types is kept as typed; a value out of
 * range is named with its range and the last good value stays in use until it is fixed.
 */
export function SettingsForm({ settings, errors, disabled, onChange, unfold = false, rate = null }: SettingsFormProps) {
  const strings = useStrings();
  const s = strings.train;
  const say = useSay();
  const [raw, setRaw] = useState<Raw>(() => toRaw(settings));

  const apply = (next: Raw) => {
    setRaw(next);
    const { settings: parsed, errors: found } = parseSettings((name) => next[name], settings);
    onChange(parsed, [...found, ...(found.length === 0 ? checkCombination(parsed) : [])]);
  };

  const choosePreset = (overrides: Partial<TrainSettings>) =>
    apply(toRaw({ ...DEFAULT_SETTINGS, backend: settings.backend, ...overrides }));
  const errorFor = (name: keyof TrainSettings) => errors.find((e) => e.setting === name);

  return (
    <div className="settings">
      <div className="presets" role="group" aria-labelledby="presets-label">
        <span id="presets-label" className="presets__label">
          {s.presets}
          {strings.colon}
        </span>
        {PRESETS.map((preset) => (
          <button
            key={preset.id}
            type="button"
            className="secondary"
            disabled={disabled}
            aria-pressed={isPreset(settings, preset.settings)}
            onClick={() => choosePreset(preset.settings)}
            data-testid={`preset-${preset.id}`}
          >
            {s.presetLabels[preset.id]}
            {rate ? (
              <span className="preset__time" data-testid={`preset-time-${preset.id}`}>
                {' · '}
                {s.presetTime(aboutTime(estimateRunSeconds({ ...DEFAULT_SETTINGS, ...preset.settings }, rate)))}
              </span>
            ) : null}
          </button>
        ))}
      </div>
      {/* Folded by default, so Train stays on the first screen; open when a value needs fixing. */}
      <details className="settings__more" data-testid="settings-details" open={unfold || errors.length > 0 || undefined}>
        <summary>
          <strong>{s.settings}</strong>
          <span className="muted small settings__summary">
            {' '}
            {SUMMARY_SETTINGS.map((name) => `${s.labels[name]} ${choiceLabels(s)[name]?.[String(settings[name])] ?? settings[name]}`).join(
              ' · ',
            )}
          </span>
        </summary>
        <fieldset disabled={disabled}>
          <legend className="visually-hidden">{s.settings}</legend>
          <div className="settings__grid">
            {SETTING_NAMES.map((name) => {
              const spec = SETTING_SPECS[name];
              const error = errorFor(name);
              const id = `setting-${name}`;
              return (
                <div key={name} className={`field${error ? ' field--invalid' : ''}${name === 'styles' ? ' field--wide' : ''}`}>
                  <label htmlFor={id}>{s.labels[name]}</label>
                  {name === 'styles' ? (
                    // An on/off setting: a switch, stored as 1 or 0 (the URL says styles=1).
                    <span className="field__check">
                      <input
                        id={id}
                        name={name}
                        type="checkbox"
                        data-testid="setting-styles"
                        checked={raw[name] === '1'}
                        aria-describedby={`${id}-hint`}
                        onChange={(e) => apply({ ...raw, [name]: e.target.checked ? '1' : '0' })}
                      />
                      <span className="muted small">{s.stylesHint}</span>
                    </span>
                  ) : spec.kind === 'choice' ? (
                    <select id={id} name={name} value={raw[name]} onChange={(e) => apply({ ...raw, [name]: e.target.value })}>
                      {spec.options.map((option) => (
                        <option key={option} value={option}>
                          {choiceLabels(s)[name]?.[option] ?? option}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      id={id}
                      name={name}
                      type="number"
                      inputMode="decimal"
                      min={spec.min}
                      max={spec.max}
                      step={spec.integer ? 1 : 'any'}
                      value={raw[name]}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={`${id}-hint`}
                      title={rangeText(name, s.range, choiceLabels(s)[name])}
                      onChange={(e) => apply({ ...raw, [name]: e.target.value })}
                    />
                  )}
                  {error ? (
                    <span id={`${id}-hint`} className="field__error" role="alert">
                      {say(error)}
                    </span>
                  ) : (
                    <span id={`${id}-hint`} className="visually-hidden">
                      {rangeText(name, s.range, choiceLabels(s)[name])}
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </fieldset>
      </details>
    </div>
  );
}

/** Whether `settings` are a preset's (the backend is the user's own choice, kept across presets). */
function isPreset(settings: TrainSettings, overrides: Partial<TrainSettings>): boolean {
  const preset: TrainSettings = { ...DEFAULT_SETTINGS, ...overrides };
  return SETTING_NAMES.every((name) => name === 'backend' || settings[name] === preset[name]);
}

/** The settings the folded summary names (the rest are a click away). */
const SUMMARY_SETTINGS: (keyof TrainSettings)[] = ['epochs', 'batchSize', 'optimizer', 'learningRate', 'activation'];

import { SETTING_SPECS, type TrainSettings } from '../../shared/settings';

/** How a language says a setting's range. */
export interface RangeWords {
  whole: (min: string, max: string) => string;
  number: (min: string, max: string) => string;
  choice: (options: string) => string;
}

/** A setting's range in words ("a whole number from 1 to 100"), from the spec the form and the URL parser check. */
export function rangeText(name: keyof TrainSettings, words: RangeWords, optionLabels?: Record<string, string>): string {
  const spec = SETTING_SPECS[name];
  if (spec.kind === 'choice') return words.choice(spec.options.map((o) => optionLabels?.[o] ?? o).join(', '));
  return (spec.integer ? words.whole : words.number)(String(spec.min), String(spec.max));
}

/** The languages LeNet Lab speaks, as `?lang=` and the root element's `lang` attribute spell them. */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The BCP 47 locale each language formats numbers and dates with. */
export const LOCALES: Record<Language, string> = { en: 'en-US', zh: 'zh-CN' };

/** Each language's name in itself, for the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', zh: '中文' };

export const LANG_PARAM = 'lang';
/** Where the last choice made on the page is kept, so the next visit opens in it. */
export const LANG_STORAGE_KEY = 'lenet-lab:lang';

function asLanguage(value: string | null | undefined): Language | null {
  const primary = value?.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : null;
}

/**
 * The language to open in: `?lang=` first (a shared link means it), then the choice made on this
 * browser last time, then the first of the browser's languages that LeNet Lab speaks, else English.
 * Regional tags count (`zh-TW`, `en-GB`); an unknown `?lang=` is ignored rather than an error.
 */
export function pickLanguage(search: string, stored: string | null, browserLanguages: readonly string[]): Language {
  const fromUrl = asLanguage(new URLSearchParams(search).get(LANG_PARAM));
  if (fromUrl) return fromUrl;
  const fromStorage = asLanguage(stored);
  if (fromStorage) return fromStorage;
  for (const tag of browserLanguages) {
    const language = asLanguage(tag);
    if (language) return language;
  }
  return 'en';
}

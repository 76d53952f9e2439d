import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Saying } from '../../shared/protocol';
import { en, type Strings } from './en';
import { formatFor, type Format } from './format';
import { LANG_PARAM, LANG_STORAGE_KEY, pickLanguage, type Language } from './language';
import { zh } from './zh';

const STRINGS: Record<Language, Strings> = { en, zh };

interface I18n {
  language: Language;
  strings: Strings;
  format: Format;
  setLanguage: (language: Language) => void;
}

const I18nContext = createContext<I18n>({ language: 'en', strings: en, format: formatFor('en'), setLanguage: () => {} });

function storedLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode, sandboxed frame): the URL and the browser decide
  }
}

function initialLanguage(): Language {
  return pickLanguage(window.location.search, storedLanguage(), navigator.languages ?? [navigator.language]);
}

/**
 * The page's language: picked at load (pickLanguage), changed by the switch. A change keeps `?lang=`
 * in the address, so a shared link opens the way the room saw it, and is remembered in this browser.
 * The root element's `lang` follows, so screen readers and fonts (CJK line breaking) follow too.
 */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    const params = new URLSearchParams(window.location.search);
    params.set(LANG_PARAM, next);
    window.history.replaceState(null, '', `?${params.toString()}${window.location.hash}`);
    try {
      window.localStorage.setItem(LANG_STORAGE_KEY, next);
    } catch {
      // not remembered: the address still carries it
    }
    setLanguageState(next);
  }, []);
  const value = useMemo(
    () => ({ language, strings: STRINGS[language], format: formatFor(language), setLanguage }),
    [language, setLanguage],
  );
  return <I18nContext value={value}>{children}</I18nContext>;
}

/** The UI text in the page's language. */
export function useStrings(): Strings {
  return useContext(I18nContext).strings;
}

/** Numbers and dates formatted for the page's language. */
export function useFormat(): Format {
  return useContext(I18nContext).format;
}

/** The language and the way to change it (the switch). */
export function useLanguage(): { language: Language; setLanguage: (language: Language) => void } {
  const { language, setLanguage } = useContext(I18nContext);
  return { language, setLanguage };
}

/** Words what the worker said in the page's language (its English message where the language has no wording). */
export function useSay(): (saying: Saying) => string {
  const strings = useStrings();
  return useCallback(
    ({ message, said }: Saying) => {
      const word = said ? strings.said[said.code] : undefined;
      return word && said ? word(said.values) : message;
    },
    [strings],
  );
}

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import en from '../locales/en.json';
import fr from '../locales/fr.json';

/**
 * Labels are data: one JSON file per language in locales/, English the reference. Another
 * language is one more file and one more line here; a label it lacks falls back to English.
 */
export type LabelKey = keyof typeof en;
type Labels = Partial<Record<LabelKey, string>>;

export const LANGUAGES: Record<string, { name: string; labels: Labels }> = {
  en: { name: 'English', labels: en },
  fr: { name: 'Français', labels: fr },
};

export type Translate = (key: LabelKey, values?: Record<string, string | number>) => string;

export function translator(language: string): Translate {
  const labels = LANGUAGES[language]?.labels ?? en;
  return (key, values = {}) =>
    (labels[key] ?? en[key]).replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
}

const STORAGE_KEY = 'tip-console-language';

export function initialLanguage(): string {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && stored in LANGUAGES) return stored;
  const preferred = navigator.language.slice(0, 2);
  return preferred in LANGUAGES ? preferred : 'en';
}

export function rememberLanguage(language: string): void {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

export const I18n = createContext<{ t: Translate; language: string }>({
  t: translator('en'),
  language: 'en',
});

export const useI18n = () => useContext(I18n);

// UI strings from src/i18n/<lang>.json; the chosen language is kept in localStorage and sets
// <html lang> and dir. Layout uses CSS logical properties, so a right-to-left language only
// needs its file and an entry in kRtl.
import en from './i18n/en.json';
import fr from './i18n/fr.json';
import es from './i18n/es.json';
import { formatBytes, formatDate, formatNumber } from './format';

type Dict = Record<string, string>;
const kDicts: Record<string, Dict> = { en, fr, es };
const kRtl = new Set(['ar', 'he', 'fa', 'ur']);
const kStorageKey = 'evidex.lang';

export const languages = Object.keys(kDicts);
let current = pickInitial();
const listeners: (() => void)[] = [];

function pickInitial(): string {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(kStorageKey);
  } catch {
    saved = null;
  }
  if (saved && kDicts[saved]) return saved;
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return kDicts[nav] ? nav : 'en';
}

export function lang(): string {
  return current;
}

export function applyLang(): void {
  document.documentElement.lang = current;
  document.documentElement.dir = kRtl.has(current) ? 'rtl' : 'ltr';
}

export function setLang(l: string): void {
  if (!kDicts[l] || l === current) return;
  current = l;
  try {
    localStorage.setItem(kStorageKey, l);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyLang();
  for (const fn of listeners) fn();
}

export function onLangChange(fn: () => void): void {
  listeners.push(fn);
}

// The language's own name, from its own file ("Français").
export function languageName(l: string): string {
  return kDicts[l]?.['language.name'] ?? l;
}

// t("evidence.count", {n: 3}): "{n}" placeholders are replaced by the given values as plain text.
export function t(key: string, params?: Record<string, string | number>): string {
  const s = kDicts[current]?.[key] ?? kDicts.en[key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === 'number' ? formatNumber(current, v) : v;
  });
}

export const num = (n: number | null | undefined, digits = 0): string => formatNumber(current, n, digits);
export const bytes = (n: number | null | undefined): string => formatBytes(current, n);
export const date = (iso: string | null | undefined): string => formatDate(current, iso);

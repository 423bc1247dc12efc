import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../paths.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export type Translate = (key: string, params?: Record<string, string | number>) => string;

// locales/<locale>/<feature>.json, one file per feature, merged into one flat catalog per locale.
function loadCatalog(locale: Locale): Record<string, string> {
  const dir = fromRoot('locales', locale);
  const merged: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    Object.assign(merged, JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
  }
  return merged;
}

const catalogs: Record<Locale, Record<string, string>> = { 'zh-CN': loadCatalog('zh-CN'), en: loadCatalog('en') };

export function catalog(locale: Locale): Readonly<Record<string, string>> {
  return catalogs[locale];
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

// A missing key shows itself, so a forgotten translation is visible on the page and in tests.
export function translator(locale: Locale): Translate {
  const messages = catalogs[locale];
  return (key, params) => {
    const template = messages[key] ?? catalogs.en[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  };
}

/** Picks the best supported locale from an Accept-Language header. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}

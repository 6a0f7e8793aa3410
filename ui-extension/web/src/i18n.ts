export type Lang = 'en' | 'zh';
export interface Localized {
  en: string;
  zh: string;
}

/** `?lang=zh|en` wins; otherwise the browser's preferred language. */
export function initialLang(): Lang {
  const q = new URLSearchParams(window.location.search).get('lang');
  if (q === 'zh' || q === 'en') return q;
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'en';
  return preferred.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** Keep the choice in the query (not the fragment, which may carry a token) without reloading. */
export function rememberLang(lang: Lang): void {
  const url = new URL(window.location.href);
  url.searchParams.set('lang', lang);
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export function tr(text: Localized, lang: Lang): string {
  return text[lang];
}

export function locale(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en-US';
}

export function money(amount: number, currency: string, lang: Lang): string {
  try {
    return new Intl.NumberFormat(locale(lang), { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return `${Math.round(amount).toLocaleString(locale(lang))} ${currency}`;
  }
}

export function percent(p: number, lang: Lang, digits = 0): string {
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(p);
}

export function dateTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(locale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/** The language switch: a real button naming the language it switches to, in that language. */
export const SWITCH_TO: Record<Lang, Localized & { label: Localized }> = {
  en: { en: 'English', zh: 'English', label: { en: 'Show in English', zh: '切换为英文' } },
  zh: { en: '中文', zh: '中文', label: { en: 'Show in Chinese', zh: '切换为中文' } },
};

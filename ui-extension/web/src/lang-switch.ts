import { el } from './dom';
import { rememberLang, SWITCH_TO, tr, type Lang } from './i18n';

/**
 * The EN / 中文 button of the card and the console: remembers the choice, lets the page redraw in
 * the other language, then puts focus back on the (redrawn) button for keyboard users.
 */
export function languageSwitch(current: Lang, onSwitch: (next: Lang) => void, extraClass = ''): HTMLButtonElement {
  const other: Lang = current === 'en' ? 'zh' : 'en';
  const button = el(
    'button',
    {
      type: 'button',
      class: `lang-switch${extraClass ? ` ${extraClass}` : ''}`,
      lang: other === 'zh' ? 'zh-CN' : 'en',
      'aria-label': tr(SWITCH_TO[other].label, current),
    },
    SWITCH_TO[other].en,
  );
  button.addEventListener('click', () => {
    rememberLang(other);
    onSwitch(other);
    document.querySelector<HTMLButtonElement>('.lang-switch')?.focus();
  });
  return button;
}

// The bar on top of every window: title, feed state and lag, the unacknowledged-alert badge, the message history,
// link channel, buttons to open the other windows (those that do not fit go behind "More ▾"), the up/down colour
// convention, language, theme and the command palette.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { WINDOW_KINDS, type LinkChannel, type WindowKind } from '../../../shared/api/contract';
import { openWindow } from '../api/floorwatch';
import { OperatorBadge } from '../auth/OperatorBadge';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, setLanguage, type Language } from '../i18n';
import { usePaletteStore } from '../stores/palette';
import { useSettingsStore } from '../stores/settings';
import { useWindowStore } from '../stores/windowState';
import { AlertBadge } from './AlertBadge';
import { ChannelPicker } from './ChannelPicker';
import { FeedStatus } from './FeedStatus';
import { belowElement, Floating, type FloatingPoint } from './Floating';
import { NoticeHistoryButton } from './Notices';

function UpDownToggle() {
  const { t } = useTranslation();
  const upDown = useSettingsStore((s) => s.upDown);
  const setUpDown = useSettingsStore((s) => s.setUpDown);
  const redUp = upDown === 'redUp';
  return (
    <button
      type="button"
      className="fw-updown"
      data-testid="updown-toggle"
      data-convention={upDown}
      aria-label={redUp ? 'Rises in red, falls in green (Chinese convention)' : 'Rises in green, falls in red'}
      title={redUp ? t('header.redUp') : t('header.greenUp')}
      onClick={() => setUpDown(redUp ? 'greenUp' : 'redUp')}
    >
      <span className="fw-swatch fw-up-bg" aria-hidden="true" />▲
      <span className="fw-swatch fw-down-bg" aria-hidden="true" />▼
      <span className="fw-updown-label">{redUp ? t('header.redUpLabel') : t('header.greenUpLabel')}</span>
    </button>
  );
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  return (
    <select
      className="fw-select"
      aria-label={t('header.language')}
      title={t('header.language')}
      data-testid="language-select"
      value={currentLanguage()}
      data-language={language}
      onChange={(event) => setLanguage(event.target.value as Language)}
    >
      {LANGUAGES.map((l) => (
        <option key={l} value={l}>
          {LANGUAGE_NAMES[l]}
        </option>
      ))}
    </select>
  );
}

function ThemeToggle() {
  const { t } = useTranslation();
  const theme = useSettingsStore((s) => s.theme);
  const setTheme = useSettingsStore((s) => s.setTheme);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="fw-icon-button"
      data-testid="theme-toggle"
      data-theme={theme}
      aria-label={`${t('header.theme')}: ${t(`header.${theme}`)}`}
      title={`${t('header.theme')}: ${t(`header.${theme}`)} → ${t(`header.${next}`)}`}
      onClick={() => setTheme(next)}
    >
      {theme === 'dark' ? '☾' : '☀'}
    </button>
  );
}

/** What a window button says on hover: a whole phrase per window and language (see nav.open in the catalogue). */
function openTitle(t: TFunction, kind: WindowKind, channel: LinkChannel | null): string {
  return channel ? t(`nav.openOnChannel.${kind}`, { channel: t(`channels.${channel}`) }) : t(`nav.open.${kind}`);
}

const BUTTON_GAP = 4;

/**
 * How many window buttons fit in `available` px, the rest going behind "More ▾": all when they all fit, else as
 * many as fit beside the More button.
 */
export function buttonsThatFit(widths: readonly number[], moreWidth: number, available: number): number {
  const total = widths.reduce((sum, width) => sum + width, 0) + BUTTON_GAP * Math.max(0, widths.length - 1);
  if (total <= available) return widths.length;
  let used = moreWidth;
  let fit = 0;
  for (const width of widths) {
    if (used + BUTTON_GAP + width > available) break;
    used += BUTTON_GAP + width;
    fit++;
  }
  return fit;
}

/**
 * The buttons that open each kind of window. They take the room the header leaves; the ones that do not fit move
 * into a "More ▾" menu (never cut off). Widths come from an invisible copy, so a language switch re-measures.
 */
function WindowButtons({ channel }: { channel: LinkChannel | null }) {
  const { t } = useTranslation();
  const navRef = useRef<HTMLElement>(null);
  const measureRef = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState<number>(WINDOW_KINDS.length);
  // The nav never shrinks below its More button: past that the header wraps instead of cutting buttons off.
  const [minWidth, setMinWidth] = useState(0);
  const [menuAt, setMenuAt] = useState<FloatingPoint | null>(null);
  const closeMenu = useCallback(() => setMenuAt(null), []);

  useLayoutEffect(() => {
    const nav = navRef.current;
    const measure = measureRef.current;
    if (!nav || !measure) return;
    const compute = () => {
      const widths = [...measure.children].map((child) => child.getBoundingClientRect().width);
      const moreWidth = widths.pop() ?? 0;
      setMinWidth(Math.ceil(moreWidth));
      setFit(buttonsThatFit(widths, moreWidth, nav.clientWidth));
    };
    const observer = new ResizeObserver(compute);
    observer.observe(nav);
    observer.observe(measure);
    compute();
    return () => observer.disconnect();
  }, []);

  const shown = WINDOW_KINDS.slice(0, fit);
  const hidden = WINDOW_KINDS.slice(fit);
  const open = (kind: WindowKind) => {
    closeMenu();
    void openWindow(kind, channel);
  };
  return (
    <nav className="fw-open" ref={navRef} style={{ minWidth }} aria-label={t('header.openWindow')} data-fit={fit}>
      <div className="fw-open-measure" ref={measureRef} aria-hidden="true">
        {WINDOW_KINDS.map((k) => (
          <span key={k} className="fw-button">
            <span>＋</span>
            {t(`short.${k}`)}
          </span>
        ))}
        <span className="fw-button">{t('nav.more')} ▾</span>
      </div>
      {shown.map((k) => (
        <button
          key={k}
          type="button"
          className="fw-button"
          data-testid={`open-${k}`}
          title={openTitle(t, k, channel)}
          onClick={() => open(k)}
        >
          <span aria-hidden="true">＋</span>
          {t(`short.${k}`)}
        </button>
      ))}
      {hidden.length > 0 && (
        <button
          type="button"
          className="fw-button"
          data-testid="open-more"
          aria-haspopup="menu"
          aria-expanded={menuAt !== null}
          title={t('nav.moreTitle')}
          onClick={(event) => setMenuAt(menuAt ? null : belowElement(event.currentTarget))}
        >
          {t('nav.more')} ▾
        </button>
      )}
      {menuAt && hidden.length > 0 && (
        <Floating at={menuAt} onClose={closeMenu} role="menu" className="fw-menu" label={t('nav.moreTitle')}>
          {hidden.map((k) => (
            <button
              key={k}
              type="button"
              role="menuitem"
              className="fw-menu-item"
              data-testid={`open-${k}`}
              title={openTitle(t, k, channel)}
              onClick={() => open(k)}
            >
              {t(`window.${k}`)}
            </button>
          ))}
        </Floating>
      )}
    </nav>
  );
}

export function HeaderBar() {
  const { t } = useTranslation();
  const kind = useWindowStore((s) => s.kind);
  const channel = useWindowStore((s) => s.channel);
  const openPalette = usePaletteStore((s) => s.open);
  return (
    <header className="fw-header">
      <div className="fw-brand" aria-hidden="true">
        <svg width="18" height="18" viewBox="0 0 18 18">
          <rect x="1" y="9" width="3" height="8" rx="1" fill="#4c8dff" />
          <rect x="7.5" y="4" width="3" height="13" rx="1" fill="#7aa9ff" />
          <rect x="14" y="1" width="3" height="16" rx="1" fill="#b3ceff" />
        </svg>
      </div>
      <h1 className="fw-title" data-testid="window-title">
        {t(`window.${kind}`)}
      </h1>
      {channel && (
        <span
          className={`fw-channel-tag fw-channel-${channel}`}
          title={t('header.linkedOn', { channel: t(`channels.${channel}`) })}
        />
      )}
      <FeedStatus />
      <AlertBadge />
      <NoticeHistoryButton />
      <ChannelPicker />
      <WindowButtons channel={channel} />
      <UpDownToggle />
      <OperatorBadge />
      <LanguageSwitch />
      <ThemeToggle />
      <button
        type="button"
        className="fw-icon-button"
        data-testid="palette-button"
        aria-label={t('header.palette')}
        title={t('header.palette')}
        onClick={openPalette}
      >
        ⌘
      </button>
    </header>
  );
}

// The bar on top of every window: title, feed state and lag, the unacknowledged-alert badge, link channel, buttons
// to open the other windows, the up/down colour convention, language, theme and the command palette.
import { useTranslation } from 'react-i18next';
import { WINDOW_KINDS } from '../../../shared/api/contract';
import { openWindow } from '../api/floorwatch';
import { OperatorBadge } from '../auth/OperatorBadge';
import { LANGUAGES, LANGUAGE_NAMES, currentLanguage, setLanguage, type Language } from '../i18n';
import { useNoticeStore } from '../stores/notice';
import { usePaletteStore } from '../stores/palette';
import { useSettingsStore } from '../stores/settings';
import { useWindowStore } from '../stores/windowState';
import { AlertBadge } from './AlertBadge';
import { ChannelPicker } from './ChannelPicker';
import { FeedStatus } from './FeedStatus';

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

export function HeaderBar() {
  const { t } = useTranslation();
  const kind = useWindowStore((s) => s.kind);
  const channel = useWindowStore((s) => s.channel);
  const notice = useNoticeStore((s) => s.message);
  const clearNotice = useNoticeStore((s) => s.clear);
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
      {notice && (
        <button
          type="button"
          className="fw-notice"
          data-testid="notice"
          title={t('header.dismiss')}
          onClick={clearNotice}
        >
          {notice}
        </button>
      )}
      <div className="fw-header-spacer" />
      <ChannelPicker />
      <nav className="fw-open" aria-label={t('header.openWindow')}>
        {WINDOW_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            className="fw-button"
            data-testid={`open-${k}`}
            title={
              channel
                ? t('header.openOnChannel', { title: t(`window.${k}`), channel: t(`channels.${channel}`) })
                : t('header.open', { title: t(`window.${k}`) })
            }
            onClick={() => void openWindow(k, channel)}
          >
            <span aria-hidden="true">＋</span>
            {t(`short.${k}`)}
          </button>
        ))}
      </nav>
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

// The bar on top of every window: title, feed state and lag, link channel, buttons to open the other windows,
// and the up/down colour convention.
import { WINDOW_KINDS } from '../../../shared/api/contract';
import { openWindow } from '../api/floorwatch';
import { useNoticeStore } from '../stores/notice';
import { useSettingsStore } from '../stores/settings';
import { useWindowStore } from '../stores/windowState';
import { WINDOW_SPECS } from '../windows/registry';
import { ChannelPicker } from './ChannelPicker';
import { FeedStatus } from './FeedStatus';

function UpDownToggle() {
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
      title={
        redUp
          ? 'Rises red, falls green — the Chinese convention (红涨绿跌), default. Click for green up.'
          : 'Rises green, falls red — the Western convention. Click for the Chinese convention (红涨绿跌).'
      }
      onClick={() => setUpDown(redUp ? 'greenUp' : 'redUp')}
    >
      <span className="fw-swatch fw-up-bg" aria-hidden="true" />▲
      <span className="fw-swatch fw-down-bg" aria-hidden="true" />▼
      <span className="fw-updown-label">{redUp ? '红涨绿跌' : 'Green up'}</span>
    </button>
  );
}

export function HeaderBar() {
  const kind = useWindowStore((s) => s.kind);
  const channel = useWindowStore((s) => s.channel);
  const notice = useNoticeStore((s) => s.message);
  const clearNotice = useNoticeStore((s) => s.clear);
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
        {WINDOW_SPECS[kind].title}
      </h1>
      {channel && (
        <span className={`fw-channel-tag fw-channel-${channel}`} title={`Linked on the ${channel} channel`} />
      )}
      <FeedStatus />
      {notice && (
        <button type="button" className="fw-notice" data-testid="notice" title="Dismiss" onClick={clearNotice}>
          {notice}
        </button>
      )}
      <div className="fw-header-spacer" />
      <ChannelPicker />
      <nav className="fw-open" aria-label="Open a window">
        {WINDOW_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            className="fw-button"
            data-testid={`open-${k}`}
            title={`Open a ${WINDOW_SPECS[k].title} window${channel ? ` on the ${channel} channel` : ''}`}
            onClick={() => void openWindow(k, channel)}
          >
            <span aria-hidden="true">＋</span> {WINDOW_SPECS[k].short}
          </button>
        ))}
      </nav>
      <UpDownToggle />
    </header>
  );
}

// One page, every window kind: the header bar on top and the window's view below; the command palette (Ctrl+K)
// over it. Theme, up/down colours and language are switched on the root element without a reload.
import { useEffect, useRef, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { WINDOW_KINDS, type WindowKind } from '../../shared/api/contract';
import { openWindow } from './api/floorwatch';
import { CommandPalette } from './components/CommandPalette';
import { HeaderBar } from './components/HeaderBar';
import { NoticeToasts } from './components/Notices';
import { ReviewBar } from './review/ReviewBar';
import { useOperatorStore } from './stores/operator';
import { useReviewStore } from './stores/review';
import { usePaletteStore } from './stores/palette';
import { useSettingsStore } from './stores/settings';
import { useWindowStore } from './stores/windowState';
import { AccountTools } from './windows/AccountTools';
import { Accounts } from './windows/Accounts';
import { AlertPane } from './windows/AlertPane';
import { CaseReview } from './windows/CaseReview';
import { MarketWatch } from './windows/MarketWatch';
import { Positions } from './windows/Positions';
import { ReportsWindow } from './windows/ReportsWindow';
import { SessionsWindow } from './windows/SessionsWindow';
import { SettingsWindow } from './windows/SettingsWindow';
import { SystemHealth } from './windows/SystemHealth';
import { WhatIfWindow } from './windows/WhatIfWindow';
import { announceWindow } from './workspace/layouts';
import { useLayoutAtStart } from './workspace/useLayoutAtStart';
import { answerFocusRequests } from './workspace/windowFocus';

const VIEWS: Record<WindowKind, ComponentType> = {
  marketWatch: MarketWatch,
  positions: Positions,
  accounts: Accounts,
  alerts: AlertPane,
  account: AccountTools,
  case: CaseReview,
  health: SystemHealth,
  sessions: SessionsWindow,
  whatIf: WhatIfWindow,
  reports: ReportsWindow,
  settings: SettingsWindow,
};

/** An address that names no window: say so and offer every window, instead of showing a wrong one. */
function UnknownWindow({ requested }: { requested: string }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t('nav.unknownTitle', { kind: requested })} — Floorwatch`;
  }, [requested, t]);
  return (
    <div className="fw-window" data-window="unknown">
      <main className="fw-unknown-window" role="alert" data-testid="unknown-window">
        <h1>{t('nav.unknownTitle', { kind: requested })}</h1>
        <p>{t('nav.unknownText')}</p>
        <ul data-testid="valid-windows">
          {WINDOW_KINDS.map((kind) => (
            <li key={kind}>
              <button
                type="button"
                className="fw-button"
                data-kind={kind}
                title={t(`nav.open.${kind}`)}
                onClick={() => void openWindow(kind, null)}
              >
                {t(`window.${kind}`)}
              </button>
            </li>
          ))}
        </ul>
      </main>
      <NoticeToasts />
    </div>
  );
}

export function App() {
  const unknownKind = useWindowStore((s) => s.unknownKind);
  return unknownKind !== null ? <UnknownWindow requested={unknownKind} /> : <KnownWindow />;
}

function KnownWindow() {
  const { t, i18n } = useTranslation();
  const kind = useWindowStore((s) => s.kind);
  const channel = useWindowStore((s) => s.channel);
  const review = useWindowStore((s) => s.review);
  const reviewName = useReviewStore((s) => s.replay?.name ?? null);
  const upDown = useSettingsStore((s) => s.upDown);
  const theme = useSettingsStore((s) => s.theme);

  useEffect(() => {
    const base = `${t(`window.${kind}`)}${channel ? ` · ${t(`channels.${channel}`)}` : ''} — Floorwatch`;
    document.title = review ? `${t('review.windowTitle', { name: reviewName ?? review })} — ${base}` : base;
  }, [kind, channel, review, reviewName, t, i18n.language]);

  // Up/down colours and the theme are CSS variables switched on the root: a change repaints without re-rendering.
  useEffect(() => {
    document.documentElement.dataset.updown = upDown;
  }, [upDown]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // A review window is not part of the live floor's saved layouts.
  useEffect(() => (review ? undefined : announceWindow()), [review]);
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => answerFocusRequests(kind, () => rootRef.current), [kind]);
  useLayoutAtStart();
  useEffect(() => useOperatorStore.getState().load(), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        usePaletteStore.getState().open();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const View = VIEWS[kind];
  return (
    <div className="fw-window" data-window={kind} ref={rootRef} {...(review ? { 'data-review': review } : {})}>
      <HeaderBar />
      <ReviewBar />
      <View />
      <CommandPalette />
      <NoticeToasts />
    </div>
  );
}

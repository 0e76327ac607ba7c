// One page, every window kind: the header bar on top and the window's view below.
import { useEffect, type ComponentType } from 'react';
import type { WindowKind } from '../../shared/api/contract';
import { HeaderBar } from './components/HeaderBar';
import { ReviewBar } from './review/ReviewBar';
import { useSettingsStore } from './stores/settings';
import { useWindowStore } from './stores/windowState';
import { Accounts } from './windows/Accounts';
import { MarketWatch } from './windows/MarketWatch';
import { Positions } from './windows/Positions';
import { WINDOW_SPECS } from './windows/registry';

const VIEWS: Record<WindowKind, ComponentType> = {
  marketWatch: MarketWatch,
  positions: Positions,
  accounts: Accounts,
};

export function App() {
  const kind = useWindowStore((s) => s.kind);
  const channel = useWindowStore((s) => s.channel);
  const upDown = useSettingsStore((s) => s.upDown);

  useEffect(() => {
    document.title = `${WINDOW_SPECS[kind].title}${channel ? ` · ${channel}` : ''} — Floorwatch`;
  }, [kind, channel]);

  // Up/down colours are CSS variables switched on the root, so a change repaints without re-rendering grids.
  useEffect(() => {
    document.documentElement.dataset.updown = upDown;
  }, [upDown]);

  const View = VIEWS[kind];
  return (
    <div className="fw-window" data-window={kind}>
      <HeaderBar />
      <ReviewBar />
      <View />
    </div>
  );
}

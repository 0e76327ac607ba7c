// Every window kind: the topics it needs (main.tsx subscribes them) and its default size when opened or restored.
// Titles are in the i18n catalogue (window.<kind>, short.<kind>). Every window takes `alerts` for the header badge.
// No window takes `accounts` or `positions` whole: a broker has 10^5 of each, so windows read them through views.
import type { TopicName, WindowKind } from '../../../shared/api/contract';

export interface WindowSpec {
  topics: readonly TopicName[];
  size: { width: number; height: number };
}

export const WINDOW_SPECS: Record<WindowKind, WindowSpec> = {
  marketWatch: { topics: ['market', 'health', 'links', 'alerts'], size: { width: 1280, height: 720 } },
  // Positions reads the market topic for each instrument's price tick (decimals).
  positions: { topics: ['market', 'health', 'links', 'alerts'], size: { width: 1280, height: 720 } },
  accounts: { topics: ['health', 'links', 'alerts'], size: { width: 1280, height: 720 } },
  alerts: { topics: ['alerts', 'health', 'links'], size: { width: 1400, height: 720 } },
  // Account tools reads the market topic for each instrument's price tick (decimals).
  account: { topics: ['market', 'alerts', 'health', 'links'], size: { width: 1200, height: 820 } },
  case: { topics: ['alerts', 'market', 'health', 'links'], size: { width: 1400, height: 860 } },
  health: { topics: ['health', 'links', 'alerts'], size: { width: 1100, height: 760 } },
  sessions: { topics: ['replay', 'health', 'links', 'alerts'], size: { width: 1200, height: 720 } },
  whatIf: { topics: ['health', 'links', 'alerts'], size: { width: 1360, height: 860 } },
  reports: { topics: ['alerts', 'health', 'links'], size: { width: 1200, height: 820 } },
  settings: { topics: ['health', 'links', 'alerts'], size: { width: 1100, height: 820 } },
};

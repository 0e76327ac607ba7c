// Every window kind: the topics it needs (main.tsx subscribes them) and its default size when opened or restored.
// Titles are in the i18n catalogue (window.<kind>, short.<kind>). No window takes `accounts` or `positions` whole (a
// broker has 10^5 of each) and only account tools takes `alerts` whole (an account's alerts, client-side): the
// alert pane, a case's alert and the header badge's counts are views of the `alerts` source.
import type { TopicName, WindowKind } from '../../../shared/api/contract';

export interface WindowSpec {
  topics: readonly TopicName[];
  size: { width: number; height: number };
}

export const WINDOW_SPECS: Record<WindowKind, WindowSpec> = {
  marketWatch: { topics: ['market', 'health', 'links'], size: { width: 1280, height: 720 } },
  // Positions reads the market topic for each instrument's price tick (decimals).
  positions: { topics: ['market', 'health', 'links'], size: { width: 1280, height: 720 } },
  accounts: { topics: ['health', 'links'], size: { width: 1280, height: 720 } },
  alerts: { topics: ['health', 'links'], size: { width: 1400, height: 720 } },
  // Account tools reads the market topic for each instrument's price tick (decimals).
  account: { topics: ['market', 'alerts', 'health', 'links'], size: { width: 1200, height: 820 } },
  case: { topics: ['market', 'health', 'links'], size: { width: 1400, height: 860 } },
  health: { topics: ['health', 'links'], size: { width: 1100, height: 760 } },
  sessions: { topics: ['replay', 'health', 'links'], size: { width: 1200, height: 720 } },
  whatIf: { topics: ['health', 'links'], size: { width: 1360, height: 860 } },
  reports: { topics: ['health', 'links'], size: { width: 1200, height: 820 } },
  settings: { topics: ['health', 'links'], size: { width: 1100, height: 820 } },
};

// Every window kind: its title and the topics it needs. main.tsx subscribes those topics; App renders the view.
import type { TopicName, WindowKind } from '../../../shared/api/contract';

export interface WindowSpec {
  title: string;
  /** Short label for the "open" buttons. */
  short: string;
  topics: readonly TopicName[];
}

export const WINDOW_SPECS: Record<WindowKind, WindowSpec> = {
  marketWatch: { title: 'Market Watch', short: 'Market', topics: ['market', 'health', 'links'] },
  // Positions reads the market topic for each instrument's price tick (decimals).
  positions: { title: 'Positions', short: 'Positions', topics: ['positions', 'market', 'health', 'links'] },
  accounts: { title: 'Accounts', short: 'Accounts', topics: ['accounts', 'health', 'links'] },
};

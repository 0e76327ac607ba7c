// Entry of every window. Installs the API (Electron preload or the host's WebSocket bridge), subscribes the topics
// this window kind needs into their stores, and renders.
import { createRoot } from 'react-dom/client';
import type { FloorwatchApi } from '../../shared/api/contract';
import { installApi } from './api/install';
import { App } from './App';
import { AuthGate } from './auth/AuthGate';
import './grid/theme';
import { exposePerfProbe } from './perf';
import './i18n';
import { alertsStore } from './stores/alerts';
import { useHealthStore } from './stores/health';
import { useLinksStore } from './stores/links';
import { marketStore } from './stores/market';
import { useReviewStore } from './stores/review';
import { applyViewsUpdate } from './stores/viewFrames';
import { useWindowStore } from './stores/windowState';
import { WINDOW_SPECS } from './windows/registry';
import './styles.css';

function subscribeTopics(api: FloorwatchApi): void {
  const { kind, review, unknownKind } = useWindowStore.getState();
  if (unknownKind !== null) return; // the page only lists the windows there are
  // A review window follows its replay position (the review band, alert ages in session time).
  if (review) api.subscribe('replay', useReviewStore.getState().apply);
  // Every window may hold views (its grids, its account and search tools): their frames come on one topic.
  api.subscribe('views', applyViewsUpdate);
  for (const topic of WINDOW_SPECS[kind].topics) {
    switch (topic) {
      case 'market':
        api.subscribe('market', marketStore.apply);
        break;
      case 'health':
        api.subscribe('health', useHealthStore.getState().apply);
        break;
      case 'links':
        api.subscribe('links', useLinksStore.getState().apply);
        break;
      case 'alerts':
        api.subscribe('alerts', alertsStore.apply);
        break;
    }
  }
}

function StartupFailure({ message }: { message: string }) {
  return (
    <div className="fw-fatal" role="alert">
      <h1>Floorwatch could not start this window</h1>
      <p>{message}</p>
      <p className="fw-muted">Close it and open it again from the application, or restart Floorwatch.</p>
    </div>
  );
}

exposePerfProbe();
const root = createRoot(document.getElementById('root') ?? document.body);
try {
  subscribeTopics(installApi());
  root.render(
    <AuthGate>
      <App />
    </AuthGate>,
  );
} catch (error) {
  console.error('[floorwatch] startup failed', error);
  root.render(<StartupFailure message={(error as Error).message} />);
}

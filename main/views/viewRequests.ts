// Requests a view host answers (the core for its engine tables, the main side for the alert queue): the API's
// views.* methods with the view id the main side gave the view.
import type { ViewBlock, ViewFrame, ViewRange, ViewSourceName, ViewSpec } from '../../shared/views/spec';
import type { AccountScope } from '../../shared/domain/teamWorkflow';

export type ViewRequest =
  | {
      action: 'open';
      viewId: string;
      source: ViewSourceName;
      spec: ViewSpec;
      range: ViewRange;
      /** The accounts the caller may see (absent or null: all); the view never lists a row outside them. */
      scope?: AccountScope | null;
    }
  | { action: 'update'; viewId: string; spec?: ViewSpec; range?: ViewRange }
  | { action: 'rows'; viewId: string; range: ViewRange }
  | { action: 'find'; viewId: string; key: string }
  | { action: 'close'; viewId: string };

/** Sources whose rows live in the core's engine. */
export const ENGINE_VIEW_SOURCES = ['market', 'positions', 'accounts'] as const;
export type EngineViewSource = (typeof ENGINE_VIEW_SOURCES)[number];

export function isEngineViewSource(source: ViewSourceName): source is EngineViewSource {
  return (ENGINE_VIEW_SOURCES as readonly string[]).includes(source);
}

/** What a view host answers: a frame (open, update), a block (rows), a position (find), or null (close). */
export type ViewAnswer = ViewFrame | ViewBlock | { index: number } | null;

/** Where the main side's view service sends a views request (a live or review core, or the alert queue's host). */
export interface ViewHost {
  viewRequest(request: ViewRequest): Promise<ViewAnswer>;
  /** Frames of this host's views as their ranges change; returns the function that stops listening. */
  onViewFrames(listener: (frames: ViewFrame[]) => void): () => void;
}

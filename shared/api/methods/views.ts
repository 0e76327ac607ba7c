// API of server-side views (see shared/views/spec.ts): a grid window opens a view of a source, moves its range as
// the operator scrolls, changes its sort/filter/search/grouping, fetches blocks beyond its range, and closes it.
// Live updates of the range arrive on the `views` topic (one row per view, keyed by viewId), to its window only.
import { Type } from '@sinclair/typebox';
import { method } from '../method';
import { ViewRangeSchema, ViewSourceSchema, ViewSpecSchema, type ViewBlock, type ViewFrame } from '../../views/spec';

const ViewIdSchema = Type.String({ minLength: 1, maxLength: 64 });
const ViewFrameResult = Type.Unsafe<ViewFrame>(Type.Object({}));
const ViewBlockResult = Type.Unsafe<ViewBlock>(Type.Object({}));

export const viewApiMethods = {
  /** Opens a view; answers with its first frame (the range's rows, total, totals) and its id. */
  'views.open': method(
    Type.Object({ source: ViewSourceSchema, spec: ViewSpecSchema, range: ViewRangeSchema }),
    ViewFrameResult,
  ),
  /** Changes a view's spec and/or the range it keeps current; answers with the whole new range. */
  'views.update': method(
    Type.Object({
      viewId: ViewIdSchema,
      spec: Type.Optional(ViewSpecSchema),
      range: Type.Optional(ViewRangeSchema),
    }),
    ViewFrameResult,
  ),
  /** Rows of a view beyond the range it keeps current (a grid's cached blocks after rows moved). */
  'views.rows': method(Type.Object({ viewId: ViewIdSchema, range: ViewRangeSchema }), ViewBlockResult),
  /** Where a row is in a view now (-1: not in it): a window following a linked pick scrolls to it. */
  'views.find': method(
    Type.Object({ viewId: ViewIdSchema, key: Type.String({ minLength: 1, maxLength: 256 }) }),
    Type.Object({ index: Type.Integer() }),
  ),
  'views.close': method(Type.Object({ viewId: ViewIdSchema }), Type.Null()),
} as const;

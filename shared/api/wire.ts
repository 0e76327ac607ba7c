// Messages of the API bridge, shared by the host's WebSocket and Electron's per-window MessagePort.
import type { ApiErrorShape, TopicName, TopicRows, TopicUpdate } from './contract';

/**
 * Row topics whose bridge deltas may carry `patches`, and the field that holds a row's key (what `rowKey` reads).
 * At 50k position updates/s a whole row is ~4× its changed fields: the host's JSON, the window's parse and the
 * transport in between all scale with it.
 */
export const PATCH_KEY_FIELDS = {
  market: 'instrumentId',
  positions: 'key',
  accounts: 'accountId',
  alerts: 'id',
} as const satisfies Partial<{ [T in TopicName]: keyof TopicRows[T] }>;

/**
 * A TopicUpdate as it crosses a bridge (both transports). A delta of a PATCH_KEY_FIELDS topic may send rows the
 * window already holds as `patches`: the row's key field plus only the fields that changed since that row last went
 * out. The client half (bridgeClient.ts) merges each into the row it holds under that key (`rowKey` works on a patch),
 * after `rows` and before `removed`, so FloorwatchApi subscribers still get whole rows.
 */
export interface WireTopicUpdate<T extends TopicName = TopicName> extends TopicUpdate<T> {
  patches?: Partial<TopicRows[T]>[];
}

export type BridgeRequest =
  | { kind: 'call'; id: number; method: string; args: unknown }
  | { kind: 'subscribe'; topic: TopicName }
  | { kind: 'unsubscribe'; topic: TopicName };

export type BridgeReply =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  /** `id` null: the request was refused before its id could be read (not JSON, no numeric id). */
  | { kind: 'result'; id: number | null; ok: false; error: ApiErrorShape }
  | { kind: 'topic'; update: WireTopicUpdate }
  /**
   * A workstation of a team server tells its windows how its link to the server is (each window shows it as its own
   * connection): while it is not open, calls are not confirmed and topics are still.
   */
  | { kind: 'link'; state: ServerLinkState; detail: string };

/** The workstation's link to its team server, as its windows show it. */
export type ServerLinkState = 'connecting' | 'open' | 'reconnecting' | 'down';

// Messages of the API bridge, shared by the host's WebSocket and Electron's per-window MessagePort.
import type { ApiErrorShape, TopicName, TopicUpdate } from './contract';

export type BridgeRequest =
  | { kind: 'call'; id: number; method: string; args: unknown }
  | { kind: 'subscribe'; topic: TopicName }
  | { kind: 'unsubscribe'; topic: TopicName };

export type BridgeReply =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: ApiErrorShape }
  | { kind: 'topic'; update: TopicUpdate };

// Plain data rows that the core publishes and the windows show. No behaviour here.
import type { ClientType, Exchange, KycRole, Phase, TerminalField } from '../protocol/schema';

export interface MarketRow {
  instrumentId: string;
  exchange: Exchange;
  product: string;
  multiplier: number;
  priceTick: number;
  marginRate: number;
  preSettlement: number;
  upperLimit: number;
  lowerLimit: number;
  positionLimit: number | null;
  maxOrderQty: number | null;
  phase: Phase;
  last: number | null;
  /** last − preSettlement (the Chinese convention for the day's change). */
  change: number | null;
  changePct: number | null;
  bid: number | null;
  bidQty: number | null;
  ask: number | null;
  askQty: number | null;
  volume: number;
  openInterest: number;
  /** Source timestamp of the last quote, epoch ms. */
  quoteTs: number;
  /** seq of the last quote applied. */
  seq: number;
}

export interface PositionRow {
  /** `${accountId}|${instrumentId}` */
  key: string;
  accountId: string;
  instrumentId: string;
  exchange: Exchange;
  longQty: number;
  longAvgPrice: number;
  shortQty: number;
  shortAvgPrice: number;
  /** Price used to value the position: last, else preSettlement. */
  mark: number;
  /** Unrealised P&L of the open position against its average prices. */
  positionPnl: number;
  /** Realised P&L today from closing trades. */
  closePnl: number;
  margin: number;
}

export interface AccountRow {
  accountId: string;
  name: string;
  controlGroup: string | null;
  preBalance: number;
  /** Net deposits minus withdrawals today. */
  cash: number;
  closePnl: number;
  positionPnl: number;
  commission: number;
  /** Dynamic equity: preBalance + cash + closePnl + positionPnl − commission. */
  equity: number;
  margin: number;
  /** equity − margin. */
  available: number;
  /** margin ÷ equity (Chinese broker convention: 风险度). Infinity when equity ≤ 0 with margin held. */
  riskDegree: number;
  workingOrders: number;
  tradesToday: number;
  /**
   * The account's largest one-side position as a share of its contract's position limit (the feed's
   * `positionLimit`), 0 when it holds nothing limited. From 0.8 an operator watches it (large-trader report level).
   */
  limitShare: number;
  /** The contract of `limitShare`, or null. */
  limitInstrument: string | null;
}

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'down' | 'ended' | 'review';

export interface FeedGap {
  /** First missing seq. */
  fromSeq: number;
  /** Last missing seq. */
  toSeq: number;
  detectedAt: number;
  recovered: boolean;
  reason: string;
}

export interface HealthSnapshot {
  feedState: FeedState;
  feedUrl: string;
  sessionId: string | null;
  tradingDay: string | null;
  source: string | null;
  lastSeq: number;
  messages: number;
  bytes: number;
  frames: number;
  rejects: number;
  rejectsByReason: Record<string, number>;
  duplicates: number;
  gaps: number;
  unrecoverableGaps: FeedGap[];
  reconnects: number;
  /** Receive time − source ts of the newest message, ms. */
  lagMs: number;
  messagesPerSecond: number;
  lastMessageAt: number;
  lastError: string | null;
  uptimeMs: number;
  simulator: { url: string; seed: number; rate: number } | null;
  cpuPercent: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Stream problems the engine survived, by kind (unknown ids, closes larger than the position…); absent = none. */
  anomalies?: Record<string, number>;
  /** The session recorder of the live core; absent where nothing records (review, tests without a recorder). */
  recorder?: RecorderHealth;
  /** Free space where the data folder lives (added on the main side by the data-folder upkeep); absent = unknown. */
  disk?: DiskHealth;
  /** Sizes of the workstation's SQLite files with their WAL, bytes, by name (session, audit, operators). */
  databases?: Record<string, number>;
}

/** Free space of the disk holding the data folder (health row field `disk`). */
export interface DiskHealth {
  path: string;
  freeBytes: number;
  totalBytes: number;
  freePercent: number;
  warnFreePercent: number;
  /** Under the warning threshold: show "disk nearly full". */
  low: boolean;
  checkedAt: number;
}

export type RecorderState = 'off' | 'waiting' | 'recording' | 'failing' | 'failed' | 'closed';

/** What the live core's session recorder is doing; `alarm` true = show it red and tell the operator. */
export interface RecorderHealth {
  /** 'waiting': no hello yet (the file is named after the session). 'failing': writes fail, retried. */
  state: RecorderState;
  /** The session file being written. */
  file: string | null;
  recordedMessages: number;
  /** Messages accepted but not yet on disk (handed to the journal thread or unflushed). */
  backlogMessages: number;
  /**
   * Messages that are not (and will not be) in the file: their count, overall seq range, and the exact seq ranges
   * (at most 100, merged) — the same as the file's `not_recorded` gap rows.
   */
  notRecorded: {
    messages: number;
    firstSeq: number | null;
    lastSeq: number | null;
    ranges?: { fromSeq: number; toSeq: number }[];
  };
  /** Size of the session file (database and its WAL), bytes. */
  dbBytes: number;
  lastRecordedSeq: number | null;
  lastError: string | null;
  /** Recording is failing or messages were lost: the operator must see it. */
  alarm: boolean;
}

/** Terminal details of one login (看穿式监管), as the feed's `terminal` message gave them (docs/protocol.md). */
export type TerminalInfo = Readonly<Partial<Record<TerminalField, string>>>;

/** What the feed says about a client beyond its money: `account` and `terminal` messages (docs/protocol.md). */
export interface ClientProfile {
  /** null: the feed did not say. */
  clientType: ClientType | null;
  /** The programmatic-trading report (程序化交易报告); null: the feed did not say. */
  programmatic: { reported: boolean; reportedOn: string | null } | null;
  /** Ids of the persons in the client's control roles. */
  kyc: Readonly<Partial<Record<KycRole, string>>>;
  /** Distinct terminals the client logged in from, oldest first (bounded; see EngineState). */
  terminals: readonly TerminalInfo[];
}

/** A contract's delivery terms from its `instrument` message (docs/protocol.md); null where the feed did not say. */
export interface DeliveryTerms {
  /** YYYYMM. */
  deliveryMonth: string | null;
  /** YYYYMMDD. */
  lastTradingDay: string | null;
  /** Lots a delivery-month position must be a multiple of. */
  deliveryUnit: number | null;
}

// Decodes fw-feed/1 frames: one message or a batch (JSON array). A bad message becomes a counted rejection with
// its reason (docs/protocol.md, "Validation"); nothing here throws past decodeFrame.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { orderSchemaByEvent, schemaByType, type ServerMessage } from './schema';

export const REJECT_REASONS = [
  'frame_too_large',
  'malformed_json',
  'not_an_object',
  'unknown_type',
  'unknown_order_event',
  'invalid_field',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  /** Human-readable detail: which field and why. */
  detail: string;
  /** Index in the batch, or -1 for a whole frame. */
  index: number;
  /** The offending message's seq when it had a readable one, for the log. */
  seq?: number;
  /** First characters of the offending input. */
  sample: string;
}

export interface DecodedFrame {
  messages: ServerMessage[];
  rejects: Rejection[];
}

/** 16 MiB: a frame larger than this is a broken or hostile gateway. */
export const MAX_FRAME_CHARS = 16 * 1024 * 1024;
const SAMPLE_CHARS = 200;

type Checker = TypeCheck<TSchema>;
const compile = (schema: TSchema): Checker => TypeCompiler.Compile(schema);
const checkerByType = new Map<string, Checker>(
  Object.entries(schemaByType).map(([type, schema]) => [type, compile(schema)]),
);
const checkerByOrderEvent = new Map<string, Checker>(
  Object.entries(orderSchemaByEvent).map(([event, schema]) => [event, compile(schema)]),
);

function sampleOf(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

function reject(reason: RejectReason, detail: string, index: number, value: unknown): Rejection {
  const rejection: Rejection = { reason, detail, index, sample: sampleOf(value) };
  if (value !== null && typeof value === 'object') {
    const seq = (value as { seq?: unknown }).seq;
    if (typeof seq === 'number') rejection.seq = seq;
  }
  return rejection;
}

const isId = (value: unknown) => typeof value === 'string' && value.length >= 1 && value.length <= 64;
const isLots = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

/** A book side as QuoteSchema has it: at most 20 [price, lots] pairs. */
function isBookSide(levels: unknown): boolean {
  if (!Array.isArray(levels) || levels.length > 20) return false;
  for (let i = 0; i < levels.length; i++) {
    const level: unknown = levels[i];
    if (!Array.isArray(level) || level.length !== 2 || !Number.isFinite(level[0]) || !isLots(level[1])) return false;
  }
  return true;
}

/**
 * QuoteSchema's check written out for the most frequent message (half of a feed): the compiled TypeBox check
 * allocates a closure per book side and message. Accepts exactly what QuoteSchema accepts (a test compares the
 * two); what it refuses still goes through the compiled check, for the error.
 */
function isQuote(m: Record<string, unknown>): boolean {
  return (
    Number.isInteger(m.seq) &&
    (m.seq as number) >= 1 &&
    Number.isInteger(m.ts) &&
    (m.ts as number) >= 0 &&
    isId(m.instrumentId) &&
    Number.isFinite(m.last) &&
    isLots(m.volume) &&
    isLots(m.openInterest) &&
    isBookSide(m.bids) &&
    isBookSide(m.asks)
  );
}

/** Validates one parsed value; returns the message or a rejection. */
export function validateMessage(value: unknown, index = -1): ServerMessage | Rejection {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reject('not_an_object', 'a message must be a JSON object', index, value);
  }
  const type = (value as { type?: unknown }).type;
  if (type === 'quote' && isQuote(value as Record<string, unknown>)) return value as ServerMessage;
  let checker: Checker | undefined;
  if (type === 'order') {
    const event = (value as { event?: unknown }).event;
    checker = typeof event === 'string' ? checkerByOrderEvent.get(event) : undefined;
    if (!checker) {
      return reject(
        'unknown_order_event',
        `order event ${JSON.stringify(event)} is not new, cancel or reject`,
        index,
        value,
      );
    }
  } else {
    checker = typeof type === 'string' ? checkerByType.get(type) : undefined;
    if (!checker) return reject('unknown_type', `unknown message type ${JSON.stringify(type)}`, index, value);
  }
  if (checker.Check(value)) return value as ServerMessage;
  const first = checker.Errors(value).First();
  const field = first?.path ? first.path.replace(/^\//, '').replace(/\//g, '.') : '(message)';
  return reject('invalid_field', `${String(type)}: ${field} ${first?.message ?? 'is invalid'}`, index, value);
}

export function isRejection(value: ServerMessage | Rejection): value is Rejection {
  return (value as Rejection).reason !== undefined && (value as Rejection).sample !== undefined;
}

/** Parses one WebSocket text frame (a message or a batch) into valid messages and rejections. */
export function decodeFrame(text: string): DecodedFrame {
  const messages: ServerMessage[] = [];
  const rejects: Rejection[] = [];
  if (text.length > MAX_FRAME_CHARS) {
    rejects.push(reject('frame_too_large', `frame of ${text.length} chars exceeds ${MAX_FRAME_CHARS}`, -1, text));
    return { messages, rejects };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    rejects.push(reject('malformed_json', (error as Error).message, -1, text));
    return { messages, rejects };
  }
  if (Array.isArray(parsed)) {
    for (let i = 0; i < parsed.length; i++) {
      const result = validateMessage(parsed[i], i);
      if (isRejection(result)) rejects.push(result);
      else messages.push(result);
    }
  } else {
    const result = validateMessage(parsed);
    if (isRejection(result)) rejects.push(result);
    else messages.push(result);
  }
  return { messages, rejects };
}

/** Encodes messages as one frame: a batch when there are several. */
export function encodeFrame(messages: readonly ServerMessage[]): string {
  return messages.length === 1 ? JSON.stringify(messages[0]) : JSON.stringify(messages);
}

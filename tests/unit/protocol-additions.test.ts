// fw-feed/1 as docs/protocol.md documents it: the optional fields added for the 2025–26 rulebook (order time
// condition and hedge flag, account client type / programmatic report / KYC persons, instrument delivery terms,
// the `terminal` message) are accepted, carried into the engine state, and a bad value is a rejection naming the
// field; messages without them stay valid. The JSON Schema in docs/ is the one generated from the code's schema,
// and an independent JSON Schema validator agrees with the decoder.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { decodeFrame, type SequencedMessage, type ServerMessage } from '../../shared/protocol';
import { PROTOCOL_SCHEMA_FILE, protocolSchemaJson } from '../../shared/protocol/jsonSchema';
import { EngineState } from '../../main/engine/state';

const instrument = {
  seq: 1,
  ts: 1795481701000,
  type: 'instrument',
  instrumentId: 'rb2605',
  exchange: 'SHFE',
  product: 'rb',
  multiplier: 10,
  priceTick: 1,
  marginRate: 0.1,
  upperLimit: 3675,
  lowerLimit: 3325,
  preSettlement: 3500,
  deliveryMonth: '202605',
  lastTradingDay: '20260515',
  deliveryUnit: 30,
} as const;
const account = {
  seq: 2,
  ts: 1795481702000,
  type: 'account',
  accountId: 'A001',
  name: 'Client A001',
  preBalance: 5000000,
  clientType: 'individual',
  programmatic: { reported: true, reportedOn: '20251010' },
  kyc: { authoriser: 'P1', orderPlacer: 'P2', fundTransferer: 'P1', statementConfirmer: 'P3' },
} as const;
const terminal = {
  seq: 3,
  ts: 1795481702500,
  type: 'terminal',
  accountId: 'A001',
  ip: '10.0.0.7',
  publicIp: '203.0.113.9',
  mac: '00-1A-2B-3C-4D-5E',
  diskSerial: 'WD-WX11A',
  cpuSerial: 'BFEBFBFF000906EA',
  biosSerial: 'R90ABC12',
  deviceName: 'TRADER-07',
  os: 'Windows 11',
  appId: 'client_fw_1.0',
} as const;
const order = {
  seq: 4,
  ts: 1795482000300,
  type: 'order',
  event: 'new',
  orderId: 'O1',
  accountId: 'A001',
  instrumentId: 'rb2605',
  side: 'buy',
  offset: 'open',
  price: 3500,
  qty: 5,
  timeCondition: 'FAK',
  hedgeFlag: 'hedge',
} as const;
const additions = { instrument, account, terminal, order } as const;

function decodeOne(message: object) {
  return decodeFrame(JSON.stringify(message));
}

describe('fw-feed/1 additions', () => {
  it.each(Object.entries(additions))('accepts %s with the new fields, and without them', (_name, message) => {
    expect(decodeOne(message)).toEqual({ messages: [message], rejects: [] });
    const plain: Record<string, unknown> = { ...message };
    for (const field of [
      'deliveryMonth',
      'lastTradingDay',
      'deliveryUnit',
      'clientType',
      'programmatic',
      'kyc',
      'timeCondition',
      'hedgeFlag',
      'ip',
      'mac',
    ])
      delete plain[field];
    expect(decodeOne(plain).rejects).toEqual([]);
  });

  it.each([
    ['an unknown time condition', { ...order, timeCondition: 'IOC' }, 'timeCondition'],
    ['an unknown hedge flag', { ...order, hedgeFlag: 'spec' }, 'hedgeFlag'],
    ['an unknown client type', { ...account, clientType: 'corporate' }, 'clientType'],
    ['a report flag that is not a boolean', { ...account, programmatic: { reported: 'yes' } }, 'programmatic'],
    ['a report without its flag', { ...account, programmatic: { reportedOn: '20251010' } }, 'programmatic'],
    [
      'a report date with dashes',
      { ...account, programmatic: { reported: true, reportedOn: '2025-10-10' } },
      'reportedOn',
    ],
    ['an empty KYC person', { ...account, kyc: { orderPlacer: '' } }, 'orderPlacer'],
    ['a delivery month 13', { ...instrument, deliveryMonth: '202613' }, 'deliveryMonth'],
    ['a last trading day of 7 digits', { ...instrument, lastTradingDay: '2026051' }, 'lastTradingDay'],
    ['a delivery unit of 0', { ...instrument, deliveryUnit: 0 }, 'deliveryUnit'],
    ['a terminal without an account', { ...terminal, accountId: undefined }, 'accountId'],
    ['a numeric MAC', { ...terminal, mac: 1234 }, 'mac'],
    ['a disk serial of 300 characters', { ...terminal, diskSerial: 'x'.repeat(300) }, 'diskSerial'],
  ])('rejects %s, naming the field', (_name, message, field) => {
    const frame = decodeOne(message);
    expect(frame.messages).toEqual([]);
    expect(frame.rejects[0]?.reason).toBe('invalid_field');
    expect(frame.rejects[0]?.detail).toContain(field);
  });
});

describe('the engine state keeps what the new rules need', () => {
  const apply = (state: EngineState, ...messages: object[]) => {
    for (const m of messages) {
      const frame = decodeOne(m);
      expect(frame.rejects).toEqual([]);
      state.applyBatch(frame.messages as ServerMessage[]);
    }
  };

  it('client type, programmatic report, KYC persons, terminals and delivery terms', () => {
    const state = new EngineState();
    apply(state, instrument, account, terminal, { ...terminal, seq: 5, ip: '10.0.0.8' });
    expect(state.deliveryTerms('rb2605')).toEqual({
      deliveryMonth: '202605',
      lastTradingDay: '20260515',
      deliveryUnit: 30,
    });
    const profile = state.clientProfile('A001');
    expect(profile).toMatchObject({
      clientType: 'individual',
      programmatic: { reported: true, reportedOn: '20251010' },
      kyc: account.kyc,
    });
    expect(profile?.terminals.map((t) => t.ip)).toEqual(['10.0.0.7', '10.0.0.8']);
    // The same terminal again is not a new one (it moves to the newest).
    apply(state, { ...terminal, seq: 6 });
    expect(state.clientProfile('A001')?.terminals.map((t) => t.ip)).toEqual(['10.0.0.8', '10.0.0.7']);
    // Re-sent static data replaces what the feed said; terminals stay.
    apply(state, { ...account, seq: 7, clientType: undefined, programmatic: { reported: false }, kyc: undefined });
    expect(state.clientProfile('A001')).toMatchObject({
      clientType: null,
      programmatic: { reported: false, reportedOn: null },
      kyc: {},
    });
    expect(state.clientProfile('A001')?.terminals).toHaveLength(2);
  });

  it('keeps a bounded number of terminals per client, and counts a terminal of an unknown account', () => {
    const state = new EngineState();
    apply(state, account);
    for (let i = 0; i < 40; i++) apply(state, { ...terminal, seq: 10 + i, diskSerial: `D${i}` });
    const terminals = state.clientProfile('A001')?.terminals ?? [];
    expect(terminals.length).toBeLessThan(40);
    expect(terminals.at(-1)?.diskSerial).toBe('D39');
    apply(state, { ...terminal, seq: 100, accountId: 'NOBODY' });
    expect(state.anomalies.unknown_account).toBe(1);
    expect(state.clientProfile('NOBODY')).toBeUndefined();
  });

  it('an account and contract without the new fields have no profile or terms (nothing kept per account)', () => {
    const state = new EngineState();
    const { deliveryMonth: _m, lastTradingDay: _d, deliveryUnit: _u, ...plainInstrument } = instrument;
    apply(state, plainInstrument, { seq: 2, ts: 1, type: 'account', accountId: 'B', name: 'B', preBalance: 1 });
    expect(state.deliveryTerms('rb2605')).toBeUndefined();
    expect(state.clientProfile('B')).toBeUndefined();
  });
});

describe('docs/protocol.md', () => {
  it('its example lines are valid messages, in seq order, using the additions', () => {
    const text = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const example = /## Example[^`]*```\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const lines = example.trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    const frame = decodeFrame(`[${lines.join(',')}]`);
    expect(frame.rejects).toEqual([]);
    expect(frame.messages.map((m) => (m as SequencedMessage).seq)).toEqual(lines.map((_l, i) => i + 1));
    expect(frame.messages.some((m) => m.type === 'terminal')).toBe(true);
  });
});

describe('docs/fw-feed-1.schema.json', () => {
  it('is the schema generated from the code (run npm run -s protocol:schema when this fails)', () => {
    const shipped = readFileSync(new URL(`../../${PROTOCOL_SCHEMA_FILE}`, import.meta.url), 'utf8');
    expect(shipped).toBe(protocolSchemaJson());
  });

  it('an independent JSON Schema validator accepts what the decoder accepts and refuses what it refuses', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(protocolSchemaJson()) as object);
    const good: SequencedMessage[] = Object.values(additions) as unknown as SequencedMessage[];
    for (const message of good) expect(validate(message), JSON.stringify(validate.errors)).toBe(true);
    for (const bad of [
      { ...order, timeCondition: 'IOC' },
      { ...account, clientType: 'corporate' },
      { ...instrument, deliveryMonth: '202613' },
      { ...terminal, accountId: '' },
      { type: 'news', seq: 1, ts: 1 },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(decodeOne(bad).rejects).toHaveLength(1);
    }
  });
});

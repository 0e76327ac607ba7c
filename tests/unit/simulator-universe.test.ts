// The simulator's futures universe: every listed contract of the six exchanges with sane contract terms, the
// default catalogue first (with its exact terms) and the first-N selection.
import { describe, expect, it } from 'vitest';
import { isRejection, validateMessage, type InstrumentMessage } from '../../shared/protocol';
import { INSTRUMENTS } from '../../main/simulator/catalogue';
import { generateSession } from '../../main/simulator/generator';
import { contractId, futuresUniverse, instrumentsOf } from '../../main/simulator/universe';

const universe = futuresUniverse();
const ids = (product: string) => universe.filter((i) => i.product === product).map((i) => i.instrumentId);

describe('futures universe', () => {
  it('lists 600+ contracts on the six exchanges, every id once', () => {
    expect(universe.length).toBeGreaterThanOrEqual(600);
    expect(new Set(universe.map((i) => i.instrumentId)).size).toBe(universe.length);
    expect([...new Set(universe.map((i) => i.exchange))].sort()).toEqual([
      'CFFEX',
      'CZCE',
      'DCE',
      'GFEX',
      'INE',
      'SHFE',
    ]);
    const products = new Set(universe.map((i) => i.product));
    for (const p of [
      'cu',
      'al',
      'zn',
      'pb',
      'ni',
      'sn',
      'au',
      'ag',
      'rb',
      'hc',
      'ss',
      'bu',
      'ru',
      'fu',
      'sp',
      'ao',
      'br',
      'm',
      'y',
      'p',
      'a',
      'b',
      'c',
      'cs',
      'jd',
      'l',
      'v',
      'pp',
      'eg',
      'eb',
      'pg',
      'i',
      'j',
      'jm',
      'lh',
      'lg',
      'SR',
      'CF',
      'TA',
      'MA',
      'FG',
      'SA',
      'RM',
      'OI',
      'AP',
      'CJ',
      'UR',
      'PF',
      'PK',
      'SF',
      'SM',
      'SH',
      'PX',
      'IF',
      'IH',
      'IC',
      'IM',
      'T',
      'TF',
      'TS',
      'TL',
      'sc',
      'lu',
      'nr',
      'bc',
      'ec',
      'si',
      'lc',
      'ps',
    ]) {
      // prettier-ignore
      expect(products.has(p), p).toBe(true);
    }
  });

  it('spells CZCE ids with a 3-digit year-month and the others with 4 digits', () => {
    for (const spec of universe) {
      const digits = spec.exchange === 'CZCE' ? 3 : 4;
      expect(spec.instrumentId, spec.instrumentId).toMatch(new RegExp(`^${spec.product}\\d{${digits}}$`));
    }
    expect(contractId('CZCE', 'SR', 2026, 1)).toBe('SR601');
    expect(contractId('SHFE', 'cu', 2026, 1)).toBe('cu2601');
  });

  it('lists each product’s delivery months from the reference day (2026-03-19)', () => {
    expect(ids('IF').sort()).toEqual(['IF2603', 'IF2604', 'IF2606', 'IF2609']);
    expect(ids('T').sort()).toEqual(['T2606', 'T2609', 'T2612']);
    expect(ids('cu')).toHaveLength(12);
    expect(ids('SR').sort()).toEqual(['SR605', 'SR607', 'SR609', 'SR611', 'SR701', 'SR703']);
    expect(ids('m').sort()).toEqual(['m2605', 'm2607', 'm2608', 'm2609', 'm2611', 'm2612', 'm2701', 'm2703']);
    expect(ids('sc').length).toBeGreaterThan(12);
  });

  it('has sane ticks, multipliers, margins, limits and prices', () => {
    for (const s of universe) {
      const label = s.instrumentId;
      expect(s.priceTick, label).toBeGreaterThan(0);
      expect(s.multiplier, label).toBeGreaterThanOrEqual(1);
      const ticks = s.preSettlement / s.priceTick;
      expect(Math.abs(ticks - Math.round(ticks)), label).toBeLessThan(1e-6);
      expect(ticks, label).toBeGreaterThan(500); // a limit band of many ticks
      expect(s.limitPct, label).toBeGreaterThan(0);
      expect(s.limitPct, label).toBeLessThanOrEqual(0.2);
      // Margin covers at least one limit move (exchanges set it so) and stays a fraction of the value.
      expect(s.marginRate, label).toBeGreaterThanOrEqual(s.limitPct);
      expect(s.marginRate, label).toBeLessThan(0.6);
      expect(s.maxOrderQty, label).toBeGreaterThan(0);
      expect(s.positionLimit, label).toBeGreaterThan(s.maxOrderQty);
      expect(s.externalLots, label).toBeGreaterThanOrEqual(s.clientLots);
      expect(s.weight, label).toBeGreaterThan(0);
    }
    const rebar = universe.find((s) => s.product === 'rb')!;
    expect([rebar.multiplier, rebar.priceTick]).toEqual([10, 1]);
    const bond = universe.find((s) => s.product === 'TS')!;
    expect([bond.multiplier, bond.priceTick]).toEqual([20_000, 0.002]);
  });

  it('puts the catalogue first, with its exact terms, then the rest most-traded first', () => {
    expect(universe.slice(0, INSTRUMENTS.length)).toEqual(INSTRUMENTS);
    const rest = universe.slice(INSTRUMENTS.length);
    for (let i = 1; i < rest.length; i++) expect(rest[i]!.weight).toBeLessThanOrEqual(rest[i - 1]!.weight);
    expect(instrumentsOf(4)).toEqual(INSTRUMENTS.slice(0, 4));
    expect(instrumentsOf(10)).toEqual(INSTRUMENTS);
    expect(instrumentsOf(200)).toEqual(universe.slice(0, 200));
    expect(instrumentsOf('all')).toBe(universe);
    expect(() => instrumentsOf(universe.length + 1)).toThrow(/universe has \d+ contracts/);
    expect(() => instrumentsOf(0)).toThrow(/whole number/);
  });

  it('sends every contract as a valid instrument message with its limit band', () => {
    const day = generateSession({ seed: 3, messages: 5_000, instruments: 'all' });
    const statics = day.take(universe.length) as InstrumentMessage[];
    expect(statics.map((m) => m.instrumentId)).toEqual(universe.map((s) => s.instrumentId));
    for (const m of statics) {
      expect(isRejection(validateMessage(m)), m.instrumentId).toBe(false);
      expect(m.lowerLimit).toBeLessThan(m.preSettlement);
      expect(m.upperLimit).toBeGreaterThan(m.preSettlement);
    }
  });
});

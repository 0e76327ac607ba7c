import { describe, expect, it } from 'vitest';
import { Sequencer } from '../../main/feed/sequencer';

describe('Sequencer', () => {
  it('applies consecutive seqs and tracks the last one applied', () => {
    const sequencer = new Sequencer();
    expect(sequencer.expected).toBe(1);
    expect([1, 2, 3].map((seq) => sequencer.offer(seq))).toEqual(['next', 'next', 'next']);
    expect(sequencer.lastApplied).toBe(3);
    expect(sequencer.expected).toBe(4);
  });

  it('drops seqs already applied as duplicates without moving', () => {
    const sequencer = new Sequencer(10);
    expect(sequencer.offer(10)).toBe('duplicate');
    expect(sequencer.offer(3)).toBe('duplicate');
    expect(sequencer.lastApplied).toBe(10);
    expect(sequencer.offer(11)).toBe('next');
  });

  it('flags a jump as a gap and does not advance past the hole', () => {
    const sequencer = new Sequencer(5);
    expect(sequencer.offer(8)).toBe('gap');
    expect(sequencer.lastApplied).toBe(5);
    // Still a gap however often it is offered: only the missing seq (or skipTo) moves on.
    expect(sequencer.offer(8)).toBe('gap');
    expect(sequencer.offer(6)).toBe('next');
    expect(sequencer.offer(8)).toBe('gap');
    expect(sequencer.offer(7)).toBe('next');
    expect(sequencer.offer(8)).toBe('next');
  });

  it('skipTo gives up a hole on purpose (an unrecoverable gap) and never moves backwards', () => {
    const sequencer = new Sequencer(5);
    sequencer.skipTo(9);
    expect(sequencer.lastApplied).toBe(8);
    expect(sequencer.offer(9)).toBe('next');
    sequencer.skipTo(3);
    expect(sequencer.lastApplied).toBe(9);
  });

  it('in resync mode takes the first seq above the last applied one as the new base, once', () => {
    const sequencer = new Sequencer(5);
    sequencer.resync();
    expect(sequencer.offer(4)).toBe('duplicate');
    expect(sequencer.isResyncing).toBe(true);
    expect(sequencer.offer(20)).toBe('next');
    expect(sequencer.isResyncing).toBe(false);
    expect(sequencer.offer(22)).toBe('gap');
  });

  it('rejects a negative starting point', () => {
    expect(() => new Sequencer(-1)).toThrow(RangeError);
  });
});

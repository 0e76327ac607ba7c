// Which engine topics someone on the main side takes whole (market, positions, accounts): the core publishes those
// whole and the rest only through views, so a broker's 10^5 accounts are not copied to the main side each tick
// while every window reads them through views.
import { ENGINE_TOPICS, type EngineTopic } from '../core/publisher';
import type { TopicName } from '../../shared/api/contract';

/**
 * Published whole whether or not anyone subscribed, and Market Watch's grid reads it whole too (the one place this is
 * decided): Positions, account tools, case review and the palette's instrument search take every instrument's price
 * tick and product from it, so a view for Market Watch would not lessen what the main side and those windows
 * receive; a floor has hundreds or a few thousand contracts (795 listed futures), not 10^5, and Market Watch's
 * tick-to-screen path stays the direct one. With options in the thousands per underlying, the instruments' static
 * data (tick, multiplier, product) would become a topic of its own and Market Watch a view of `market`.
 */
const ALWAYS_WHOLE: readonly EngineTopic[] = ['market'];

export class WholeTopicDemand {
  private readonly counts = new Map<EngineTopic, number>();

  /** `changed` gets the new set whenever a topic gains its first or loses its last subscriber. */
  constructor(private readonly changed: (topics: EngineTopic[]) => void) {}

  get topics(): EngineTopic[] {
    return ENGINE_TOPICS.filter((topic) => ALWAYS_WHOLE.includes(topic) || (this.counts.get(topic) ?? 0) > 0);
  }

  /** Counts a subscription of `topic`; returns `unsubscribe` wrapped to count it off once. */
  track(topic: TopicName, unsubscribe: () => void): () => void {
    if (!(ENGINE_TOPICS as readonly string[]).includes(topic)) return unsubscribe;
    const engineTopic = topic as EngineTopic;
    const before = this.counts.get(engineTopic) ?? 0;
    this.counts.set(engineTopic, before + 1);
    if (before === 0 && !ALWAYS_WHOLE.includes(engineTopic)) this.changed(this.topics);
    let done = false;
    return () => {
      unsubscribe();
      if (done) return;
      done = true;
      const left = (this.counts.get(engineTopic) ?? 1) - 1;
      this.counts.set(engineTopic, left);
      if (left === 0 && !ALWAYS_WHOLE.includes(engineTopic)) this.changed(this.topics);
    };
  }
}

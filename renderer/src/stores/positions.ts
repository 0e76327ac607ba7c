import { createTopicStore } from './topicStore';

/** Positions, one row per account × instrument. */
export const positionsStore = createTopicStore('positions');

import { createTopicStore } from './topicStore';

/** Instruments and their quotes (one row per instrument). Other windows read it for price ticks too. */
export const marketStore = createTopicStore('market');

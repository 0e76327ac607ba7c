import { createTopicStore } from './topicStore';

/** Accounts with equity, margin and risk degree. */
export const accountsStore = createTopicStore('accounts');

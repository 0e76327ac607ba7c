import { createTopicStore } from './topicStore';

/** Surveillance alerts with their workflow (state, assignee, notes), keyed by alert id. */
export const alertsStore = createTopicStore('alerts');

// Records a simulator day straight into a session file (generator → journal, no socket): the input of the review
// tests, the E2E setup and the review bench.
import { generateSession } from '../simulator/generator';
import type { ScenarioSelection } from '../simulator/scenarios';
import { SessionJournal } from '../store/journal';

export interface SimulatedSessionOptions {
  messages: number;
  seed?: number;
  scenarios?: ScenarioSelection;
  tradingDay?: string;
}

/** Writes a new session file `file` (it must not exist); returns the number of messages recorded. */
export function recordSimulatedSession(file: string, options: SimulatedSessionOptions): number {
  const generator = generateSession({
    seed: options.seed ?? 1,
    messages: options.messages,
    scenarios: options.scenarios ?? 'none',
    tradingDay: options.tradingDay,
  });
  const journal = new SessionJournal(file, {
    session: { sessionId: `SIM-${options.seed ?? 1}`, tradingDay: generator.tradingDay, source: 'simulator' },
    createdBy: 'record',
    flushIntervalMs: 0,
  });
  let count = 0;
  let batch = [];
  try {
    for (const message of generator) {
      batch.push(message);
      if (batch.length === 1024) {
        journal.append(batch);
        count += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) journal.append(batch);
    count += batch.length;
  } finally {
    journal.close();
  }
  return count;
}

// The NDJSON slice of a session around an alert, read with `surveil`'s input loading: a session file is read by
// seq range (one index lookup per block); NDJSON is scanned, valid lines only, each seq once, until past the range.
import { isRejection, isSequenced, validateMessage } from '../../shared/protocol';
import { isSqliteFile, ndjsonChunks, openSession } from '../cli/commands/surveil';

export interface SliceLine {
  seq: number;
  line: string;
}

/** Lines of sequenced messages with fromSeq ≤ seq ≤ toSeq, in input order, as they are in the input. */
export async function readSlice(input: string, fromSeq: number, toSeq: number): Promise<SliceLine[]> {
  const kept: SliceLine[] = [];
  let lastSeq = 0;
  if (input !== '-' && isSqliteFile(input)) {
    const reader = openSession(input);
    try {
      for (const chunk of reader.lineChunks({ fromSeq, toSeq })) {
        for (const line of chunk) keep(line);
      }
    } finally {
      reader.close();
    }
    return kept;
  }
  for await (const chunk of ndjsonChunks(input)) {
    for (const line of chunk) {
      if (keep(line) === 'past') return kept;
    }
  }
  return kept;

  function keep(line: string): 'past' | undefined {
    if (line.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return undefined;
    }
    const message = validateMessage(parsed);
    if (isRejection(message) || !isSequenced(message) || message.seq <= lastSeq) return undefined;
    lastSeq = message.seq;
    if (message.seq > toSeq) return 'past';
    if (message.seq >= fromSeq) kept.push({ seq: message.seq, line });
    return undefined;
  }
}

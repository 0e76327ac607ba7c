// Text an operator typed and has not submitted yet (a rationale, a note), kept per key in localStorage so that
// closing a dialog, a refused submit or a reload never loses it. Cleared when the text is submitted.
const PREFIX = 'floorwatch.draft.';

export function readDraft(key: string): string {
  try {
    return window.localStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(key: string, text: string): void {
  try {
    if (text.trim()) window.localStorage.setItem(PREFIX + key, text);
    else window.localStorage.removeItem(PREFIX + key);
  } catch {
    // no storage: the draft lasts as long as the dialog
  }
}

export function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(PREFIX + key);
  } catch {
    // nothing kept
  }
}

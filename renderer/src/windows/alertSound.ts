// Audible and desktop alarm for new high/critical alerts. The beep is synthesised with WebAudio (no asset); the
// desktop notification needs the Notification permission, which Electron denies by policy — then it is skipped.
let audio: AudioContext | null = null;

/** Browsers start audio only after a user gesture: call from a click or key handler to unlock it. */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}

/** Two short tones; critical alerts get a higher pitch. */
export function beep(critical: boolean): void {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, critical ? 1320 : 880],
    [0.18, critical ? 1760 : 1100],
  ] as const) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.18, start + offset + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start + offset);
    oscillator.stop(start + offset + 0.15);
  }
}

/** Asks for the notification permission once (from a user gesture); harmless where it is denied. */
export function requestNotificationPermission(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

export function notifyDesktop(title: string, body: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body, tag: 'floorwatch-alert' });
  } catch {
    // some embedders throw instead of denying: no desktop notification then
  }
}

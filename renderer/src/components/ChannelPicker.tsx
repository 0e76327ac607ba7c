// The window's link channel (FDC3-style colour channels). Windows on the same colour follow each other's picks.
import { LINK_CHANNELS, type LinkChannel } from '../../../shared/api/contract';
import { useWindowStore } from '../stores/windowState';

const NAMES: Record<LinkChannel, string> = { red: 'Red', green: 'Green', blue: 'Blue', yellow: 'Yellow' };

export function ChannelPicker() {
  const channel = useWindowStore((s) => s.channel);
  const setChannel = useWindowStore((s) => s.setChannel);
  return (
    <div className="fw-channels" role="radiogroup" aria-label="Link channel" data-testid="channel-picker">
      <span className="fw-metric-label">link</span>
      <button
        type="button"
        role="radio"
        aria-checked={channel === null}
        aria-label="Not linked"
        title="Not linked: this window neither sends nor follows picks"
        className={`fw-channel fw-channel-none${channel === null ? ' fw-selected' : ''}`}
        data-testid="channel-none"
        onClick={() => setChannel(null)}
      />
      {LINK_CHANNELS.map((c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={channel === c}
          aria-label={`${NAMES[c]} channel`}
          title={`${NAMES[c]} channel: follow and send picks with other ${NAMES[c].toLowerCase()} windows`}
          className={`fw-channel fw-channel-${c}${channel === c ? ' fw-selected' : ''}`}
          data-testid={`channel-${c}`}
          onClick={() => setChannel(c)}
        />
      ))}
    </div>
  );
}

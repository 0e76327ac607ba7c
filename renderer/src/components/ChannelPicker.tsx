// The window's link channel (FDC3-style colour channels). Windows on the same colour follow each other's picks.
import { useTranslation } from 'react-i18next';
import { LINK_CHANNELS } from '../../../shared/api/contract';
import { useWindowStore } from '../stores/windowState';

export function ChannelPicker() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const setChannel = useWindowStore((s) => s.setChannel);
  return (
    <div className="fw-channels" role="radiogroup" aria-label="Link channel" data-testid="channel-picker">
      <span className="fw-metric-label">{t('header.link')}</span>
      <button
        type="button"
        role="radio"
        aria-checked={channel === null}
        aria-label={t('header.notLinked')}
        title={t('header.notLinkedTitle')}
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
          aria-label={t('header.channel', { name: t(`channels.${c}`) })}
          title={t('header.channelTitle', { name: t(`channels.${c}`) })}
          className={`fw-channel fw-channel-${c}${channel === c ? ' fw-selected' : ''}`}
          data-testid={`channel-${c}`}
          onClick={() => setChannel(c)}
        />
      ))}
    </div>
  );
}

// System health: the feed (state, rate, lag, gaps, reconnects, rejects by reason), the recorder (backlog, messages
// not recorded), database sizes and the data folder's disk, and the core process (CPU, memory), with live sparklines
// sampled once a second. A red banner when the feed is down, recording is behind or failing, or the disk is nearly full.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Sparkline, pushSample } from '../components/Sparkline';
import { formatAge, formatBytes, formatQty } from '../format';
import { currentLanguage } from '../i18n';
import { useConnectionStore } from '../stores/connection';
import { useHealthStore } from '../stores/health';

/** Backlog above which recording counts as behind (messages waiting to be written). */
const RECORDER_BEHIND = 10_000;

interface Series {
  rate: number[];
  lag: number[];
  cpu: number[];
  rss: number[];
  backlog: number[];
}

const EMPTY_SERIES: Series = { rate: [], lag: [], cpu: [], rss: [], backlog: [] };

function Tile({
  label,
  value,
  testId,
  tone,
  children,
}: {
  label: string;
  value: string;
  testId?: string;
  tone?: 'bad' | 'warn' | 'ok';
  children?: React.ReactNode;
}) {
  return (
    <div className={`fw-tile${tone ? ` fw-tone-${tone}` : ''}`} data-testid={testId}>
      <div className="fw-tile-label">{label}</div>
      <div className="fw-tile-value">{value}</div>
      {children}
    </div>
  );
}

export function SystemHealth() {
  const { t } = useTranslation();
  const health = useHealthStore((s) => s.health);
  const link = useConnectionStore((s) => s.state);
  const [series, setSeries] = useState<Series>(EMPTY_SERIES);
  const healthRef = useRef(health);
  useEffect(() => {
    healthRef.current = health;
  }, [health]);

  useEffect(() => {
    const timer = setInterval(() => {
      const h = healthRef.current;
      if (!h) return;
      setSeries((s) => ({
        rate: pushSample(s.rate, h.messagesPerSecond),
        lag: pushSample(s.lag, h.lagMs),
        cpu: pushSample(s.cpu, h.cpuPercent),
        rss: pushSample(s.rss, h.rssBytes / 1048576),
        backlog: pushSample(s.backlog, h.recorder?.backlogMessages ?? 0),
      }));
    }, 1000);
    return () => clearInterval(timer);
  }, []);

  const zh = currentLanguage() === 'zh-CN';
  const recorder = health?.recorder ?? null;
  const databases = health?.databases ?? null;
  const disk = health?.disk ?? null;
  const notRecorded = recorder?.notRecorded.messages ?? 0;
  const feedDown = link !== 'open' || !health || health.feedState === 'down' || health.feedState === 'reconnecting';
  const recorderBehind =
    (recorder?.backlogMessages ?? 0) > RECORDER_BEHIND || notRecorded > 0 || recorder?.alarm === true;
  const problems: string[] = [];
  if (feedDown) problems.push(t('health.feedDown'));
  if (recorderBehind) problems.push(t('health.recorderBehind', { backlog: formatQty(recorder?.backlogMessages ?? 0) }));
  if (disk?.low) problems.push(t('health.diskLow', { percent: disk.freePercent.toFixed(1) }));
  if (health && health.unrecoverableGaps.length > 0)
    problems.push(t('health.unrecoverable', { count: health.unrecoverableGaps.length }));
  const rejects = Object.entries(health?.rejectsByReason ?? {}).sort((a, b) => b[1] - a[1]);
  const anomalies = Object.entries(health?.anomalies ?? {}).sort((a, b) => b[1] - a[1]);

  return (
    <section className="fw-view fw-scroll" data-testid="health-view">
      <div
        className={`fw-health-banner ${problems.length > 0 ? 'fw-health-bad' : 'fw-health-ok'}`}
        role={problems.length > 0 ? 'alert' : 'status'}
        data-testid="health-banner"
        data-state={problems.length > 0 ? 'bad' : 'ok'}
      >
        {problems.length > 0 ? problems.join(' · ') : t('health.allGood')}
      </div>
      <h2 className="fw-section-title">{t('health.feed')}</h2>
      <div className="fw-tiles">
        <Tile
          label={t('health.state')}
          value={t(`feed.${link !== 'open' ? 'down' : (health?.feedState ?? 'connecting')}`)}
          testId="health-feed-state"
          tone={feedDown ? 'bad' : 'ok'}
        >
          <div className="fw-muted fw-small">{health?.feedUrl ?? ''}</div>
        </Tile>
        <Tile
          label={t('health.rate')}
          value={formatQty(Math.round(health?.messagesPerSecond ?? 0))}
          testId="health-rate"
        >
          <Sparkline values={series.rate} label={t('health.rate')} />
        </Tile>
        <Tile
          label={t('health.lag')}
          value={health && health.lastMessageAt > 0 ? `${formatQty(Math.round(health.lagMs))} ms` : '—'}
          tone={health && health.lagMs > 1000 ? 'bad' : health && health.lagMs > 250 ? 'warn' : undefined}
        >
          <Sparkline values={series.lag} label={t('health.lag')} guide={250} />
        </Tile>
        <Tile
          label={t('health.gaps')}
          value={formatQty(health?.gaps)}
          tone={(health?.gaps ?? 0) > 0 ? 'warn' : undefined}
        />
        <Tile label={t('health.reconnects')} value={formatQty(health?.reconnects)} />
        <Tile label={t('health.duplicates')} value={formatQty(health?.duplicates)} />
        <Tile label={t('health.messages')} value={formatQty(health?.messages)} />
        <Tile label={t('health.lastSeq')} value={formatQty(health?.lastSeq)} />
      </div>
      <div className="fw-columns">
        <div>
          <h2 className="fw-section-title">
            {t('health.rejectsByReason')} <span className="fw-muted">({formatQty(health?.rejects)})</span>
          </h2>
          <table className="fw-table" data-testid="health-rejects">
            <tbody>
              {rejects.length === 0 && (
                <tr>
                  <td className="fw-muted">{t('common.none')}</td>
                </tr>
              )}
              {rejects.map(([reason, count]) => (
                <tr key={reason}>
                  <td>{reason}</td>
                  <td className="fw-num">{formatQty(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2 className="fw-section-title">{t('health.anomalies')}</h2>
          <table className="fw-table">
            <tbody>
              {anomalies.length === 0 && (
                <tr>
                  <td className="fw-muted">{t('common.none')}</td>
                </tr>
              )}
              {anomalies.map(([kind, count]) => (
                <tr key={kind}>
                  <td>{kind}</td>
                  <td className="fw-num">{formatQty(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h2 className="fw-section-title">{t('health.recorder')}</h2>
          {recorder ? (
            <div className="fw-tiles">
              <Tile
                label={t('health.backlog')}
                value={formatQty(recorder.backlogMessages)}
                tone={recorderBehind ? 'bad' : 'ok'}
                testId="health-backlog"
              >
                <Sparkline values={series.backlog} label={t('health.backlog')} guide={RECORDER_BEHIND} />
              </Tile>
              <Tile
                label={t('health.notRecorded')}
                value={formatQty(notRecorded)}
                tone={notRecorded > 0 ? 'bad' : undefined}
                testId="health-not-recorded"
              >
                {recorder.notRecorded.firstSeq !== null && (
                  <div className="fw-muted fw-small" data-testid="health-not-recorded-seqs">
                    seq{' '}
                    {(
                      recorder.notRecorded.ranges ?? [
                        { fromSeq: recorder.notRecorded.firstSeq, toSeq: recorder.notRecorded.lastSeq ?? 0 },
                      ]
                    )
                      .slice(0, 5)
                      .map((r) => (r.fromSeq === r.toSeq ? `${r.fromSeq}` : `${r.fromSeq}–${r.toSeq}`))
                      .join(', ')}
                    {(recorder.notRecorded.ranges?.length ?? 0) > 5 ? ', …' : ''}
                  </div>
                )}
              </Tile>
              <Tile
                label={t('health.recorderState')}
                value={t(`health.recorderStates.${recorder.state}`)}
                tone={recorder.alarm ? 'bad' : recorder.state === 'recording' ? 'ok' : undefined}
                testId="health-recorder-state"
              >
                {recorder.lastError && <div className="fw-muted fw-small">{recorder.lastError}</div>}
              </Tile>
            </div>
          ) : (
            <p className="fw-muted" data-testid="health-no-recorder">
              {t('health.noRecorder')}
            </p>
          )}
          <h2 className="fw-section-title">{t('health.databases')}</h2>
          {disk && (
            <p className={disk.low ? 'fw-health-disk fw-lag-bad' : 'fw-health-disk fw-muted'} data-testid="health-disk">
              {t('health.disk', {
                free: formatBytes(disk.freeBytes),
                total: formatBytes(disk.totalBytes),
                percent: disk.freePercent.toFixed(1),
              })}
            </p>
          )}
          <table className="fw-table">
            <tbody>
              {!databases && (
                <tr>
                  <td className="fw-muted">{t('health.noDatabases')}</td>
                </tr>
              )}
              {databases &&
                Object.entries(databases).map(([name, bytes]) => (
                  <tr key={name}>
                    <td>{t(`health.database.${name}`, { defaultValue: name })}</td>
                    <td className="fw-num">{formatBytes(bytes)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
        <div>
          <h2 className="fw-section-title">{t('health.core')}</h2>
          <div className="fw-tiles">
            <Tile
              label={t('health.cpu')}
              value={`${(health?.cpuPercent ?? 0).toFixed(1)}%`}
              testId="health-cpu"
              tone={(health?.cpuPercent ?? 0) > 90 ? 'warn' : undefined}
            >
              <Sparkline values={series.cpu} label={t('health.cpu')} min={0} max={100} />
            </Tile>
            <Tile label={t('health.memory')} value={formatBytes(health?.rssBytes)} testId="health-rss">
              <Sparkline values={series.rss} label={t('health.memory')} />
            </Tile>
            <Tile label={t('health.heap')} value={formatBytes(health?.heapUsedBytes)} />
            <Tile label={t('health.uptime')} value={formatAge(health?.uptimeMs ?? 0, zh)} />
            <Tile label={t('health.tradingDay')} value={health?.tradingDay ?? '—'} />
            <Tile label={t('health.session')} value={health?.sessionId ?? '—'} />
          </div>
        </div>
      </div>
    </section>
  );
}

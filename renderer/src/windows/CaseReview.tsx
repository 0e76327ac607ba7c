// Case review for one alert: the journal slice around it (cases.window) as a price/volume chart with the client's
// orders, a depth ladder replayed with a slider, the evidence messages (click one to move the ladder there), the
// rule's explanation and metrics, notes and workflow history, and the state buttons (closing or dismissing asks
// for a rationale). Works the same on a saved session (the `file` parameter is passed through).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertHistoryEntry, AlertNote, AlertRow } from '../../../shared/api/methods/alerts';
import type { CaseDepthSnapshot, CaseWindow } from '../../../shared/api/methods/cases';
import type { SequencedMessage } from '../../../shared/protocol/schema';
import { callOptional, setWindowParam, windowParam } from '../api/floorwatch';
import { decimalsOfInstrument, formatPrice, formatQty, formatTime } from '../format';
import { currentLanguage, locale } from '../i18n';
import {
  describeMetric,
  EVIDENCE_FIELD_NAMES,
  evidenceEntries,
  evidenceKind,
  EXCHANGE_TIME_ZONE,
  EXCHANGE_TIME_ZONE_NAME,
  exchangeLabel,
  productName,
  say,
  type EvidenceField,
  type VocabularyLanguage,
} from '../../../shared/vocabulary';
import { useLiveAlert } from '../stores/alertViews';
import { useSettingsStore } from '../stores/settings';
import { CaseChart } from './CaseChart';
import { AlertActionBar } from './AlertActionBar';
import { escalationLabel } from '../../../shared/domain/alertWorkflow';

const LADDER_LEVELS = 10;
/** When the window script started (for the whole window's time to a drawn case). */
const windowStart = performance.now();

type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'unavailable'; message: string };

interface AlertDetail {
  alert: AlertRow;
  notes: AlertNote[];
  history: AlertHistoryEntry[];
}

/** Fields of the evidence table: those any evidence message has, the case's own contract left out when all share it. */
function evidenceColumns(messages: SequencedMessage[], instrumentId: string | null, language: VocabularyLanguage) {
  const fields = new Set<EvidenceField>();
  const rows = messages.map((message) => {
    const cells = new Map<EvidenceField, string | number>();
    for (const entry of evidenceEntries(message, language)) {
      fields.add(entry.field);
      cells.set(entry.field, typeof entry.value === 'number' ? entry.value : entry.text);
    }
    return { message, cells };
  });
  if (
    instrumentId &&
    rows.every((row) => [undefined, instrumentId].includes(row.cells.get('instrumentId') as string))
  ) {
    fields.delete('instrumentId');
  }
  return { fields: [...fields], rows };
}

const PRICE_FIELDS: ReadonlySet<EvidenceField> = new Set(['price', 'last']);
const QTY_FIELDS: ReadonlySet<EvidenceField> = new Set(['qty', 'cancelledQty', 'volume']);

function nearestSnapshot(depth: CaseDepthSnapshot[], ts: number): number {
  let best = 0;
  for (let i = 0; i < depth.length; i++) {
    if ((depth[i]?.ts ?? 0) <= ts) best = i;
    else break;
  }
  return best;
}

function Ladder({
  snapshot,
  decimals,
  clientPrices,
}: {
  snapshot: CaseDepthSnapshot;
  decimals: number;
  clientPrices: Set<number>;
}) {
  const { t } = useTranslation();
  const asks = snapshot.asks.slice(0, LADDER_LEVELS);
  const bids = snapshot.bids.slice(0, LADDER_LEVELS);
  const maxQty = Math.max(1, ...asks.map((l) => l[1]), ...bids.map((l) => l[1]));
  const row = (side: 'bid' | 'ask', [price, qty]: [number, number]) => (
    <tr key={`${side}${price}`} className={`fw-ladder-${side}${clientPrices.has(price) ? ' fw-ladder-client' : ''}`}>
      <td className="fw-num fw-ladder-qty">{side === 'bid' ? formatQty(qty) : ''}</td>
      <td className="fw-num fw-ladder-price">
        {side === 'bid' && (
          <span className="fw-ladder-bar fw-ladder-bar-bid" style={{ width: `${(qty / maxQty) * 100}%` }} />
        )}
        {side === 'ask' && (
          <span className="fw-ladder-bar fw-ladder-bar-ask" style={{ width: `${(qty / maxQty) * 100}%` }} />
        )}
        <span>{formatPrice(price, decimals)}</span>
      </td>
      <td className="fw-num fw-ladder-qty">{side === 'ask' ? formatQty(qty) : ''}</td>
    </tr>
  );
  return (
    <table className="fw-table fw-ladder" data-testid="case-ladder" data-seq={snapshot.seq}>
      <thead>
        <tr>
          <th className="fw-num">{t('case.bid')}</th>
          <th className="fw-num">{t('case.price')}</th>
          <th className="fw-num">{t('case.ask')}</th>
        </tr>
      </thead>
      <tbody>
        {[...asks].reverse().map((level) => row('ask', level))}
        {bids.map((level) => row('bid', level))}
      </tbody>
    </table>
  );
}

/** What the chart's marks mean (the same shapes and colours CaseChart draws). */
function ChartLegend({ fired }: { fired: boolean }) {
  const { t } = useTranslation();
  return (
    <ul className="fw-chart-legend" data-testid="case-legend">
      <li>
        <span className="fw-legend-mark fw-legend-buy">▲</span>
        {t('case.legend.buy')}
      </li>
      <li>
        <span className="fw-legend-mark fw-legend-sell">▼</span>
        {t('case.legend.sell')}
      </li>
      <li>
        <span className="fw-legend-mark fw-legend-cancel">●</span>
        {t('case.legend.cancel')}
      </li>
      <li>{t('case.legend.evidence')}</li>
      <li>
        <span className="fw-legend-mark fw-legend-price">┄</span>
        {t('case.legend.price')}
      </li>
      {fired && (
        <li data-testid="case-legend-fired">
          <span className="fw-legend-mark fw-legend-fired">▼</span>
          {t('case.legend.fired')}
        </li>
      )}
      <li>
        <span className="fw-legend-mark fw-legend-cursor">■</span>
        {t('case.legend.cursor')}
      </li>
    </ul>
  );
}

export function CaseReview() {
  const { t } = useTranslation();
  const theme = useSettingsStore((s) => s.theme);
  const upDown = useSettingsStore((s) => s.upDown);
  const [alertId] = useState<string | null>(() => windowParam('case', 'alert'));
  const [file] = useState<string | null>(() => windowParam('case', 'file'));
  const [caseData, setCaseData] = useState<Loaded<CaseWindow>>({ state: 'loading' });
  const [detail, setDetail] = useState<AlertDetail | null>(null);
  const [cursor, setCursor] = useState(0);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  /** cases.window asked → chart drawn (the case-open time), and window start → chart drawn. */
  const [openMs, setOpenMs] = useState<number | null>(null);
  const [windowMs, setWindowMs] = useState<number | null>(null);
  const callStartRef = useRef(0);
  const liveAlert = useLiveAlert(alertId);
  const evidenceRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (alertId) setWindowParam('alert', alertId);
  }, [alertId]);

  useEffect(() => {
    if (!alertId) return;
    let stopped = false;
    callStartRef.current = performance.now();
    void callOptional<CaseWindow>('cases.window', file ? { alertId, file } : { alertId }).then((result) => {
      if (stopped) return;
      if (result.ok) {
        setCaseData({ state: 'ok', value: result.value });
        setCursor(nearestSnapshot(result.value.depth, result.value.anchorTs));
      } else {
        setCaseData({ state: 'unavailable', message: result.message });
        setOpenMs(Math.round(performance.now() - callStartRef.current));
      }
    });
    return () => {
      stopped = true;
    };
  }, [alertId, file]);

  const loadDetail = useCallback(() => {
    if (!alertId) return;
    void callOptional<AlertDetail>('alerts.get', { id: alertId }).then((result) => {
      if (result.ok) setDetail(result.value);
    });
  }, [alertId]);
  useEffect(() => {
    loadDetail();
  }, [loadDetail, liveAlert?.updatedAt, liveAlert?.notes]);

  const data = caseData.state === 'ok' ? caseData.value : null;
  const alert = liveAlert ?? detail?.alert ?? data?.alert ?? null;
  const instrumentId = alert?.instrumentId ?? data?.instrumentId ?? null;
  const decimals = instrumentId ? decimalsOfInstrument(instrumentId) : 2;
  const localeTag = locale();
  const language = currentLanguage();
  const zh = language === 'zh-CN';
  const exchangeTime = (ts: number, withMs = false) => formatTime(ts, localeTag, withMs, EXCHANGE_TIME_ZONE);
  const evidenceTable = useMemo(
    () => evidenceColumns(data?.evidence ?? [], instrumentId, language),
    [data, instrumentId, language],
  );
  const snapshot = data?.depth[cursor] ?? null;
  const evidence = useMemo(() => new Set(alert?.evidence ?? []), [alert?.evidence]);

  // Prices where the client had an order resting at the ladder's time (entered, not yet cancelled).
  const clientPrices = useMemo(() => {
    const prices = new Set<number>();
    if (!data || !snapshot) return prices;
    const resting = new Map<string, number>();
    for (const order of data.orders) {
      if (order.seq > snapshot.seq) break;
      if (order.event === 'new') resting.set(order.orderId, order.price);
      else if (order.event === 'cancel') resting.delete(order.orderId);
    }
    for (const price of resting.values()) prices.add(price);
    return prices;
  }, [data, snapshot]);

  const colors = useMemo(() => {
    const style = getComputedStyle(document.documentElement);
    return {
      up: style.getPropertyValue('--fw-up').trim() || '#ff4d5e',
      down: style.getPropertyValue('--fw-down').trim() || '#1fc77e',
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- CSS variables follow these settings
  }, [upDown, theme]);

  const onChartReady = useCallback(() => {
    const now = performance.now();
    setOpenMs((previous) => previous ?? Math.round(now - callStartRef.current));
    setWindowMs((previous) => previous ?? Math.round(now - windowStart));
  }, []);

  const pickEvidence = (seq: number, ts: number) => {
    setSelectedSeq(seq);
    if (data) setCursor(nearestSnapshot(data.depth, ts));
  };

  if (!alertId) {
    return (
      <section className="fw-view fw-empty-view">
        <p className="fw-muted">{t('common.pickAlert')}</p>
      </section>
    );
  }

  return (
    <section
      className="fw-view fw-case"
      data-testid="case-view"
      data-alert={alertId}
      data-open-ms={openMs ?? undefined}
      data-window-ms={windowMs ?? undefined}
      data-server-ms={data?.elapsedMs}
      data-loaded={caseData.state}
    >
      <div className="fw-case-head">
        {alert && <span className={`fw-sev fw-sev-${alert.severity}`}>{t(`severity.${alert.severity}`)}</span>}
        <strong>{alert ? t(`rule.${alert.rule}`) : '—'}</strong>
        <span className="fw-account">{alert?.subjectId ?? ''}</span>
        <span className="fw-instrument">{instrumentId ?? ''}</span>
        <span className="fw-muted">
          {instrumentId ? productName(instrumentId, language) : ''} {exchangeLabel(alert?.exchange, language)}
        </span>
        {alert && (
          <span className={`fw-state-chip fw-astate-${alert.state}`} data-testid="case-state" data-state={alert.state}>
            {t(`alertState.${alert.state}`)}
          </span>
        )}
        <div className="fw-header-spacer" />
        {openMs !== null && <span className="fw-muted fw-small">{t('case.opened', { ms: openMs })}</span>}
        <AlertActionBar alert={alert} onDone={loadDetail} testIdPrefix="case" />
      </div>
      {caseData.state === 'unavailable' && (
        <div className="fw-banner-warn" data-testid="case-unavailable">
          {t('case.chartUnavailable')} <span className="fw-muted">({caseData.message})</span>
        </div>
      )}
      <div className="fw-case-body">
        <div className="fw-case-main">
          <div className="fw-case-chart-wrap">
            <h2 className="fw-section-title">
              {t('case.chart')}
              {data && (
                <span className="fw-muted" data-testid="case-range" data-from={data.fromTs} data-to={data.toTs}>
                  {' '}
                  {exchangeTime(data.fromTs)} – {exchangeTime(data.toTs)} {say(EXCHANGE_TIME_ZONE_NAME, language)} ·{' '}
                  {t('case.clientOrders')} {formatQty(data.orders.length)}
                </span>
              )}
            </h2>
            {data ? (
              <CaseChart
                data={data}
                theme={theme}
                localeTag={localeTag}
                decimals={decimals}
                upColor={colors.up}
                downColor={colors.down}
                cursorTs={snapshot?.ts ?? null}
                firedLabel={t('case.legend.fired')}
                onReady={onChartReady}
              />
            ) : (
              <div className="fw-chart fw-chart-empty">{caseData.state === 'loading' ? t('common.loading') : ''}</div>
            )}
            <ChartLegend fired={data?.firedTs !== null && data?.firedTs !== undefined} />
            <p className="fw-muted fw-small" data-testid="case-time-zone">
              {t('case.timeZoneNote', { zone: say(EXCHANGE_TIME_ZONE_NAME, language) })}
            </p>
          </div>
          <div className="fw-case-evidence" ref={evidenceRef}>
            <h2 className="fw-section-title">
              {t('case.evidence')}{' '}
              <span className="fw-muted">({formatQty(data?.evidence.length ?? alert?.evidence.length ?? 0)})</span>
            </h2>
            <div className="fw-scroll-box">
              <table className="fw-table fw-evidence-table" data-testid="case-evidence">
                <thead>
                  <tr>
                    <th className="fw-num">{say(EVIDENCE_FIELD_NAMES.seq, language)}</th>
                    <th>{say(EVIDENCE_FIELD_NAMES.ts, language)}</th>
                    <th>{say(EVIDENCE_FIELD_NAMES.type, language)}</th>
                    {evidenceTable.fields.map((field) => (
                      <th
                        key={field}
                        data-field={field}
                        className={PRICE_FIELDS.has(field) || QTY_FIELDS.has(field) ? 'fw-num' : undefined}
                      >
                        {say(EVIDENCE_FIELD_NAMES[field], language)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {evidenceTable.rows.map(({ message, cells }) => (
                    <tr
                      key={message.seq}
                      className={`fw-clickable${message.seq === selectedSeq ? ' fw-row-selected' : ''}${evidence.has(message.seq) ? ' fw-evidence' : ''}`}
                      tabIndex={0}
                      onClick={() => pickEvidence(message.seq, message.ts)}
                      onKeyDown={(event) => event.key === 'Enter' && pickEvidence(message.seq, message.ts)}
                    >
                      <td className="fw-num fw-muted">{message.seq}</td>
                      <td className="fw-muted">{exchangeTime(message.ts, true)}</td>
                      <td>{evidenceKind(message, language)}</td>
                      {evidenceTable.fields.map((field) => {
                        const value = cells.get(field);
                        const text =
                          typeof value === 'number'
                            ? PRICE_FIELDS.has(field)
                              ? formatPrice(value, decimals)
                              : formatQty(value)
                            : (value ?? '');
                        return (
                          <td key={field} className={typeof value === 'number' ? 'fw-num' : undefined}>
                            {text}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                  {!data &&
                    (alert?.evidence ?? []).slice(0, 200).map((seq) => (
                      <tr key={seq} className="fw-evidence">
                        <td className="fw-num fw-muted">{seq}</td>
                        <td colSpan={2} className="fw-muted" />
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
        <aside className="fw-case-side">
          <h2 className="fw-section-title">
            {t('case.ladder')}{' '}
            {snapshot && (
              <span className="fw-muted">{t('case.replayAt', { time: exchangeTime(snapshot.ts, true) })}</span>
            )}
          </h2>
          {data && data.depth.length > 0 && snapshot ? (
            <>
              <input
                type="range"
                className="fw-slider"
                min={0}
                max={data.depth.length - 1}
                value={cursor}
                aria-label={t('case.ladder')}
                data-testid="case-slider"
                onChange={(event) => setCursor(Number(event.target.value))}
              />
              <Ladder snapshot={snapshot} decimals={decimals} clientPrices={clientPrices} />
            </>
          ) : (
            <p className="fw-muted">{data ? t('case.noBook') : '—'}</p>
          )}
          <h2 className="fw-section-title">{t('case.explanation')}</h2>
          <p className="fw-explanation" data-testid="case-explanation">
            {alert ? (zh ? alert.messageZh : alert.message) : '—'}
          </p>
          <h2 className="fw-section-title">{t('case.metrics')}</h2>
          <table className="fw-table fw-metrics" data-testid="case-metrics">
            <tbody>
              {alert && alert.count !== null && (
                <tr>
                  <td>{t('col.count')}</td>
                  <td className="fw-num">
                    {formatQty(alert.count)} / {alert.threshold === null ? '—' : formatQty(alert.threshold)}
                  </td>
                </tr>
              )}
              {alert && (
                <tr>
                  <td>{t('col.score')}</td>
                  <td className="fw-num">{Math.round(alert.score)}</td>
                </tr>
              )}
              {alert &&
                Object.entries(alert.metrics).map(([name, value]) => {
                  const figure = describeMetric(alert.rule, name, value, language);
                  const other = describeMetric(alert.rule, name, value, zh ? 'en' : 'zh-CN');
                  return (
                    <tr key={name} data-testid={`case-metric-${name}`} title={`${other.label}: ${other.value}`}>
                      <td>{figure.label}</td>
                      <td className="fw-num">{figure.value}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
          <h2 className="fw-section-title">{t('case.notes')}</h2>
          <ul className="fw-notes" data-testid="case-notes">
            {(detail?.notes ?? []).map((note, i) => (
              <li key={i}>
                <span className="fw-muted">
                  {formatTime(note.at, localeTag)} · {note.operator}
                </span>{' '}
                {note.text}
              </li>
            ))}
            {(detail?.notes.length ?? 0) === 0 && <li className="fw-muted">{t('common.none')}</li>}
          </ul>
          <h2 className="fw-section-title">{t('case.history')}</h2>
          <ul className="fw-notes" data-testid="case-history">
            {(detail?.history ?? []).map((entry, i) => (
              <li key={i}>
                <span className="fw-muted">
                  {formatTime(entry.at, localeTag)} · {entry.operator}
                </span>{' '}
                {t(`alertState.${entry.from}`)} → {t(`alertState.${entry.to}`)}
                {entry.target && (
                  <span data-testid="case-escalated-to">
                    {' '}
                    · {t('workflow.escalatedTo', { target: escalationLabel(entry.target) })}
                  </span>
                )}
                {entry.reason && <span className="fw-muted"> — {entry.reason}</span>}
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </section>
  );
}

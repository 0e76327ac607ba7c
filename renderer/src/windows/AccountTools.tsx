// Account tools: one account (or its control group) at a glance — equity, available, margin, risk degree with its
// history, positions, working orders, today's trades, its alerts and dispositions, contact notes, and how close the
// client is to each exchange rule per contract. Follows the account picked on the window's link channel.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { riskBand } from '../../../shared/domain/risk';
import type { AccountRow, PositionRow } from '../../../shared/domain/types';
import type { AccountCounters, AccountDetail } from '../../../shared/api/methods/accounts';
import type { AccountActionRequest } from '../../../shared/api/methods/auth';
import type { AlertRow } from '../../../shared/api/methods/alerts';
import type { ColumnFilter, ViewSpec } from '../../../shared/views/spec';
import { callOptional, openWindow, setWindowParam, windowParam } from '../api/floorwatch';
import { describeAction, useActionsStore } from '../auth/actions';
import { DecisionButtons, DecisionLine, RestrictionBadges } from '../auth/FourEyesParts';
import { RequestActionForm } from '../auth/RequestActionForm';
import { Sparkline, pushSample } from '../components/Sparkline';
import {
  decimalsOfInstrument,
  formatMoney,
  formatPrice,
  formatQty,
  formatRatioPct,
  formatTime,
  signClass,
} from '../format';
import { currentLanguage, locale } from '../i18n';
import { exchangeLabel, productName } from '../../../shared/vocabulary';
import { alertsStore } from '../stores/alerts';
import { useChannelContext } from '../stores/links';
import { useViewRows } from '../stores/viewRows';
import { useWindowStore } from '../stores/windowState';

const REFRESH_MS = 2000;

type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'unavailable'; message: string };

function useRefreshed<T>(method: string, accountId: string | null): Loaded<T> {
  const [result, setResult] = useState<{ accountId: string | null; loaded: Loaded<T> }>({
    accountId: null,
    loaded: { state: 'loading' },
  });
  useEffect(() => {
    if (!accountId) return;
    let stopped = false;
    const load = () =>
      void callOptional<T>(method, { accountId }).then((r) => {
        if (stopped) return;
        setResult({
          accountId,
          loaded: r.ok ? { state: 'ok', value: r.value } : { state: 'unavailable', message: r.message },
        });
      });
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [method, accountId]);
  // A result of the previous account counts as still loading.
  return result.accountId === accountId ? result.loaded : { state: 'loading' };
}

/** A field equal to one of `values` (the view filter's OR of conditions holds at most 8). */
const MAX_FILTER_VALUES = 8;
function fieldIn(values: readonly string[]): ColumnFilter {
  const conditions = values
    .slice(0, MAX_FILTER_VALUES)
    .map((value) => ({ filterType: 'text' as const, type: 'equals' as const, filter: value }));
  return conditions.length === 1 ? (conditions[0] as ColumnFilter) : { filterType: 'text', operator: 'OR', conditions };
}

/** Rows of a small scoped view (an account's own row, a control group's members). */
const OWN_RANGE = { start: 0, end: 8 };
const GROUP_RANGE = { start: 0, end: 100 };

/**
 * The account row, or a control group's rows summed (risk degree recomputed from the sums). Both come from views
 * scoped to the subject: the account by id, and only when there is no such account, the accounts of that group.
 */
function useSubject(accountId: string | null): { row: AccountRow | null; members: string[] } {
  const own = useViewRows<AccountRow>(
    'accounts',
    accountId ? { filter: { accountId: fieldIn([accountId]) } } : null,
    OWN_RANGE,
  );
  // The view's text filter ignores case; the subject is the account with exactly this id.
  const ownRow = own.rows.find((r) => r.accountId === accountId) ?? null;
  const group = useViewRows<AccountRow>(
    'accounts',
    accountId && own.current && !ownRow ? { filter: { controlGroup: fieldIn([accountId]) } } : null,
    GROUP_RANGE,
  );
  const groupRows = group.rows;
  return useMemo(() => {
    if (!accountId) return { row: null, members: [] };
    if (ownRow) return { row: ownRow, members: [accountId] };
    const members = groupRows.filter((r) => r.controlGroup === accountId);
    if (members.length === 0) return { row: null, members: [] };
    const sum = (pick: (r: AccountRow) => number) => members.reduce((total, r) => total + pick(r), 0);
    const equity = sum((r) => r.equity);
    const margin = sum((r) => r.margin);
    // The member nearest a limit (each member's own position; the rules sum the group's for a breach).
    const nearest = members.reduce((best, r) => (r.limitShare > best.limitShare ? r : best));
    const sumRow: AccountRow = {
      accountId,
      name: members.map((m) => m.accountId).join(', '),
      controlGroup: accountId,
      preBalance: sum((r) => r.preBalance),
      cash: sum((r) => r.cash),
      closePnl: sum((r) => r.closePnl),
      positionPnl: sum((r) => r.positionPnl),
      commission: sum((r) => r.commission),
      equity,
      margin,
      available: equity - margin,
      riskDegree: equity > 0 ? margin / equity : margin > 0 ? Infinity : 0,
      workingOrders: sum((r) => r.workingOrders),
      tradesToday: sum((r) => r.tradesToday),
      limitShare: nearest.limitShare,
      limitInstrument: nearest.limitInstrument,
    };
    return { row: sumRow, members: members.map((m) => m.accountId) };
  }, [accountId, ownRow, groupRows]);
}

/** Positions listed (largest margin first); the count beyond them comes from the view's total. */
const POSITIONS_RANGE = { start: 0, end: 200 };
const BY_MARGIN: ViewSpec['sort'] = [{ colId: 'margin', sort: 'desc' }];

/** The subject's open positions, largest margin first, from a view scoped to its accounts; and how many there are. */
function usePositions(members: string[]): { rows: PositionRow[]; count: number } {
  const view = useViewRows<PositionRow>(
    'positions',
    members.length > 0 ? { filter: { accountId: fieldIn(members) }, sort: BY_MARGIN } : null,
    POSITIONS_RANGE,
  );
  return useMemo(() => {
    const wanted = new Set(members);
    const rows = view.rows.filter((p) => wanted.has(p.accountId) && (p.longQty > 0 || p.shortQty > 0));
    // Flat positions (closed today) are in the view but not listed: the count leaves out those in the range.
    return { rows, count: view.total - (view.rows.length - rows.length) };
  }, [members, view]);
}

function useAlerts(members: string[], subjectId: string | null): AlertRow[] {
  const version = alertsStore.use((s) => s.version);
  return useMemo(() => {
    void version;
    const wanted = new Set(members);
    return [...alertsStore.use.getState().rows.values()]
      .filter((a) => a.subjectId === subjectId || a.accountIds.some((id) => wanted.has(id)))
      .sort((a, b) => b.createdAt - a.createdAt);
  }, [members, subjectId, version]);
}

function Figure({
  label,
  value,
  className,
  testId,
}: {
  label: string;
  value: string;
  className?: string;
  testId?: string;
}) {
  return (
    <div className="fw-figure" data-testid={testId}>
      <div className="fw-tile-label">{label}</div>
      <div className={`fw-figure-value ${className ?? ''}`}>{value}</div>
    </div>
  );
}

function Panel({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="fw-panel" data-testid={testId} aria-label={title}>
      <h2 className="fw-section-title">{title}</h2>
      {children}
    </section>
  );
}

function CountersPanel({ counters }: { counters: Loaded<AccountCounters> }) {
  const { t } = useTranslation();
  if (counters.state === 'loading') return <p className="fw-muted">{t('common.loading')}</p>;
  if (counters.state === 'unavailable')
    return <p className="fw-muted">{t('common.notAvailable', { what: 'accounts.counters' })}</p>;
  const zh = currentLanguage() === 'zh-CN';
  const rows = counters.value.contracts.flatMap((contract) =>
    contract.counters.map((counter) => ({ contract, counter })),
  );
  if (rows.length === 0) return <p className="fw-muted">{t('common.none')}</p>;
  return (
    <table className="fw-table fw-counters" data-testid="account-counters">
      <tbody>
        {rows.map(({ contract, counter }) => {
          const ratio = counter.ratio ?? 0;
          const tone = ratio >= 1 ? 'bad' : ratio >= 0.8 ? 'warn' : 'ok';
          return (
            <tr key={`${contract.instrumentId}|${counter.rule}`}>
              <td className="fw-instrument">{contract.instrumentId}</td>
              <td className="fw-muted">{exchangeLabel(contract.exchange, zh ? 'zh-CN' : 'en')}</td>
              <td>{t(`rule.${counter.rule}`)}</td>
              <td className="fw-counter-bar-cell">
                <div className="fw-countbar-track" aria-hidden="true">
                  <div
                    className={`fw-countbar-fill fw-tone-${tone}`}
                    style={{ width: `${Math.min(100, ratio * 100).toFixed(0)}%` }}
                  />
                </div>
              </td>
              <td className="fw-num">
                {formatQty(counter.value)}
                <span className="fw-muted"> / {counter.threshold === null ? '—' : formatQty(counter.threshold)}</span>
              </td>
              <td className={`fw-num fw-tone-${tone}`}>
                {counter.ratio === null ? '—' : formatRatioPct(counter.ratio)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function AccountTools() {
  const { t } = useTranslation();
  const channel = useWindowStore((s) => s.channel);
  const linked = useChannelContext(channel);
  const [accountId, setAccountId] = useState<string | null>(() => windowParam('account', 'account'));
  const [typed, setTyped] = useState('');
  const [samples, setSamples] = useState<{ accountId: string | null; values: number[] }>({
    accountId: null,
    values: [],
  });
  const [followedLink, setFollowedLink] = useState(linked.account);

  // Follow the link: an account picked elsewhere on this channel becomes this window's account.
  if (linked.account !== followedLink) {
    setFollowedLink(linked.account);
    if (linked.account) setAccountId(linked.account);
  }
  useEffect(() => {
    setWindowParam('account', accountId);
  }, [accountId]);

  const { row, members } = useSubject(accountId);
  const detail = useRefreshed<AccountDetail>('accounts.detail', accountId);
  const counters = useRefreshed<AccountCounters>('accounts.counters', accountId);
  const positions = usePositions(members);
  const currentRow = useRef(row);
  useEffect(() => {
    currentRow.current = row;
  });
  const alerts = useAlerts(members, accountId);
  const actions = useActions(accountId);

  // Risk degree history: the core's (once a second, last hour) when available, else sampled here.
  useEffect(() => {
    const timer = setInterval(() => {
      const current = currentRow.current;
      if (!current || current.accountId !== accountId || !Number.isFinite(current.riskDegree)) return;
      const value = current.riskDegree * 100;
      setSamples((s) =>
        s.accountId === accountId
          ? { accountId, values: pushSample(s.values, value, 600) }
          : { accountId, values: [value] },
      );
    }, 1000);
    return () => clearInterval(timer);
  }, [accountId]);
  const history =
    detail.state === 'ok' && detail.value.riskHistory.riskDegree.length > 1
      ? detail.value.riskHistory.riskDegree.map((r) => r * 100)
      : samples.accountId === accountId
        ? samples.values
        : [];

  const zh = currentLanguage() === 'zh-CN';
  const localeTag = locale();

  if (!accountId) {
    return (
      <section className="fw-view fw-empty-view">
        <form
          className="fw-pick"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed.trim()) setAccountId(typed.trim());
          }}
        >
          <p className="fw-muted">{t('common.pickAccount')}</p>
          <input
            className="fw-search"
            aria-label={t('common.account')}
            data-testid="account-input"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
          <button type="submit" className="fw-button">
            {t('common.go')}
          </button>
        </form>
      </section>
    );
  }

  const band = row ? riskBand(row.riskDegree) : 'normal';
  const orders = detail.state === 'ok' ? detail.value.workingOrders : [];
  const trades = detail.state === 'ok' ? detail.value.trades : [];
  const groupMembers = detail.state === 'ok' ? detail.value.groupAccountIds : members;

  return (
    <section className="fw-view fw-scroll fw-account-tools" data-testid="account-view" data-account={accountId}>
      <div className="fw-account-head">
        <div>
          <div className="fw-account-id" data-testid="account-id">
            {accountId}
          </div>
          <div className="fw-muted">
            {row?.name ?? '—'}
            {groupMembers.length > 1 && <> · {t('account.members', { members: groupMembers.join(', ') })}</>}
          </div>
        </div>
        <Figure label={t('account.equity')} value={formatMoney(row?.equity)} testId="account-equity" />
        <Figure
          label={t('account.available')}
          value={formatMoney(row?.available)}
          className={row && row.available < 0 ? 'fw-shortfall' : ''}
        />
        <Figure label={t('account.margin')} value={formatMoney(row?.margin)} />
        <Figure
          label={t('account.riskDegree')}
          value={formatRatioPct(row?.riskDegree)}
          className={`fw-band-${band} fw-risk-value`}
          testId="account-risk"
        />
        <div className="fw-figure">
          <div className="fw-tile-label">{t('account.riskHistory')}</div>
          <Sparkline
            values={history}
            width={220}
            height={38}
            min={0}
            guide={100}
            className={`fw-band-${band}`}
            label={t('account.riskHistory')}
          />
        </div>
      </div>
      <div className="fw-account-grid">
        <Panel title={`${t('account.positions')} (${positions.count})`} testId="account-positions">
          {positions.rows.length === 0 ? (
            <p className="fw-muted">{t('account.noPositions')}</p>
          ) : (
            <table className="fw-table">
              <thead>
                <tr>
                  <th>{t('col.instrument')}</th>
                  <th>{t('col.product')}</th>
                  <th className="fw-num">{t('col.long')}</th>
                  <th className="fw-num">{t('col.short')}</th>
                  <th className="fw-num">{t('col.mark')}</th>
                  <th className="fw-num">{t('col.positionPnl')}</th>
                  <th className="fw-num">{t('col.margin')}</th>
                </tr>
              </thead>
              <tbody>
                {positions.rows.slice(0, 50).map((p) => (
                  <tr key={p.key}>
                    <td className="fw-instrument">{p.instrumentId}</td>
                    <td className="fw-muted">{productName(p.instrumentId, zh ? 'zh-CN' : 'en')}</td>
                    <td className="fw-num">{p.longQty ? formatQty(p.longQty) : ''}</td>
                    <td className="fw-num">{p.shortQty ? formatQty(p.shortQty) : ''}</td>
                    <td className="fw-num">{formatPrice(p.mark, decimalsOfInstrument(p.instrumentId))}</td>
                    <td className={`fw-num ${signClass(p.positionPnl)}`}>{formatMoney(p.positionPnl)}</td>
                    <td className="fw-num">{formatMoney(p.margin)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title={t('account.counters')} testId="account-counters-panel">
          <p className="fw-muted fw-small">{t('account.countersHint')}</p>
          <CountersPanel counters={counters} />
        </Panel>
        <Panel title={`${t('account.orders')} (${orders.length})`} testId="account-orders">
          {detail.state === 'unavailable' ? (
            <p className="fw-muted">{t('common.notAvailable', { what: 'accounts.detail' })}</p>
          ) : orders.length === 0 ? (
            <p className="fw-muted">{t('account.noOrders')}</p>
          ) : (
            <table className="fw-table">
              <thead>
                <tr>
                  <th>{t('account.time')}</th>
                  <th>{t('col.instrument')}</th>
                  <th>{t('account.side')}</th>
                  <th className="fw-num">{t('account.price')}</th>
                  <th className="fw-num">{t('account.qty')}</th>
                </tr>
              </thead>
              <tbody>
                {orders.slice(0, 50).map((o) => (
                  <tr key={o.orderId}>
                    <td className="fw-muted">{formatTime(o.ts, localeTag)}</td>
                    <td className="fw-instrument">{o.instrumentId}</td>
                    <td className={o.side === 'buy' ? 'fw-long' : 'fw-short'}>{t(`account.${o.side}`)}</td>
                    <td className="fw-num">{formatPrice(o.price, decimalsOfInstrument(o.instrumentId))}</td>
                    <td className="fw-num">
                      {formatQty(o.remaining)}
                      <span className="fw-muted"> / {formatQty(o.qty)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title={`${t('account.trades')} (${row ? formatQty(row.tradesToday) : '—'})`} testId="account-trades">
          {detail.state === 'unavailable' ? (
            <p className="fw-muted">{t('common.notAvailable', { what: 'accounts.detail' })}</p>
          ) : trades.length === 0 ? (
            <p className="fw-muted">{t('account.noTrades')}</p>
          ) : (
            <table className="fw-table">
              <tbody>
                {trades.slice(0, 50).map((trade) => (
                  <tr key={trade.tradeId} className={trade.selfTrade ? 'fw-self-trade' : undefined}>
                    <td className="fw-muted">{formatTime(trade.ts, localeTag)}</td>
                    <td className="fw-instrument">{trade.instrumentId}</td>
                    <td className={trade.side === 'buy' ? 'fw-long' : 'fw-short'}>{t(`account.${trade.side}`)}</td>
                    <td className="fw-num">{formatPrice(trade.price, decimalsOfInstrument(trade.instrumentId))}</td>
                    <td className="fw-num">{formatQty(trade.qty)}</td>
                    <td>
                      {trade.selfTrade ? <span className="fw-sev fw-sev-high">{t('rule.self_trade')}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title={`${t('account.alerts')} (${alerts.length})`} testId="account-alerts">
          {alerts.length === 0 ? (
            <p className="fw-muted">{t('account.noAlerts')}</p>
          ) : (
            <table className="fw-table">
              <tbody>
                {alerts.slice(0, 50).map((alert) => (
                  <tr
                    key={alert.id}
                    className="fw-clickable"
                    onClick={() => void openWindow('case', channel, { alert: alert.id })}
                  >
                    <td>
                      <span className={`fw-sev fw-sev-${alert.severity}`}>{t(`severity.${alert.severity}`)}</span>
                    </td>
                    <td>{t(`rule.${alert.rule}`)}</td>
                    <td className="fw-instrument">{alert.instrumentId ?? '—'}</td>
                    <td>
                      <span className={`fw-state-chip fw-astate-${alert.state}`}>{t(`alertState.${alert.state}`)}</span>
                    </td>
                    <td className="fw-muted">{alert.assignee ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title={t('account.notes')} testId="account-notes">
          {actions.notes.length === 0 ? (
            <p className="fw-muted">{t('account.noNotes')}</p>
          ) : (
            <ul className="fw-notes">
              {actions.notes.map((note) => (
                <li key={note.id}>
                  <span className="fw-muted">
                    {formatTime(note.requestedAt, localeTag)} · {note.requestedBy}
                  </span>{' '}
                  {note.text}
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel title={t('account.actions')} testId="account-actions">
          <FourEyes accountId={accountId} requests={actions.requests} />
        </Panel>
      </div>
    </section>
  );
}

interface ContactNote {
  id: number;
  requestedAt: number;
  requestedBy: string;
  text: string;
}

/**
 * The account's four-eyes requests — pending and decided today live from the `actions` topic, older instructions
 * refreshed every 2 s — newest first, and its contact notes.
 */
function useActions(accountId: string | null): { requests: AccountActionRequest[]; notes: ContactNote[] } {
  const loaded = useRefreshed<AccountActionRequest[]>('actions.instructions', accountId);
  const live = useActionsStore((s) => s.byId);
  return useMemo(() => {
    const byId = new Map<number, AccountActionRequest>();
    for (const request of loaded.state === 'ok' ? loaded.value : []) byId.set(request.id, request);
    for (const request of Object.values(live))
      if (request.action.accountId === accountId) byId.set(request.id, request);
    const requests = [...byId.values()].sort((a, b) => b.id - a.id);
    const notes: ContactNote[] = [];
    for (const request of requests) {
      if (request.action.kind === 'client_contact_note')
        notes.push({
          id: request.id,
          requestedAt: request.requestedAt,
          requestedBy: request.requestedBy,
          text: request.action.params.note,
        });
    }
    return { requests, notes };
  }, [loaded, live, accountId]);
}

/**
 * Four eyes at the account: the request form (auth's RequestActionForm; a different supervisor approves it) and the
 * account's requests with their status; pending ones can be approved or rejected here too.
 */
function FourEyes({ accountId, requests }: { accountId: string; requests: AccountActionRequest[] }) {
  const { t } = useTranslation();
  return (
    <div className="fw-four-eyes">
      <p>
        <span className="fw-metric-label">{t('workflow.fourEyes.restrictions')}</span>{' '}
        <RestrictionBadges accountId={accountId} />
      </p>
      <RequestActionForm accountId={accountId} />
      <table className="fw-table" data-testid="account-requests">
        <tbody>
          {requests
            .filter((r) => r.action.kind !== 'client_contact_note')
            .slice(0, 20)
            .map((request) => (
              <tr key={request.id} data-request={request.id} data-status={request.status}>
                <td className="fw-muted">#{request.id}</td>
                <td>{describeAction(request)}</td>
                <td className="fw-muted">{request.requestedBy}</td>
                <td>{request.reason}</td>
                <td>
                  <DecisionLine request={request} />
                </td>
                <td>
                  <DecisionButtons request={request} />
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

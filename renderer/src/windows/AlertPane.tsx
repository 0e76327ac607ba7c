// The alert pane: the surveillance alerts, live, as an AG Grid bound to a view of the `alerts` source (sorting,
// filters and quick search run where the alerts are; the window holds only the rows it shows). Filters (rule,
// severity, state, exchange, queue: mine/unassigned/team) and a quick search live in the window's URL (so layouts
// keep them). Each open alert shows its SLA (due in, or overdue); a workload panel shows the queue per operator.
// Keyboard first: j/k move, a acknowledge, c claim, e escalate, n note, Enter opens the case. New high/critical
// alerts beep and notify (mutable).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AgGridReact, type CustomCellRendererProps } from 'ag-grid-react';
import type { ColDef, GridApi, IRowNode, RowClickedEvent, ValueFormatterParams } from 'ag-grid-community';
import { ALERT_STATES, type AlertRow, type AlertState } from '../../../shared/api/methods/alerts';
import type { ViewRange, ViewSpec } from '../../../shared/views/spec';
import { countBarFill, thresholdRatio } from '../../../shared/rules/severity';
import { RULE_IDS, SEVERITIES, type Severity } from '../../../shared/rules/types';
import { linkAccount, linkInstrument, openWindow, setWindowParam, windowParam } from '../api/floorwatch';
import { useRelatedWindowsMenu, type RelatedSubject } from '../components/RelatedWindowsMenu';
import { formatAge, formatQty } from '../format';
import { currentLanguage, i18n } from '../i18n';
import { EXCHANGES } from '../../../shared/protocol/schema';
import { exchangeLabel, productName } from '../../../shared/vocabulary';
import { useViewGrid } from '../grid/viewGrid';
import {
  alertFilterOf,
  alertViewScope,
  DEFAULT_ALERT_FILTER,
  DEFAULT_ALERT_SORT,
  type AlertFilter,
} from './alertFilter';
import { QUEUE_VIEWS, slaStatus, type QueueView } from '../../../shared/domain/teamWorkflow';
import { useTeamStore } from '../stores/team';
import { AlertOwnership, canClaim, claimAlert } from './AlertOwnership';
import { WorkloadPanel } from './WorkloadPanel';
import { LimitWatch } from './LimitCell';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';
import { useAlertCounts, useLiveAlert } from '../stores/alertViews';
import { alertClock } from '../stores/review';
import { useViewRows } from '../stores/viewRows';
import { useOperatorStore } from '../stores/operator';
import { useSettingsStore } from '../stores/settings';
import { useWindowStore } from '../stores/windowState';
import { beep, notifyDesktop, requestNotificationPermission, unlockAudio } from './alertSound';
import { AlertActionBar, type AlertActionHandle } from './AlertActionBar';

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function filterFromUrl(): AlertFilter {
  try {
    const raw = windowParam('alerts', 'f');
    return raw ? alertFilterOf(JSON.parse(raw) as Partial<AlertFilter>) : DEFAULT_ALERT_FILTER;
  } catch {
    return DEFAULT_ALERT_FILTER;
  }
}

type Fmt = ValueFormatterParams<AlertRow>;

function SeverityCell(props: CustomCellRendererProps<AlertRow, Severity>) {
  const severity = props.value ?? 'low';
  return (
    <span className={`fw-sev fw-sev-${severity}`} data-severity={severity}>
      {i18n.t(`severity.${severity}`)}
    </span>
  );
}

/**
 * Count against threshold: a bar filled to the alert's ratio to its threshold (the ratio its severity comes from,
 * shared/rules/severity) in the severity's colour, then the numbers. The track has one width in every row, so a
 * full bar looks full whatever the width of the numbers beside it.
 */
function CountCell(props: CustomCellRendererProps<AlertRow>) {
  const alert = props.data;
  if (!alert || alert.count === null) return <span className="fw-muted">—</span>;
  const ratio = thresholdRatio(alert);
  const percent = Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '∞';
  return (
    <div
      className="fw-countbar fw-countbar-alert"
      title={i18n.t('nav.countBar', { percent })}
      data-ratio={ratio.toFixed(3)}
    >
      <div className="fw-countbar-track" aria-hidden="true">
        <div
          className={`fw-countbar-fill fw-countbar-${alert.severity}`}
          style={{ width: `${(countBarFill(ratio) * 100).toFixed(0)}%` }}
        />
      </div>
      <span className="fw-num">
        {formatQty(alert.count)}
        {alert.threshold !== null && <span className="fw-muted"> / {formatQty(alert.threshold)}</span>}
      </span>
    </div>
  );
}

function StateCell(props: CustomCellRendererProps<AlertRow, AlertState>) {
  const state = props.value ?? 'new';
  return <span className={`fw-state-chip fw-astate-${state}`}>{i18n.t(`alertState.${state}`)}</span>;
}

/** Where an open alert stands against its SLA: the time left, or how long it is overdue (red). */
function SlaCell(props: CustomCellRendererProps<AlertRow>) {
  const alert = props.data;
  const status = alert ? slaStatus(alert, useTeamStore.getState().settings.sla, alertClock()) : null;
  if (!status) return <span className="fw-muted">—</span>;
  const zh = currentLanguage() === 'zh-CN';
  const now = alertClock();
  const age = formatAge(Math.abs(status.dueAt - now), zh);
  const stage = i18n.t(`team.slaStage.${status.stage}`);
  return (
    <span
      className={status.overdue ? 'fw-sla-overdue' : 'fw-muted'}
      data-testid="alert-sla"
      data-overdue={status.overdue}
      title={i18n.t('team.slaTitle', { stage, time: new Date(status.dueAt).toLocaleTimeString() })}
    >
      {status.overdue ? i18n.t('team.overdue', { age }) : i18n.t('team.dueIn', { age })}
    </span>
  );
}

function buildColumns(): ColDef<AlertRow>[] {
  const zh = currentLanguage() === 'zh-CN';
  return [
    {
      field: 'severity',
      headerName: i18n.t('col.severity'),
      width: 76,
      pinned: 'left',
      cellRenderer: SeverityCell,
      sort: 'desc',
      sortIndex: 0,
    },
    {
      field: 'rule',
      headerName: i18n.t('col.rule'),
      width: 132,
      valueFormatter: (p: Fmt) => i18n.t(`rule.${p.value as string}`),
    },
    {
      colId: 'client',
      headerName: i18n.t('col.client'),
      width: 118,
      valueGetter: (p) => p.data?.subjectId ?? '',
      cellClass: 'fw-account',
      valueFormatter: (p: Fmt) =>
        p.data?.subjectType === 'group' ? `${i18n.t('common.group')} ${p.value as string}` : (p.value as string),
    },
    {
      colId: 'contract',
      headerName: i18n.t('col.contract'),
      width: 168,
      valueGetter: (p) => p.data?.instrumentId ?? '',
      cellRenderer: (props: CustomCellRendererProps<AlertRow>) => {
        const alert = props.data;
        if (!alert) return null;
        return (
          <span className="fw-contract">
            <span className="fw-instrument">{alert.instrumentId ?? '—'}</span>{' '}
            <span className="fw-muted">
              {alert.instrumentId ? productName(alert.instrumentId, zh ? 'zh-CN' : 'en') : ''}{' '}
              {exchangeLabel(alert.exchange, zh ? 'zh-CN' : 'en')}
            </span>
          </span>
        );
      },
    },
    {
      colId: 'count',
      headerName: i18n.t('col.count'),
      width: 150,
      valueGetter: (p) => (p.data ? thresholdRatio(p.data) : 0),
      cellRenderer: CountCell,
    },
    {
      field: 'score',
      headerName: i18n.t('col.score'),
      width: 70,
      type: 'numericColumn',
      cellClass: (p) => [
        'fw-num',
        (p.value as number) >= 80 ? 'fw-score-hi' : (p.value as number) >= 50 ? 'fw-score-mid' : 'fw-muted',
      ],
      valueFormatter: (p: Fmt) => String(Math.round(p.value as number)),
    },
    {
      colId: 'age',
      headerName: i18n.t('col.age'),
      width: 82,
      type: 'numericColumn',
      valueGetter: (p) => (p.data ? Math.max(0, alertClock() - p.data.createdAt) : 0),
      valueFormatter: (p: Fmt) => formatAge(p.value as number, zh),
      cellClass: 'fw-num fw-muted',
    },
    {
      colId: 'sla',
      headerName: i18n.t('team.sla'),
      width: 118,
      sortable: false,
      cellRenderer: SlaCell,
    },
    { field: 'state', headerName: i18n.t('col.state'), width: 104, cellRenderer: StateCell },
    {
      field: 'assignee',
      headerName: i18n.t('col.assignee'),
      width: 96,
      valueFormatter: (p: Fmt) => (p.value as string | null) ?? '—',
      cellClass: 'fw-muted',
    },
    { field: 'notes', headerName: i18n.t('col.notes'), width: 64, type: 'numericColumn', cellClass: 'fw-num fw-muted' },
    {
      colId: 'message',
      headerName: i18n.t('col.message'),
      flex: 1,
      minWidth: 240,
      valueGetter: (p) => (p.data ? (zh ? p.data.messageZh : p.data.message) : ''),
      tooltipValueGetter: (p) => (p.data ? `${p.data.messageZh}\n${p.data.message}` : ''),
      cellClass: 'fw-muted',
    },
  ];
}

const DEFAULT_COLUMN: ColDef<AlertRow> = {
  resizable: true,
  sortable: true,
  suppressHeaderMenuButton: true,
  enableCellChangeFlash: true,
};

const ROW_CLASS_RULES = {
  'fw-alert-new': (p: { data?: AlertRow }) => p.data?.state === 'new',
  'fw-alert-critical': (p: { data?: AlertRow }) => p.data?.severity === 'critical' && p.data.state === 'new',
};

/** One labelled filter of the toolbar: a select whose first options are the catch-alls. */
function FilterSelect(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <label className="fw-filter">
      <span className="fw-metric-label">{props.label}</span>
      <select
        className="fw-select"
        data-testid={props.testId}
        aria-label={props.label}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (['INPUT', 'SELECT', 'TEXTAREA'].includes(element.tagName) || element.isContentEditable);
}

/** New high/critical alerts, newest first: what the alarm listens to (a view of a few rows, not the queue). */
const LOUD_SPEC: ViewSpec = {
  filter: {
    state: { filterType: 'text', type: 'equals', filter: 'new' },
    severity: {
      filterType: 'text',
      operator: 'OR',
      conditions: [
        { filterType: 'text', type: 'equals', filter: 'high' },
        { filterType: 'text', type: 'equals', filter: 'critical' },
      ],
    },
  },
  sort: [{ colId: 'createdAt', sort: 'desc' }],
};
const LOUD_RANGE: ViewRange = { start: 0, end: 50 };

/** Beeps and notifies for alerts that appear (or rise) to high/critical after the window opened. */
function useAlarm() {
  const soundOn = useSettingsStore((s) => s.alertSound);
  const soundRef = useRef(soundOn);
  useEffect(() => {
    soundRef.current = soundOn;
  }, [soundOn]);
  useEffect(() => {
    const unlock = () => unlockAudio();
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);
  const loudAlerts = useViewRows<AlertRow>('alerts', LOUD_SPEC, LOUD_RANGE);
  // Severity of each alert this window has seen loud (null until the first answer: what is there then is not news).
  const known = useRef<Map<string, Severity> | null>(null);
  useEffect(() => {
    if (!loudAlerts.current) return;
    const first = known.current === null;
    const seen = (known.current ??= new Map<string, Severity>());
    let loud: AlertRow | null = null;
    for (const alert of loudAlerts.rows) {
      const before = seen.get(alert.id);
      seen.set(alert.id, alert.severity);
      const rank = SEVERITY_RANK[alert.severity];
      if (first || (before !== undefined && SEVERITY_RANK[before] >= rank)) continue;
      if (!loud || rank > SEVERITY_RANK[loud.severity]) loud = alert;
    }
    // A replayed alert is history, not something happening now: a review window stays quiet.
    if (!loud || !soundRef.current || useWindowStore.getState().review) return;
    beep(loud.severity === 'critical');
    notifyDesktop(
      i18n.t('alerts.notifyTitle', {
        severity: i18n.t(`severity.${loud.severity}`),
        rule: i18n.t(`rule.${loud.rule}`),
      }),
      currentLanguage() === 'zh-CN' ? loud.messageZh : loud.message,
    );
  }, [loudAlerts]);
}

const alertSubject = (alert: AlertRow): RelatedSubject => ({ kind: 'alert', alert });

export function AlertPane() {
  const { t, i18n: i18nInstance } = useTranslation();
  const language = i18nInstance.language;
  const channel = useWindowStore((s) => s.channel);
  const operator = useOperatorStore((s) => s.operator);
  const [showWorkload, setShowWorkload] = useState(false);
  const soundOn = useSettingsStore((s) => s.alertSound);
  const setSound = useSettingsStore((s) => s.setAlertSound);
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const [filter, setFilter] = useState<AlertFilter>(filterFromUrl);
  const [selectedAlert, setSelectedAlert] = useState<AlertRow | null>(null);
  const actions = useRef<AlertActionHandle | null>(null);
  const scope = useMemo(() => alertViewScope(filter, operator), [filter, operator]);
  const { apiRef, status, gridProps } = useViewGrid<AlertRow>({
    source: 'alerts',
    scope,
    search: filter.q,
    defaultSort: DEFAULT_ALERT_SORT,
  });

  // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt per language (headers and formatted cells)
  const columnDefs = useMemo(() => buildColumns(), [language]);

  useAlarm();
  const counts = useAlertCounts();
  useEffect(() => {
    void useTeamStore.getState().load();
  }, []);

  useEffect(() => {
    const isDefault = JSON.stringify(filter) === JSON.stringify(DEFAULT_ALERT_FILTER);
    setWindowParam('f', isDefault ? null : JSON.stringify(filter));
  }, [filter]);

  // Ages tick every second on the rows on screen only.
  useEffect(() => {
    const timer = setInterval(() => {
      const api = apiRef.current;
      if (api && !api.isDestroyed()) api.refreshCells({ columns: ['age', 'sla'], force: true });
    }, 1000);
    return () => clearInterval(timer);
  }, [apiRef]);

  const selected = useCallback((): { api: GridApi<AlertRow>; node: IRowNode<AlertRow> | null } | null => {
    const api = apiRef.current;
    if (!api || api.isDestroyed()) return null;
    return { api, node: api.getSelectedNodes()[0] ?? null };
  }, [apiRef]);

  const select = useCallback(
    (api: GridApi<AlertRow>, index: number) => {
      const count = api.getDisplayedRowCount();
      if (count === 0) return;
      const target = Math.max(0, Math.min(count - 1, index));
      // Scrolled to first: a row whose block is not loaded yet is asked for, and the next key press selects it.
      api.ensureIndexVisible(target);
      const node = api.getDisplayedRowAtIndex(target);
      if (!node?.data) return;
      node.setSelected(true, true);
      linkAccount(channel, node.data.accountIds[0] ?? node.data.subjectId);
    },
    [channel],
  );

  const related = useRelatedWindowsMenu(channel, alertSubject);
  const openCase = useCallback((alert: AlertRow) => void openWindow('case', channel, { alert: alert.id }), [channel]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (document.querySelector('.fw-modal-backdrop')) return;
      const current = selected();
      if (!current) return;
      const { api, node } = current;
      const index = node?.rowIndex ?? -1;
      const alert = node?.data;
      switch (event.key) {
        case 'j':
        case 'ArrowDown':
          select(api, index + 1);
          break;
        case 'k':
        case 'ArrowUp':
          select(api, index < 0 ? 0 : index - 1);
          break;
        case 'a':
          if (alert) actions.current?.start('acknowledge');
          break;
        case 'e':
          if (alert) actions.current?.start('escalate');
          break;
        case 'c': {
          const { operator: me, role: myRole } = useOperatorStore.getState();
          if (alert && !useWindowStore.getState().review && canClaim(alert, me, myRole)) {
            void claimAlert(alert.id).then((row) => row && setSelectedAlert(row));
          }
          break;
        }
        case 'n':
          if (alert) actions.current?.note();
          break;
        case 'Enter':
          if (alert) openCase(alert);
          break;
        default:
          return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, select, openCase]);

  // The action bar acts on the selected alert as it is now (its row is replaced on every workflow change). An alert
  // that leaves the filter (closed under "open") stays in the bar, so the operator sees what became of it: the bar
  // follows the alert through a view of its own, and takes an action's answer until that view has caught up.
  const onSelectionChanged = useCallback(() => {
    const node = apiRef.current?.isDestroyed() === false ? apiRef.current.getSelectedNodes()[0] : undefined;
    if (node?.data) setSelectedAlert(node.data);
  }, [apiRef]);
  const liveSelected = useLiveAlert(selectedAlert?.id ?? null);
  const barAlert =
    liveSelected && (!selectedAlert || liveSelected.updatedAt >= selectedAlert.updatedAt)
      ? liveSelected
      : selectedAlert;

  const onRowClicked = useCallback(
    (event: RowClickedEvent<AlertRow>) => {
      const alert = event.data;
      if (!alert) return;
      linkAccount(channel, alert.accountIds[0] ?? alert.subjectId);
      if (alert.instrumentId) linkInstrument(channel, alert.instrumentId);
    },
    [channel],
  );

  const update = (patch: Partial<AlertFilter>) => setFilter((f) => ({ ...f, ...patch }));

  return (
    <section className="fw-view">
      <div className="fw-toolbar fw-filters" role="toolbar" aria-label={t('window.alerts')}>
        <input
          className="fw-search"
          type="search"
          placeholder={t('alerts.quick')}
          aria-label={t('alerts.quick')}
          data-testid="alerts-search"
          value={filter.q}
          onChange={(event) => update({ q: event.target.value })}
        />
        <FilterSelect
          label={t('alerts.rule')}
          testId="filter-rule"
          value={filter.rule}
          onChange={(rule) => update({ rule })}
          options={[
            { value: '', label: t('common.all') },
            ...RULE_IDS.map((rule) => ({ value: rule, label: t(`rule.${rule}`) })),
          ]}
        />
        <FilterSelect
          label={t('alerts.severity')}
          testId="filter-severity"
          value={filter.severity}
          onChange={(severity) => update({ severity })}
          options={[
            { value: '', label: t('common.all') },
            ...SEVERITIES.map((severity) => ({ value: severity, label: `≥ ${t(`severity.${severity}`)}` })),
          ]}
        />
        <FilterSelect
          label={t('alerts.state')}
          testId="filter-state"
          value={filter.state}
          onChange={(state) => update({ state })}
          options={[
            { value: 'open', label: t('alerts.open') },
            { value: 'all', label: t('common.all') },
            ...ALERT_STATES.map((state) => ({ value: state, label: t(`alertState.${state}`) })),
          ]}
        />
        <FilterSelect
          label={t('alerts.exchange')}
          testId="filter-exchange"
          value={filter.exchange}
          onChange={(exchange) => update({ exchange })}
          options={[
            { value: '', label: t('common.all') },
            ...EXCHANGES.map((exchange) => ({
              value: exchange,
              label: exchangeLabel(exchange, currentLanguage()),
            })),
          ]}
        />
        <FilterSelect
          label={t('team.queue')}
          testId="filter-queue"
          value={filter.queue}
          onChange={(queue) => update({ queue: queue as QueueView })}
          options={QUEUE_VIEWS.filter((view) => view !== 'mine' || operator).map((view) => ({
            value: view,
            label: t(`team.queueView.${view}`),
          }))}
        />
        <div className="fw-header-spacer" />
        <button
          type="button"
          className={`fw-button${showWorkload ? ' fw-on' : ''}`}
          data-testid="workload-toggle"
          aria-pressed={showWorkload}
          title={t('team.workloadTitle')}
          onClick={() => setShowWorkload((open) => !open)}
        >
          {t('team.workload')}
        </button>
        <button
          type="button"
          className={`fw-button${soundOn ? ' fw-on' : ''}`}
          data-testid="alert-sound"
          aria-pressed={soundOn}
          title={soundOn ? t('alerts.soundOn') : t('alerts.soundOff')}
          onClick={() => {
            unlockAudio();
            requestNotificationPermission();
            setSound(!soundOn);
          }}
        >
          <span aria-hidden="true">{soundOn ? '♪' : '×'}</span> {t('alerts.sound')}
        </button>
      </div>
      <LimitWatch />
      {showWorkload && <WorkloadPanel />}
      <div className="fw-grid" data-testid="alerts-grid">
        <AgGridReact<AlertRow>
          theme={gridTheme}
          localeText={gridLocaleText}
          columnDefs={columnDefs}
          defaultColDef={DEFAULT_COLUMN}
          {...gridProps}
          onRowClicked={onRowClicked}
          onSelectionChanged={onSelectionChanged}
          onRowDoubleClicked={(event) => event.data && openCase(event.data)}
          onCellContextMenu={related.onContextMenu}
          preventDefaultOnContextMenu
          rowClassRules={ROW_CLASS_RULES}
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          suppressCellFocus
          animateRows={false}
          tooltipShowDelay={400}
          loading={!status.ready}
          overlayNoRowsTemplate={t('alerts.noRows')}
        />
      </div>
      <div className="fw-alert-actions" data-testid="alert-actions" data-alert={barAlert?.id}>
        <span className="fw-muted fw-small">
          {barAlert
            ? `${barAlert.id} · ${t(`alertState.${barAlert.state}`)}${barAlert.assignee ? ` · ${barAlert.assignee}` : ''}`
            : t('common.pickAlert')}
        </span>
        <AlertOwnership alert={barAlert} onDone={setSelectedAlert} />
        <AlertActionBar alert={barAlert} handle={actions} onDone={setSelectedAlert} />
      </div>
      <footer className="fw-status">
        <span data-testid="alerts-count" data-shown={status.total} data-total={counts.total}>
          {t('alerts.shown', { shown: formatQty(status.total), total: formatQty(counts.total) })}
        </span>
        <span className={counts.unacked > 0 ? 'fw-band-count' : 'fw-muted'}>
          {t('alerts.unacked', { count: counts.unacked })}
        </span>
        <div className="fw-header-spacer" />
        <span className="fw-muted fw-keys">{t('alerts.keys')}</span>
      </footer>
      {related.menu}
    </section>
  );
}

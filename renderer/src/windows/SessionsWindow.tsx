// Sessions (issue 4): the sessions recorded in the data folder, newest first, with their trading day, time span,
// messages and size; the one being recorded is marked LIVE, an unreadable file is listed with its error and cannot be
// opened. Open (button, Enter, double-click) opens a review workspace of the session in windows of its own (marked
// REVIEW · <session>) while the live floor keeps running; sessions open in a review are marked IN REVIEW.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AgGridReact } from 'ag-grid-react';
import type {
  CellFocusedEvent,
  CellKeyDownEvent,
  ColDef,
  GridApi,
  GridReadyEvent,
  RowClassParams,
  RowDoubleClickedEvent,
  SelectionChangedEvent,
  ValueFormatterParams,
} from 'ag-grid-community';
import type { ReplayState, SessionSummary } from '../../../shared/api/methods/sessions';
import { floorwatch } from '../api/floorwatch';
import { backToLive, openReviewWindows } from '../review/reviewWindows';
import { formatAge, formatBytes, formatDateTime } from '../format';
import { currentLanguage, locale } from '../i18n';
import { useGridLocaleText, useGridTheme } from '../grid/useGridTheme';

const DASH = '—';
/** How often the list is read again by itself (rows keep their selection: ids are file paths). */
const AUTO_REFRESH_MS = 15_000;

/** `20261124` → `2026-11-24` (left as given when it is not a date). */
function formatTradingDay(day: string): string {
  return /^\d{8}$/.test(day) ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}` : day || DASH;
}

function formatCount(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}

function fileName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The session's time span (0 when unknown or unreadable). */
const durationOf = (s: SessionSummary) => (s.firstTs > 0 && s.lastTs >= s.firstTs ? s.lastTs - s.firstTs : 0);

/** Newest first: by first message time, then trading day; unreadable files last. */
function compareNewest(a: SessionSummary, b: SessionSummary): number {
  if (!a.error !== !b.error) return a.error ? 1 : -1;
  if (a.firstTs !== b.firstTs) return b.firstTs - a.firstTs;
  return b.tradingDay.localeCompare(a.tradingDay) || b.file.localeCompare(a.file);
}

type Fmt = ValueFormatterParams<SessionSummary>;

export function SessionsWindow() {
  const { t, i18n } = useTranslation();
  const gridTheme = useGridTheme();
  const gridLocaleText = useGridLocaleText();
  const apiRef = useRef<GridApi<SessionSummary> | null>(null);
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<SessionSummary | null>(null);
  const [replay, setReplay] = useState<ReplayState | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  /** Bumped to list the folder again (refresh button, back to live). */
  const [listing, setListing] = useState(0);
  const refresh = useCallback(() => setListing((n) => n + 1), []);

  // The live recording grows and new sessions appear: list again now and then while the window is on screen.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  useEffect(() => {
    let current = true;
    floorwatch()
      .call('sessions.list', {})
      .then(
        (list) => {
          if (!current) return;
          setSessions([...list].sort(compareNewest));
          setLoadError(null);
        },
        (error: unknown) => {
          if (!current) return;
          setLoadError((error as Error).message);
          setSessions((previous) => previous ?? []);
        },
      );
    return () => {
      current = false;
    };
  }, [listing]);

  useEffect(
    () =>
      floorwatch().subscribe('replay', (update) => {
        const row = update.rows[update.rows.length - 1];
        if (row) setReplay(row);
      }),
    [],
  );

  const reviewedFile = replay?.mode === 'review' ? replay.file : null;

  const open = useCallback(
    async (session: SessionSummary | null) => {
      if (!session || busy) return;
      if (session.error) {
        setActionError(t('sessions.notOpenable', { message: session.error }));
        return;
      }
      setBusy(t('sessions.opening', { file: fileName(session.file) }));
      setActionError(null);
      try {
        // A review workspace of its own: its windows open beside the live floor, which keeps running here.
        const opened = await floorwatch().call('sessions.open', { file: session.file });
        if (opened.reviewId) await openReviewWindows(opened.reviewId);
        refresh();
      } catch (error) {
        setActionError((error as Error).message);
      } finally {
        setBusy(null);
      }
    },
    [busy, refresh, t],
  );

  const leaveReview = useCallback(() => void backToLive(), []);

  const columns = useMemo<ColDef<SessionSummary>[]>(() => {
    const zh = currentLanguage() === 'zh-CN';
    return [
      {
        colId: 'status',
        headerName: t('sessions.col.status'),
        width: 104,
        sortable: false,
        valueGetter: (p) =>
          p.data?.error
            ? t('sessions.unreadable')
            : p.data?.file === reviewedFile || p.data?.inReview
              ? t('sessions.reviewBadge')
              : p.data?.live
                ? t('sessions.liveBadge')
                : '',
        tooltipValueGetter: (p) =>
          p.data?.error
            ? t('sessions.unreadableTitle', { message: p.data.error })
            : p.data?.live
              ? t('sessions.liveTitle')
              : null,
        cellClass: (p) =>
          p.data?.error
            ? 'fw-session-badge fw-session-bad'
            : p.data?.file === reviewedFile || p.data?.inReview
              ? 'fw-session-badge fw-session-review'
              : p.data?.live
                ? 'fw-session-badge fw-session-live'
                : '',
      },
      {
        field: 'tradingDay',
        headerName: t('sessions.col.tradingDay'),
        width: 104,
        valueFormatter: (p: Fmt) => formatTradingDay(p.value as string),
      },
      {
        field: 'firstTs',
        headerName: t('sessions.col.started'),
        width: 160,
        sort: 'desc',
        valueFormatter: (p: Fmt) => formatDateTime(p.value as number, locale()),
        cellClass: 'fw-num',
      },
      {
        field: 'lastTs',
        headerName: t('sessions.col.ended'),
        width: 160,
        valueFormatter: (p: Fmt) => formatDateTime(p.value as number, locale()),
        cellClass: 'fw-num',
      },
      {
        colId: 'duration',
        headerName: t('sessions.col.duration'),
        width: 90,
        type: 'numericColumn',
        valueGetter: (p) => (p.data ? durationOf(p.data) : 0),
        valueFormatter: (p: Fmt) => ((p.value as number) > 0 ? formatAge(p.value as number, zh) : DASH),
        cellClass: 'fw-num',
      },
      {
        field: 'messages',
        headerName: t('sessions.col.messages'),
        width: 100,
        type: 'numericColumn',
        valueFormatter: (p: Fmt) => (p.data?.error ? DASH : formatCount(p.value as number)),
        cellClass: 'fw-num',
      },
      {
        colId: 'seqRange',
        headerName: t('sessions.col.seqRange'),
        width: 130,
        sortable: false,
        valueGetter: (p) =>
          p.data && !p.data.error && p.data.messages > 0
            ? `${formatCount(p.data.firstSeq)} – ${formatCount(p.data.lastSeq)}`
            : DASH,
        cellClass: 'fw-num fw-muted',
      },
      {
        // Gaps recorded in the file (feed losses, messages not recorded on a full disk); damage found on opening.
        colId: 'gaps',
        headerName: t('sessions.col.gaps'),
        width: 110,
        sortable: false,
        valueGetter: (p) =>
          p.data?.damage
            ? t('sessions.damagedShort')
            : p.data?.missingMessages
              ? t('sessions.gapsValue', { missing: formatCount(p.data.missingMessages) })
              : DASH,
        tooltipValueGetter: (p) =>
          p.data?.damage
            ? t('sessions.damaged', { message: p.data.damage })
            : p.data?.gaps?.length
              ? t('sessions.gapsTitle', {
                  list: p.data.gaps.map((g) => `${g.fromSeq}..${g.toSeq} (${g.reason})`).join(', '),
                })
              : null,
        cellClass: 'fw-num fw-muted',
      },
      {
        field: 'bytes',
        headerName: t('sessions.col.size'),
        width: 90,
        type: 'numericColumn',
        valueFormatter: (p: Fmt) => formatBytes(p.value as number),
        cellClass: 'fw-num',
      },
      { field: 'sessionId', headerName: t('sessions.col.sessionId'), width: 140, tooltipField: 'sessionId' },
      { field: 'source', headerName: t('sessions.col.source'), width: 100, cellClass: 'fw-muted' },
      {
        field: 'file',
        headerName: t('sessions.col.file'),
        flex: 1,
        minWidth: 160,
        valueFormatter: (p: Fmt) => fileName(p.value as string),
        tooltipValueGetter: (p) => (p.data?.error ? `${p.data.file}\n${p.data.error}` : (p.data?.file ?? null)),
        cellClass: 'fw-muted',
      },
    ];
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language decides the headers and formats
  }, [t, i18n.language, reviewedFile]);

  const onGridReady = useCallback((event: GridReadyEvent<SessionSummary>) => {
    apiRef.current = event.api;
  }, []);

  // Select the first (newest) row once the list arrives, and give the grid the keyboard focus there.
  useEffect(() => {
    const api = apiRef.current;
    if (!api || !sessions || sessions.length === 0) return;
    if (api.getSelectedNodes().length > 0) return;
    const first = api.getDisplayedRowAtIndex(0);
    if (!first) return;
    first.setSelected(true, true);
    api.setFocusedCell(0, 'tradingDay');
  }, [sessions]);

  // Arrow keys move the focused cell; the selection follows it, Enter opens.
  const onCellFocused = useCallback((event: CellFocusedEvent<SessionSummary>) => {
    if (event.rowIndex === null || event.rowIndex === undefined || event.rowPinned) return;
    event.api.getDisplayedRowAtIndex(event.rowIndex)?.setSelected(true, true);
  }, []);

  const onCellKeyDown = useCallback(
    (event: CellKeyDownEvent<SessionSummary>) => {
      const key = (event.event as KeyboardEvent | null)?.key;
      if (key === 'Enter' && event.data) void open(event.data);
    },
    [open],
  );

  const onSelectionChanged = useCallback((event: SelectionChangedEvent<SessionSummary>) => {
    setSelected(event.api.getSelectedRows()[0] ?? null);
  }, []);

  const onRowDoubleClicked = useCallback(
    (event: RowDoubleClickedEvent<SessionSummary>) => void open(event.data ?? null),
    [open],
  );

  const rowClassRules = useMemo(
    () => ({
      'fw-session-row-bad': (p: RowClassParams<SessionSummary>) => Boolean(p.data?.error),
      'fw-session-row-live': (p: RowClassParams<SessionSummary>) => Boolean(p.data?.live),
    }),
    [],
  );

  const totalBytes = (sessions ?? []).reduce((sum, s) => sum + s.bytes, 0);
  const inReview = replay?.mode === 'review';

  return (
    <section className="fw-view fw-sessions" data-testid="sessions-window">
      <div className="fw-toolbar">
        <span
          className={`fw-session-mode ${inReview ? 'fw-session-mode-review' : 'fw-session-mode-live'}`}
          data-testid="sessions-mode"
        >
          {inReview ? t('sessions.reviewMode') : t('sessions.liveMode')}
        </span>
        <span className="fw-toolbar-note" data-testid="sessions-mode-note">
          {inReview ? t('sessions.reviewing', { file: fileName(replay?.file ?? '') }) : t('sessions.showingLive')}
        </span>
        <div className="fw-header-spacer" />
        <button type="button" className="fw-button" data-testid="sessions-refresh" onClick={refresh}>
          ⟳ {t('sessions.refresh')}
        </button>
        <button
          type="button"
          className="fw-button fw-button-primary"
          data-testid="sessions-open"
          title={t('sessions.openTitle')}
          disabled={!selected || Boolean(selected.error) || busy !== null}
          onClick={() => void open(selected)}
        >
          ▶ {t('sessions.open')}
        </button>
        <button
          type="button"
          className="fw-button"
          data-testid="sessions-live"
          disabled={!inReview || busy !== null}
          onClick={leaveReview}
        >
          {t('sessions.backToLive')}
        </button>
      </div>
      {(loadError || actionError) && (
        <div className="fw-session-error" role="alert" data-testid="sessions-error">
          {loadError ? t('sessions.loadFailed', { message: loadError }) : actionError}
        </div>
      )}
      <div className="fw-grid" data-testid="sessions-grid">
        <AgGridReact<SessionSummary>
          theme={gridTheme}
          localeText={gridLocaleText}
          columnDefs={columns}
          defaultColDef={{ resizable: true, sortable: true, suppressHeaderMenuButton: true }}
          rowData={sessions}
          getRowId={(p) => p.data.file}
          rowClassRules={rowClassRules}
          rowSelection={{ mode: 'singleRow', checkboxes: false, enableClickSelection: true }}
          onGridReady={onGridReady}
          onCellFocused={onCellFocused}
          onCellKeyDown={onCellKeyDown}
          onSelectionChanged={onSelectionChanged}
          onRowDoubleClicked={onRowDoubleClicked}
          tooltipShowDelay={300}
          animateRows={false}
          loading={sessions === null}
          overlayNoRowsTemplate={t('sessions.empty')}
        />
      </div>
      <footer className="fw-status">
        <span data-testid="sessions-count">{t('sessions.count', { count: sessions?.length ?? 0 })}</span>
        <span className="fw-muted">{t('sessions.totalSize', { size: formatBytes(totalBytes) })}</span>
        {busy && <span data-testid="sessions-busy">{busy}</span>}
        <div className="fw-header-spacer" />
        <span className="fw-muted">{t('sessions.keys')}</span>
      </footer>
    </section>
  );
}

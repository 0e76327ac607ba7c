// Reports window (issue 8): start a compliance export (daily surveillance report, abnormal-trading report, evidence
// pack of one alert, audit log export for auditors) on the current session or a saved one, follow its progress (the
// window polls `reports.jobs` at 2 Hz while one runs), cancel it, and see the finished exports with their SHA-256.
// Kinds the policy's exportKinds leaves out are disabled ("set by your organisation" when the machine policy locks it).
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { authorize } from '../../../shared/api/permissions';
import type { SessionSummary } from '../../../shared/api/methods/sessions';
import {
  REPORT_KINDS,
  REPORT_LANGUAGES,
  type ReportExport,
  type ReportJob,
  type ReportJobsView,
  type ReportKind,
  type ReportLanguage,
} from '../../../shared/api/methods/reports';
import { callOrNotify, floorwatch, windowParam } from '../api/floorwatch';
import { useNoticeStore } from '../stores/notice';
import { useAuthStore } from '../auth/session';
import { formatBytes, formatTime } from '../format';
import { currentLanguage, LANGUAGE_NAMES, locale } from '../i18n';

const RUNNING_POLL_MS = 500;
const IDLE_POLL_MS = 3000;
/** Roles that may export the audit log (main/auth/permissions.ts AUDIT_READERS). */

const baseName = (file: string) => file.split(/[\\/]/).pop() ?? file;

function usePolledJobs(): { view: ReportJobsView | null; error: string | null; refresh: () => void } {
  const [view, setView] = useState<ReportJobsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const running = view?.jobs.some((job) => job.state === 'running') ?? false;
  useEffect(() => {
    let stopped = false;
    const load = () =>
      void floorwatch()
        .call('reports.jobs', {})
        .then(
          (next) => {
            if (stopped) return;
            setView(next);
            setError(null);
          },
          (failure: Error) => !stopped && setError(failure.message),
        );
    load();
    const timer = setInterval(load, running ? RUNNING_POLL_MS : IDLE_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [running, tick]);
  return { view, error, refresh: useCallback(() => setTick((n) => n + 1), []) };
}

export function ReportsWindow() {
  const { t } = useTranslation();
  const role = useAuthStore((s) => s.session?.role ?? null);
  const { view, error: pollError, refresh } = usePolledJobs();
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [exports, setExports] = useState<ReportExport[] | null>(null);
  const [chosenKind, setKind] = useState<ReportKind>('daily');
  const [session, setSession] = useState('current');
  const [alertId, setAlertId] = useState(() => windowParam('reports', 'alert') ?? '');
  const [langs, setLangs] = useState<ReportLanguage[]>(() => [currentLanguage() === 'zh-CN' ? 'zh-CN' : 'en']);
  const [format, setFormat] = useState<'csv' | 'ndjson'>('csv');
  const [pdf, setPdf] = useState(true);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const ids = useId();
  const desktop = useDesktop();

  const loadExports = useCallback(() => {
    void floorwatch()
      .call('reports.exports', {})
      .then(setExports, () => setExports([]));
  }, []);

  useEffect(() => {
    void floorwatch()
      .call('sessions.list', {})
      .then(
        (list) => setSessions(list.filter((s) => !s.error)),
        () => setSessions([]),
      );
    loadExports();
  }, [loadExports]);

  // A job that just finished adds files to the folder.
  const doneCount = view?.jobs.filter((job) => job.state === 'done').length ?? 0;
  useEffect(() => {
    if (doneCount > 0) loadExports();
  }, [doneCount, loadExports]);

  const disabledWhy = (candidate: ReportKind): string | null => {
    if (view && !view.allowedKinds.includes(candidate)) {
      return view.kindsLocked ? t('reports.setByOrganisation') : t('reports.notAllowed');
    }
    if (candidate === 'audit' && !(role && authorize(role, 'audit.export'))) return t('reports.auditorsOnly');
    return null;
  };

  // The chosen kind, or the first enabled one when the policy or the role rules it out.
  const kind =
    disabledWhy(chosenKind) === null
      ? chosenKind
      : (REPORT_KINDS.find((candidate) => disabledWhy(candidate) === null) ?? chosenKind);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    if (kind === 'evidence' && !alertId.trim()) return setFormError(t('reports.needAlert'));
    if (kind !== 'audit' && langs.length === 0) return setFormError(t('reports.needLanguage'));
    setBusy(true);
    try {
      await floorwatch().call('reports.start', {
        kind,
        ...(kind === 'audit' ? { format } : { session, langs, pdf }),
        ...(kind === 'evidence' ? { alertId: alertId.trim() } : {}),
      });
      refresh();
    } catch (failure) {
      setFormError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const cancel = (job: ReportJob) => {
    void floorwatch()
      .call('reports.cancel', { jobId: job.id })
      .then(refresh, (failure: Error) => setFormError(failure.message));
  };

  const toggleLang = (lang: ReportLanguage, on: boolean) =>
    setLangs((current) => (on ? [...new Set([...current, lang])] : current.filter((l) => l !== lang)));

  const kindBlocked = disabledWhy(kind);

  return (
    <main className="fw-view fw-scroll fw-reports">
      <form className="fw-reports-form" aria-labelledby={`${ids}-new`} onSubmit={(e) => void submit(e)}>
        <h2 id={`${ids}-new`}>{t('reports.newExport')}</h2>
        <fieldset className="fw-reports-kinds">
          <legend>{t('reports.kind')}</legend>
          {REPORT_KINDS.map((candidate) => {
            const why = disabledWhy(candidate);
            return (
              <label key={candidate} className={why ? 'fw-reports-kind fw-disabled' : 'fw-reports-kind'}>
                <input
                  type="radio"
                  name={`${ids}-kind`}
                  value={candidate}
                  checked={kind === candidate}
                  disabled={why !== null}
                  onChange={() => setKind(candidate)}
                  aria-describedby={`${ids}-hint-${candidate}`}
                />
                <span className="fw-reports-kind-name">{t(`reports.kinds.${candidate}`)}</span>
                <span id={`${ids}-hint-${candidate}`} className="fw-reports-hint">
                  {why ? <em className="fw-reports-locked">{why}</em> : t(`reports.kindHints.${candidate}`)}
                </span>
              </label>
            );
          })}
        </fieldset>

        {kind !== 'audit' && (
          <div className="fw-reports-fields">
            <label htmlFor={`${ids}-session`}>{t('reports.session')}</label>
            <select id={`${ids}-session`} value={session} onChange={(e) => setSession(e.target.value)}>
              <option value="current">{t('reports.currentSession')}</option>
              {sessions.map((s) => (
                <option key={s.file} value={baseName(s.file)}>
                  {t('reports.sessionOption', { day: s.tradingDay, file: baseName(s.file), messages: s.messages })}
                </option>
              ))}
            </select>
            {kind === 'evidence' && (
              <>
                <label htmlFor={`${ids}-alert`}>{t('reports.alertId')}</label>
                <input
                  id={`${ids}-alert`}
                  type="text"
                  value={alertId}
                  spellCheck={false}
                  placeholder={t('reports.alertIdHint')}
                  onChange={(e) => setAlertId(e.target.value)}
                />
              </>
            )}
            <span id={`${ids}-langs`} className="fw-reports-label">
              {t('reports.languages')}
            </span>
            <div role="group" aria-labelledby={`${ids}-langs`} className="fw-reports-inline">
              {REPORT_LANGUAGES.map((lang) => (
                <label key={lang}>
                  <input
                    type="checkbox"
                    checked={langs.includes(lang)}
                    onChange={(e) => toggleLang(lang, e.target.checked)}
                  />
                  {LANGUAGE_NAMES[lang]}
                </label>
              ))}
              <label>
                <input type="checkbox" checked={pdf} onChange={(e) => setPdf(e.target.checked)} />
                {t('reports.pdf')}
              </label>
            </div>
          </div>
        )}
        {kind === 'audit' && (
          <div className="fw-reports-fields">
            <label htmlFor={`${ids}-format`}>{t('reports.format')}</label>
            <select
              id={`${ids}-format`}
              value={format}
              onChange={(e) => setFormat(e.target.value === 'ndjson' ? 'ndjson' : 'csv')}
            >
              <option value="csv">CSV</option>
              <option value="ndjson">NDJSON</option>
            </select>
          </div>
        )}
        <div className="fw-reports-actions">
          <button type="submit" className="fw-button fw-primary" disabled={busy || kindBlocked !== null}>
            {busy ? t('reports.starting') : t('reports.start')}
          </button>
          {(formError ?? pollError) && (
            <p role="alert" className="fw-reports-error">
              {formError ?? pollError}
            </p>
          )}
        </div>
      </form>

      <section className="fw-reports-jobs" aria-labelledby={`${ids}-jobs`}>
        <h2 id={`${ids}-jobs`}>{t('reports.jobs')}</h2>
        {!view || view.jobs.length === 0 ? (
          <p className="fw-reports-empty">{t('reports.noJobs')}</p>
        ) : (
          <ul className="fw-reports-joblist">
            {view.jobs.map((job) => (
              <JobItem key={job.id} job={job} onCancel={() => cancel(job)} />
            ))}
          </ul>
        )}
      </section>

      <section className="fw-reports-exports" aria-labelledby={`${ids}-exports`}>
        <div className="fw-reports-heading">
          <h2 id={`${ids}-exports`}>{t('reports.finished')}</h2>
          <button type="button" className="fw-button" onClick={loadExports}>
            {t('reports.refresh')}
          </button>
        </div>
        {view && <p className="fw-reports-folder">{t('reports.exportsFolder', { dir: view.exportsDir })}</p>}
        {exports && exports.length === 0 && <p className="fw-reports-empty">{t('reports.noExports')}</p>}
        {exports && exports.length > 0 && (
          <table className="fw-reports-table">
            <thead>
              <tr>
                <th scope="col">{t('reports.columns.name')}</th>
                <th scope="col">{t('reports.columns.size')}</th>
                <th scope="col">{t('reports.columns.modified')}</th>
                <th scope="col">{t('reports.columns.sha256')}</th>
                <th scope="col">{t('workflow.exports.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {exports.map((entry) => (
                <tr key={entry.path}>
                  <td title={entry.path}>{entry.name}</td>
                  <td className="fw-num">{formatBytes(entry.bytes)}</td>
                  <td>{formatTime(entry.modifiedAt, locale())}</td>
                  <td className="fw-reports-hash">{entry.sha256 ?? t('reports.folderEntry')}</td>
                  <td className="fw-reports-deliver">
                    <DeliverButtons entry={entry} desktop={desktop} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}

/** True in the Electron app (open / show in folder), false in the browser (download). */
function useDesktop(): boolean {
  const [desktop, setDesktop] = useState(false);
  useEffect(() => {
    void floorwatch()
      .call('app.info', {})
      .then(
        (info) => setDesktop(info.transport === 'electron'),
        () => setDesktop(false),
      );
  }, []);
  return desktop;
}

/** Open / show in folder in the app; download in the browser (a short-lived link the host serves as an attachment). */
function DeliverButtons({ entry, desktop }: { entry: ReportExport; desktop: boolean }) {
  const { t } = useTranslation();
  const deliver = async (how: 'open' | 'reveal' | 'download') => {
    const result = await callOrNotify('reports.deliver', { name: entry.name, how });
    if (!result) return;
    if (result.url) {
      const link = document.createElement('a');
      link.href = result.url;
      link.download = entry.name;
      link.rel = 'noopener';
      document.body.append(link);
      link.click();
      link.remove();
    } else if (result.opened) useNoticeStore.getState().show(t('workflow.exports.opened', { name: entry.name }));
  };
  if (desktop)
    return (
      <>
        <button type="button" className="fw-button" onClick={() => void deliver('open')}>
          {t('workflow.exports.open')}
        </button>
        <button type="button" className="fw-button" onClick={() => void deliver('reveal')}>
          {t('workflow.exports.showInFolder')}
        </button>
      </>
    );
  if (entry.folder) return null;
  return (
    <button
      type="button"
      className="fw-button"
      data-testid="export-download"
      aria-label={`${t('workflow.exports.download')} ${entry.name}`}
      onClick={() => void deliver('download')}
    >
      {t('workflow.exports.download')}
    </button>
  );
}

function JobItem({ job, onCancel }: { job: ReportJob; onCancel: () => void }) {
  const { t } = useTranslation();
  const kindName = t(`reports.kinds.${job.kind}`);
  return (
    <li className={`fw-reports-job fw-reports-${job.state}`} data-state={job.state} data-testid="report-job">
      <div className="fw-reports-jobhead">
        <strong>{kindName}</strong>
        <span className="fw-reports-state">{t(`reports.states.${job.state}`)}</span>
        {job.tradingDay && <span>{job.tradingDay}</span>}
        {job.session && <span title={job.session}>{baseName(job.session)}</span>}
        {job.alertId && <span>{job.alertId}</span>}
        <span className="fw-reports-dim">{t('reports.startedBy', { operator: job.operator })}</span>
        {job.state === 'running' && (
          <button type="button" className="fw-button" onClick={onCancel}>
            {t('reports.cancel')}
          </button>
        )}
      </div>
      {job.state === 'running' && (
        <progress
          max={1}
          {...(job.fraction === null ? {} : { value: job.fraction })}
          aria-label={t('reports.progress', { kind: kindName })}
        />
      )}
      <div className="fw-reports-step">{job.error ?? job.step}</div>
      {job.files.length > 0 && (
        <details open={job.files.length <= 6}>
          <summary>{t('reports.files', { count: job.files.length })}</summary>
          <ul className="fw-reports-files">
            {job.files.map((file) => (
              <li key={file.path}>
                <span className="fw-reports-path">{file.path}</span>
                <span className="fw-reports-hash">{file.sha256}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

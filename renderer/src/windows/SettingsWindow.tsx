// Settings window (issue 9): every setting in force and who set it — the machine policy ("set by your organisation",
// read-only), an environment variable of the install, this workstation or the default — plus the data folder's disk.
// An admin changes this workstation's own settings here, with a reason (audited); they apply at the next start, and
// the table shows what is saved for it until then.
import { OperatorsSection } from './OperatorsSection';
import { TeamSettingsSection } from './TeamSettingsSection';
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { USER_SETTING_KEYS, type PolicyView, type UserSettingKey } from '../../../shared/api/methods/settings';
import { floorwatch } from '../api/floorwatch';
import { useAuthStore } from '../auth/session';
import { formatBytes } from '../format';
import { useHealthStore } from '../stores/health';

const SETTING_ORDER = [
  'feedUrls',
  'feedCaFile',
  'serverUrl',
  'serverCaFile',
  'dataDir',
  'retentionDays',
  'idleLockMinutes',
  'diskWarningFreePercent',
  'exportKinds',
  'simulatorAllowed',
  'hostModeAllowed',
  'autoUpdateAllowed',
] as const;
const NUMBER_KEYS: readonly UserSettingKey[] = ['retentionDays', 'idleLockMinutes', 'diskWarningFreePercent'];

type Draft = Record<UserSettingKey, string>;

/** The text a field starts with: the value saved for the next start, else the workstation's value in force. */
function draftOf(view: PolicyView): Draft {
  const draft = {} as Draft;
  for (const key of USER_SETTING_KEYS) {
    const saved = key in view.pending ? view.pending[key] : view.sources[key] === 'user' ? view.values[key] : null;
    draft[key] = saved === null || saved === undefined ? '' : Array.isArray(saved) ? saved.join('\n') : String(saved);
  }
  return draft;
}

export function SettingsWindow() {
  const { t } = useTranslation();
  const role = useAuthStore((s) => s.session?.role ?? null);
  const disk = useHealthStore((s) => s.health?.disk ?? null);
  const [view, setView] = useState<PolicyView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const formId = useId();

  const show = useCallback((next: PolicyView) => {
    setView(next);
    setDraft(draftOf(next));
  }, []);
  useEffect(() => {
    floorwatch()
      .call('settings.policy', {})
      .then(show, (error: Error) => setMessage({ kind: 'error', text: error.message }));
  }, [show]);

  const format = (value: unknown): string => {
    if (value === undefined || value === null) return t('settings.notSet');
    if (typeof value === 'boolean') return value ? t('settings.yes') : t('settings.no');
    if (Array.isArray(value)) return value.length === 0 ? t('settings.none') : value.join(', ');
    return String(value);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!view || !draft) return;
    const changes: Record<string, unknown> = {};
    const before = draftOf(view);
    for (const key of view.editable as UserSettingKey[]) {
      const text = draft[key].trim();
      if (text === before[key].trim()) continue;
      if (text === '') changes[key] = null;
      else if (key === 'feedUrls')
        changes[key] = text
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
      else if (NUMBER_KEYS.includes(key)) {
        if (!/^\d+$/.test(text)) {
          setMessage({ kind: 'error', text: t('settings.badNumber', { field: t(`settings.key.${key}`) }) });
          return;
        }
        changes[key] = Number(text);
      } else changes[key] = text;
    }
    if (Object.keys(changes).length === 0) {
      setMessage({ kind: 'ok', text: t('settings.nothingChanged') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      show(await floorwatch().call('settings.update', { changes, reason: reason.trim() }));
      setReason('');
      setMessage({ kind: 'ok', text: t('settings.saved') });
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const sourceLabel = (key: string) => {
    const source = view?.sources[key];
    if (source === 'policy') return <span className="fw-settings-locked">{t('settings.sourcePolicy')}</span>;
    if (source === 'flag') return t('settings.sourceFlag');
    if (source === 'env') return t('settings.sourceEnv');
    if (source === 'user') return t('settings.sourceUser');
    return t('settings.sourceDefault');
  };
  const sourceTitle = (key: string) =>
    view?.sources[key] === 'policy'
      ? t('settings.lockedTitle', { file: view.policyFile ?? '' })
      : view?.sources[key] === 'flag'
        ? t('settings.flagTitle')
        : view?.sources[key] === 'env'
          ? t('settings.envTitle')
          : undefined;

  const isAdmin = role === 'admin';
  const editable = (view?.editable ?? []) as UserSettingKey[];
  return (
    <main className="fw-view fw-scroll fw-settings" aria-labelledby={`${formId}-heading`}>
      <h1 id={`${formId}-heading`} className="fw-settings-heading">
        {t('settings.heading')}
      </h1>
      {view && <p>{view.policyFile ? t('settings.policyFile', { file: view.policyFile }) : t('settings.noPolicy')}</p>}
      {disk && (
        <p
          className={disk.low ? 'fw-settings-disk fw-settings-disk-low' : 'fw-settings-disk'}
          role={disk.low ? 'alert' : undefined}
        >
          {disk.low
            ? t('settings.diskLow', {
                free: formatBytes(disk.freeBytes),
                percent: disk.freePercent.toFixed(1),
                warn: disk.warnFreePercent,
              })
            : t('settings.disk', {
                free: formatBytes(disk.freeBytes),
                total: formatBytes(disk.totalBytes),
                percent: disk.freePercent.toFixed(1),
              })}
        </p>
      )}
      {view && (
        <table className="fw-settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.setting')}</th>
              <th scope="col">{t('settings.inForce')}</th>
              <th scope="col">{t('settings.source')}</th>
              <th scope="col">{t('settings.next')}</th>
            </tr>
          </thead>
          <tbody>
            {SETTING_ORDER.map((key) => (
              <tr key={key} data-setting={key} data-source={view.sources[key] ?? 'default'}>
                <th scope="row">{t(`settings.key.${key}`)}</th>
                <td className="fw-settings-value">{format(view.values[key])}</td>
                <td title={sourceTitle(key)}>{sourceLabel(key)}</td>
                <td className="fw-settings-value">
                  {key in view.pending
                    ? view.pending[key] === null
                      ? t('settings.backToDefault')
                      : format(view.pending[key])
                    : t('settings.unchanged')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view && !isAdmin && <p className="fw-settings-hint">{t('settings.adminOnly')}</p>}
      {view && draft && isAdmin && editable.length > 0 && (
        <form className="fw-settings-form" onSubmit={(event) => void submit(event)} aria-label={t('settings.edit')}>
          <h2>{t('settings.edit')}</h2>
          <p className="fw-settings-hint">{t('settings.editHint', { file: view.userFile })}</p>
          {editable.map((key) => {
            const id = `${formId}-${key}`;
            const onChange = (value: string) => setDraft({ ...draft, [key]: value });
            return (
              <div key={key} className="fw-settings-field">
                <label htmlFor={id}>{t(`settings.key.${key}`)}</label>
                {key === 'feedUrls' ? (
                  <textarea
                    id={id}
                    rows={3}
                    value={draft[key]}
                    aria-describedby={`${id}-hint`}
                    onChange={(event) => onChange(event.target.value)}
                  />
                ) : (
                  <input
                    id={id}
                    inputMode={NUMBER_KEYS.includes(key) ? 'numeric' : undefined}
                    value={draft[key]}
                    onChange={(event) => onChange(event.target.value)}
                  />
                )}
                {key === 'feedUrls' && (
                  <small id={`${id}-hint`} className="fw-settings-hint">
                    {t('settings.feedUrlsHint')}
                  </small>
                )}
              </div>
            );
          })}
          <div className="fw-settings-field">
            <label htmlFor={`${formId}-reason`}>{t('settings.reason')}</label>
            <input
              id={`${formId}-reason`}
              required
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
          <button type="submit" className="fw-button fw-primary" disabled={busy || reason.trim() === ''}>
            {busy ? t('settings.saving') : t('settings.save')}
          </button>
        </form>
      )}
      {message && (
        <p
          className={message.kind === 'error' ? 'fw-settings-error' : 'fw-settings-ok'}
          role={message.kind === 'error' ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
      <OperatorsSection />
      <TeamSettingsSection />
    </main>
  );
}

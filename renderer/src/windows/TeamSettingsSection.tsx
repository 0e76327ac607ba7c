// The team workflow section of Settings (administrators): SLA targets per severity (minutes to acknowledge and to
// resolve) and the account groups operators can be limited to. Saved as one audited change (team.updateSettings);
// the server checks it with the same rules as this form (shared/domain/teamWorkflow.ts).
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES } from '../../../shared/rules/severityLevels';
import {
  parseAccountPatterns,
  teamSettingsProblem,
  type SlaTargets,
  type TeamSettings,
} from '../../../shared/domain/teamWorkflow';
import { callOptional } from '../api/floorwatch';
import { useAuthStore } from '../auth/session';
import { useNoticeStore } from '../stores/notice';
import { useTeamStore } from '../stores/team';
import './workflow.css';

interface GroupDraft {
  name: string;
  accounts: string;
}

export function TeamSettingsSection() {
  const session = useAuthStore((s) => s.session);
  const saved = useTeamStore((s) => s.settings);
  const loaded = useTeamStore((s) => s.loaded);
  useEffect(() => {
    void useTeamStore.getState().load();
  }, []);
  if (session?.role !== 'admin' || !loaded) return null;
  // A new form for each saved version: what the server answered is what the form starts from.
  return <TeamSettingsForm key={JSON.stringify(saved)} saved={saved} />;
}

function TeamSettingsForm({ saved }: { saved: TeamSettings }) {
  const { t } = useTranslation();
  const id = useId();
  const [sla, setSla] = useState<SlaTargets>(saved.sla);
  const [groups, setGroups] = useState<GroupDraft[]>(() =>
    saved.accountGroups.map((g) => ({ name: g.name, accounts: g.accounts.join(', ') })),
  );
  const [error, setError] = useState<string | null>(null);

  const draft: TeamSettings = {
    sla,
    accountGroups: groups
      .filter((g) => g.name.trim() || g.accounts.trim())
      .map((g) => ({ name: g.name.trim(), accounts: parseAccountPatterns(g.accounts) })),
  };
  const problem = teamSettingsProblem(draft);
  const save = async () => {
    const result = await callOptional<TeamSettings>('team.updateSettings', { settings: draft });
    if (!result.ok) return setError(result.message);
    setError(null);
    useTeamStore.getState().set(result.value);
    useNoticeStore.getState().success(t('team.settingsSaved'));
  };
  const setMinutes = (severity: (typeof SEVERITIES)[number], field: keyof SlaTargets['low'], value: string) =>
    setSla({ ...sla, [severity]: { ...sla[severity], [field]: Math.round(Number(value)) } });

  return (
    <section className="fw-team-settings" aria-labelledby={`${id}-team`} data-testid="team-settings">
      <h2 id={`${id}-team`}>{t('team.settingsTitle')}</h2>
      <h3>{t('team.slaTargets')}</h3>
      <div className="fw-sla-grid">
        <span />
        <span className="fw-metric-label">{t('team.acknowledgeMinutes')}</span>
        <span className="fw-metric-label">{t('team.resolveMinutes')}</span>
        {SEVERITIES.map((severity) => (
          <SlaRow key={severity} severity={severity} sla={sla} onChange={setMinutes} />
        ))}
      </div>
      <h3>{t('team.groups')}</h3>
      {groups.map((group, index) => (
        <div className="fw-group-row" key={index} data-testid="account-group">
          <input
            aria-label={t('team.groupName')}
            placeholder={t('team.groupName')}
            maxLength={64}
            value={group.name}
            onChange={(e) => setGroups(groups.map((g, i) => (i === index ? { ...g, name: e.target.value } : g)))}
          />
          <input
            aria-label={t('team.groupAccounts')}
            placeholder={t('team.groupAccounts')}
            value={group.accounts}
            onChange={(e) => setGroups(groups.map((g, i) => (i === index ? { ...g, accounts: e.target.value } : g)))}
          />
          <button type="button" className="fw-button" onClick={() => setGroups(groups.filter((_, i) => i !== index))}>
            {t('team.removeGroup')}
          </button>
        </div>
      ))}
      <button type="button" className="fw-button" onClick={() => setGroups([...groups, { name: '', accounts: '' }])}>
        {t('team.addGroup')}
      </button>{' '}
      <button
        type="button"
        className="fw-button fw-primary"
        data-testid="team-settings-save"
        disabled={problem !== null}
        title={problem ?? undefined}
        onClick={() => void save()}
      >
        {t('team.saveSettings')}
      </button>
      {(error ?? problem) && (
        <p className="fw-settings-error" role="alert">
          {error ?? problem}
        </p>
      )}
    </section>
  );
}

function SlaRow(props: {
  severity: (typeof SEVERITIES)[number];
  sla: SlaTargets;
  onChange(severity: (typeof SEVERITIES)[number], field: 'acknowledgeMinutes' | 'resolveMinutes', value: string): void;
}) {
  const { t } = useTranslation();
  const { severity, sla } = props;
  return (
    <>
      <span>{t(`severity.${severity}`)}</span>
      {(['acknowledgeMinutes', 'resolveMinutes'] as const).map((field) => (
        <input
          key={field}
          type="number"
          min={1}
          aria-label={`${t(`severity.${severity}`)} · ${t(`team.${field}`)}`}
          value={sla[severity][field]}
          onChange={(e) => props.onChange(severity, field, e.target.value)}
        />
      ))}
    </>
  );
}

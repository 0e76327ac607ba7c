// The workload panel of the Alerts window: open alerts per operator (by state), how many are overdue and how old
// the oldest is, counted by the server over the alerts this operator may see, asked again every few seconds while
// the panel is open.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OPEN_STATES } from '../../../shared/domain/alertWorkflow';
import type { WorkloadRow } from '../../../shared/domain/teamWorkflow';
import { callOptional } from '../api/floorwatch';
import { currentLanguage } from '../i18n';
import { formatAge } from '../format';

const REFRESH_MS = 5_000;

export function WorkloadPanel() {
  const { t } = useTranslation();
  const [rows, setRows] = useState<WorkloadRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const ask = async () => {
      const result = await callOptional<{ at: number; rows: WorkloadRow[] }>('team.workload', {});
      if (!live) return;
      if (result.ok) {
        setRows(result.value.rows);
        setProblem(null);
      } else setProblem(result.message);
    };
    void ask();
    const timer = setInterval(() => void ask(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  const zh = currentLanguage() === 'zh-CN';
  return (
    <section className="fw-workload" data-testid="workload" aria-label={t('team.workloadTitle')}>
      {problem && <div className="fw-muted">{problem}</div>}
      {rows && rows.length === 0 && <div className="fw-muted">{t('team.noWork')}</div>}
      {rows && rows.length > 0 && (
        <table className="fw-table fw-small">
          <thead>
            <tr>
              <th>{t('team.operator')}</th>
              <th className="fw-num">{t('team.open')}</th>
              {OPEN_STATES.map((state) => (
                <th key={state} className="fw-num">
                  {t(`alertState.${state}`)}
                </th>
              ))}
              <th className="fw-num">{t('team.overdueCount')}</th>
              <th className="fw-num">{t('team.oldest')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.operator ?? '-'} data-operator={row.operator ?? ''}>
                <td>{row.operator ?? <span className="fw-muted">{t('team.nobody')}</span>}</td>
                <td className="fw-num">{row.open}</td>
                {OPEN_STATES.map((state) => (
                  <td key={state} className="fw-num">
                    {row.byState[state] ?? 0}
                  </td>
                ))}
                <td className={`fw-num${row.overdue > 0 ? ' fw-sla-overdue' : ''}`} data-testid="workload-overdue">
                  {row.overdue}
                </td>
                <td className="fw-num">{formatAge(row.oldestAgeMs, zh)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

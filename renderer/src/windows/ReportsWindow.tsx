// Reports window (issue 8). Placeholder until its owner lands it.
import { useTranslation } from 'react-i18next';

export function ReportsWindow() {
  const { t } = useTranslation();
  return <main className="fw-view">{t('reports.building')}</main>;
}

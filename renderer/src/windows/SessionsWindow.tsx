// Sessions window (issue 4). Placeholder until its owner lands it.
import { useTranslation } from 'react-i18next';

export function SessionsWindow() {
  const { t } = useTranslation();
  return <main className="fw-view">{t('sessions.building')}</main>;
}

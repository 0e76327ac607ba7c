// What-if tuning window (issue 5). Placeholder until its owner lands it.
import { useTranslation } from 'react-i18next';

export function WhatIfWindow() {
  const { t } = useTranslation();
  return <main className="fw-view">{t('whatIf.building')}</main>;
}

// The windows related to an account or an alert, opened from a right-click menu or a double-click on its row
// (Accounts, Positions, Alerts): Account Tools for the account, Positions filtered to it, the account's alerts, the
// alert's case review. They open through openWindow, on this window's link channel, with their parameters.
import { useCallback, useState, type ReactNode } from 'react';
import type { CellContextMenuEvent } from 'ag-grid-community';
import { useTranslation } from 'react-i18next';
import type { LinkChannel, WindowKind } from '../../../shared/api/contract';
import type { AlertRow } from '../../../shared/api/methods/alerts';
import { openWindow, type WindowParams } from '../api/floorwatch';
import { i18n } from '../i18n';
import { Floating, type FloatingPoint } from './Floating';

export type RelatedSubject = { kind: 'account'; accountId: string } | { kind: 'alert'; alert: AlertRow };

export interface RelatedWindow {
  id: 'case' | 'accountTools' | 'positions' | 'alerts';
  label: string;
  kind: WindowKind;
  params: WindowParams;
}

/** The Alerts window's filter (its `f` parameter) that shows every alert of one account, whatever its state. */
export function alertsOfAccountParam(accountId: string): string {
  return JSON.stringify({ state: 'all', q: accountId });
}

/** The related windows of a subject, the first one being what a double-click opens. */
export function relatedWindows(subject: RelatedSubject): RelatedWindow[] {
  const t = i18n.t.bind(i18n);
  const list: RelatedWindow[] = [];
  let accountId: string | null;
  if (subject.kind === 'alert') {
    const { alert } = subject;
    list.push({ id: 'case', label: t('nav.menu.caseReview'), kind: 'case', params: { alert: alert.id } });
    accountId = alert.accountIds[0] ?? (alert.subjectType === 'account' ? alert.subjectId : null);
  } else {
    accountId = subject.accountId;
  }
  if (accountId) {
    const account = accountId;
    list.push(
      { id: 'accountTools', label: t('nav.menu.accountTools', { account }), kind: 'account', params: { account } },
      { id: 'positions', label: t('nav.menu.positions', { account }), kind: 'positions', params: { account } },
      {
        id: 'alerts',
        label: t('nav.menu.alerts', { account }),
        kind: 'alerts',
        params: { f: alertsOfAccountParam(account) },
      },
    );
  }
  return list;
}

/**
 * A grid's related-windows menu: `onContextMenu` for AG Grid's onCellContextMenu (with preventDefaultOnContextMenu),
 * `openFirst` for a double-click, `menu` to render.
 */
export function useRelatedWindowsMenu<T>(
  channel: LinkChannel | null,
  subjectOf: (row: T) => RelatedSubject | null,
): {
  menu: ReactNode;
  onContextMenu(event: CellContextMenuEvent<T>): void;
  openFirst(row: T | undefined): void;
} {
  const { t } = useTranslation();
  const [open, setOpen] = useState<{ at: FloatingPoint; subject: RelatedSubject } | null>(null);
  const close = useCallback(() => setOpen(null), []);

  const onContextMenu = useCallback(
    (event: CellContextMenuEvent<T>) => {
      const mouse = event.event as MouseEvent | null;
      const subject = event.data ? subjectOf(event.data) : null;
      if (!mouse || !subject) return;
      setOpen({ at: { x: mouse.clientX, y: mouse.clientY, align: 'start' }, subject });
    },
    [subjectOf],
  );

  const openFirst = useCallback(
    (row: T | undefined) => {
      const subject = row ? subjectOf(row) : null;
      const first = subject ? relatedWindows(subject)[0] : undefined;
      if (first) void openWindow(first.kind, channel, first.params);
    },
    [channel, subjectOf],
  );

  const subject = open?.subject;
  const label = subject
    ? t('nav.menu.label', { subject: subject.kind === 'alert' ? subject.alert.subjectId : subject.accountId })
    : '';
  const menu =
    open && subject ? (
      <Floating at={open.at} onClose={close} role="menu" className="fw-menu" label={label} testId="related-menu">
        <div className="fw-menu-label" aria-hidden="true">
          {label}
        </div>
        {relatedWindows(subject).map((related) => (
          <button
            key={related.id}
            type="button"
            role="menuitem"
            className="fw-menu-item"
            data-related={related.id}
            onClick={() => {
              close();
              void openWindow(related.kind, channel, related.params);
            }}
          >
            {related.label}
          </button>
        ))}
      </Floating>
    ) : null;
  return { menu, onContextMenu, openFirst };
}

// Ctrl+K: one list of everything an operator may want now — open any window, switch language or theme, save or
// restore a layout, jump to an instrument or account — filtered as they type, run with Enter.
import { useAuthStore } from '../auth/session';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { WINDOW_KINDS } from '../../../shared/api/contract';
import { linkAccount, linkInstrument, openWindow } from '../api/floorwatch';
import { LANGUAGES, LANGUAGE_NAMES, setLanguage } from '../i18n';
import type { AccountRow } from '../../../shared/domain/types';
import { matchesSearch, normaliseSearch } from '../../../shared/views/filter';
import { VIEW_SOURCE_DESCRIPTORS } from '../../../shared/views/sources';
import type { ViewSpec } from '../../../shared/views/spec';
import { productName } from '../../../shared/vocabulary';
import { marketStore } from '../stores/market';
import { useNoticeStore } from '../stores/notice';
import { usePaletteStore } from '../stores/palette';
import { useSettingsStore } from '../stores/settings';
import { useViewRows } from '../stores/viewRows';
import { useWindowStore } from '../stores/windowState';
import { deleteLayout, loadLayouts, restoreLayout, saveLayout } from '../workspace/layouts';

interface Command {
  id: string;
  label: string;
  hint?: string;
  run(): void;
}

const MAX_SHOWN = 40;
/** Accounts listed for a query (found by the core's quick search, not from a copy of the accounts here). */
const ACCOUNTS_SHOWN = { start: 0, end: 10 };
const ACCOUNT_ORDER: ViewSpec['sort'] = [{ colId: 'accountId', sort: 'asc' }];

export function CommandPalette() {
  const visible = usePaletteStore((s) => s.visible);
  // Mounted only while open: every opening starts with an empty query.
  return visible ? <PaletteBody /> : null;
}

function PaletteBody() {
  const { t, i18n } = useTranslation();
  const close = usePaletteStore((s) => s.close);
  const channel = useWindowStore((s) => s.channel);
  const setTheme = useSettingsStore((s) => s.setTheme);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const language = i18n.language;

  useEffect(() => inputRef.current?.focus(), []);
  // Open while the palette is (it is mounted only then): the search follows what is typed.
  const search = query.trim();
  const accounts = useViewRows<AccountRow>(
    'accounts',
    search ? { search, sort: ACCOUNT_ORDER } : null,
    ACCOUNTS_SHOWN,
  ).rows;

  const commands = useMemo<Command[]>(() => {
    const { show: notify, success } = useNoticeStore.getState();
    const list: Command[] = [];
    for (const kind of WINDOW_KINDS) {
      list.push({
        id: `open:${kind}`,
        label: t(`nav.open.${kind}`),
        run: () => void openWindow(kind, channel),
      });
    }
    // Operator accounts are managed in Settings (admins; the main side refuses anyone else).
    if (useAuthStore.getState().session?.role === 'admin') {
      list.push({
        id: 'operators:create',
        label: t('workflow.ops.create'),
        hint: t('window.settings'),
        run: () => void openWindow('settings', channel, { op: 'create' }),
      });
      list.push({
        id: 'operators:manage',
        label: `${t('workflow.ops.title')}: ${t('workflow.ops.disable')} / ${t('workflow.ops.enable')} / ${t('workflow.ops.resetPassword')}`,
        hint: t('window.settings'),
        run: () => void openWindow('settings', channel, { op: 'manage' }),
      });
    }
    for (const l of LANGUAGES) {
      list.push({
        id: `lang:${l}`,
        label: t('palette.language', { name: LANGUAGE_NAMES[l] }),
        run: () => setLanguage(l),
      });
    }
    for (const theme of ['dark', 'light'] as const) {
      list.push({
        id: `theme:${theme}`,
        label: t('palette.theme', { name: t(`header.${theme}`) }),
        run: () => setTheme(theme),
      });
    }
    const name = query.trim();
    for (const layout of loadLayouts()) {
      list.push({
        id: `layout:restore:${layout.name}`,
        label: t('palette.restoreLayout', { name: layout.name }),
        hint: `${layout.windows.length}`,
        run: () =>
          void restoreLayout(layout).then((count) =>
            success(t('layout.restored', { name: layout.name, count: count + 1 })),
          ),
      });
      list.push({
        id: `layout:delete:${layout.name}`,
        label: t('palette.deleteLayout', { name: layout.name }),
        run: () => deleteLayout(layout.name),
      });
    }
    // After the layouts: typing a layout's name must still pick its restore command first.
    const autoRestore = useSettingsStore.getState().restoreLayoutAtStart;
    list.push({
      id: `layout:atStart:${autoRestore ? 'off' : 'on'}`,
      label: t(autoRestore ? 'layout.autoRestoreOff' : 'layout.autoRestoreOn'),
      run: () => useSettingsStore.getState().setRestoreLayoutAtStart(!autoRestore),
    });
    const needle = name.toLowerCase();
    if (needle.length >= 1) {
      let found = 0;
      for (const row of marketStore.use.getState().rows.values()) {
        if (found >= 10) break;
        if (!row.instrumentId.toLowerCase().startsWith(needle)) continue;
        found++;
        list.push({
          id: `instrument:${row.instrumentId}`,
          label: t('palette.instrument', { id: row.instrumentId }),
          hint: productName(row.instrumentId, language === 'zh-CN' ? 'zh-CN' : 'en'),
          run: () => (channel ? linkInstrument(channel, row.instrumentId) : notify(t('palette.needsChannel'))),
        });
      }
      // Rows of the previous query stay until the core answers this one: only those that match it are listed.
      const searchFields = VIEW_SOURCE_DESCRIPTORS.accounts.searchFields;
      const matching = accounts.filter((row) => matchesSearch(row, searchFields, normaliseSearch(name)));
      for (const row of matching) {
        list.push({
          id: `account:${row.accountId}`,
          label: t('palette.account', { id: row.accountId }),
          hint: row.name,
          run: () => {
            linkAccount(channel, row.accountId);
            void openWindow('account', channel, { account: row.accountId });
          },
        });
      }
      if (matching.length === 0 && /^[A-Za-z0-9_-]{3,}$/.test(name)) {
        list.push({
          id: `account:${name}`,
          label: t('palette.account', { id: name }),
          run: () => void openWindow('account', channel, { account: name }),
        });
      }
    }
    // Saving under the typed name comes last: typing a layout's name should restore it, not overwrite it.
    if (name) {
      list.push({
        id: 'layout:save',
        label: t('palette.saveLayout', { name }),
        run: () => {
          const layout = saveLayout(name);
          success(t('layout.saved', { name, count: layout.windows.length }));
        },
      });
    }
    if (!needle) return list;
    const words = needle.split(/\s+/);
    return list.filter(
      (c) =>
        c.id.startsWith('layout:save') ||
        words.every((w) => `${c.label} ${c.hint ?? ''} ${c.id}`.toLowerCase().includes(w)) ||
        c.id.startsWith('instrument:') ||
        c.id.startsWith('account:'),
    );
  }, [query, accounts, channel, t, language, setTheme]);

  const shown = commands.slice(0, MAX_SHOWN);
  const current = Math.min(active, Math.max(0, shown.length - 1));

  const run = (command: Command | undefined) => {
    if (!command) return;
    close();
    command.run();
  };

  return (
    <div className="fw-modal-backdrop" onMouseDown={close} data-testid="palette">
      <div
        className="fw-palette"
        role="dialog"
        aria-modal="true"
        aria-label={t('header.palette')}
        onMouseDown={(event) => event.stopPropagation()}
      >
        <input
          ref={inputRef}
          className="fw-palette-input"
          data-testid="palette-input"
          aria-label={t('palette.placeholder')}
          placeholder={t('palette.placeholder')}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') close();
            else if (event.key === 'ArrowDown') {
              event.preventDefault();
              setActive((i) => Math.min(i + 1, shown.length - 1));
            } else if (event.key === 'ArrowUp') {
              event.preventDefault();
              setActive((i) => Math.max(i - 1, 0));
            } else if (event.key === 'Enter') {
              event.preventDefault();
              run(shown[current]);
            }
          }}
        />
        <ul className="fw-palette-list" role="listbox" aria-label={t('header.palette')}>
          {shown.length === 0 && <li className="fw-muted fw-palette-empty">{t('palette.noMatch')}</li>}
          {shown.map((command, index) => (
            <li
              key={command.id}
              role="option"
              aria-selected={index === current}
              data-command={command.id}
              className={index === current ? 'fw-palette-item fw-active' : 'fw-palette-item'}
              onMouseEnter={() => setActive(index)}
              onClick={() => run(command)}
            >
              <span>{command.label}</span>
              {command.hint && <span className="fw-muted">{command.hint}</span>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

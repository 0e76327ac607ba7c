// The operators section of Settings (administrators): create an operator, disable or re-enable one, reset a password,
// change a role, limit an operator to account groups. Every change is an audited API call (operators.*,
// team.setScope), refused on the main side for any other role.
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../shared/api/methods/auth';
import { callOptional, windowParam } from '../api/floorwatch';
import { useAuthStore } from '../auth/session';
import { TextDialog } from '../components/TextDialog';
import { useNoticeStore } from '../stores/notice';
import { useTeamStore } from '../stores/team';
import { UNSCOPED_ROLES, type AccountGroup } from '../../../shared/domain/teamWorkflow';
import type { OperatorScope } from '../../../shared/api/methods/team';
import './workflow.css';

interface Operator {
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  lockedUntil: number | null;
  /** Locked out after failed logins, as of loading the list. */
  lockedOut?: boolean;
}

export function OperatorsSection() {
  const { t } = useTranslation();
  const session = useAuthStore((s) => s.session);
  const [operators, setOperators] = useState<Operator[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<string | null>(null);
  const formId = useId();
  const usernameRef = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState({ username: '', displayName: '', role: 'operator' as Role, password: '' });
  const [scopes, setScopes] = useState<Map<string, string[]>>(new Map());
  const groups = useTeamStore((s) => s.settings.accountGroups);

  const load = useCallback(() => {
    void useTeamStore.getState().load();
    void callOptional<OperatorScope[]>('team.scopes', {}).then((result) => {
      if (result.ok) setScopes(new Map(result.value.map((scope) => [scope.username, scope.groups])));
    });
    void callOptional<Operator[]>('operators.list', {}).then((result) => {
      const now = Date.now();
      if (result.ok) setOperators(result.value.map((o) => ({ ...o, lockedOut: (o.lockedUntil ?? 0) > now })));
      else setError(result.message);
    });
  }, []);
  useEffect(() => {
    load();
    if (windowParam('settings', 'op') === 'create') usernameRef.current?.focus();
  }, [load]);

  const act = async (method: string, args: Record<string, unknown>, done: string): Promise<string | null> => {
    const result = await callOptional(method, args);
    if (!result.ok) {
      setError(result.message);
      return result.message;
    }
    setError(null);
    useNoticeStore.getState().show(done);
    load();
    return null;
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const problem = await act('operators.create', draft, t('workflow.ops.created', { name: draft.username }));
    if (!problem) setDraft({ username: '', displayName: '', role: 'operator', password: '' });
  };

  if (session?.role !== 'admin') return null;
  return (
    <section className="fw-settings-operators" aria-labelledby={`${formId}-ops`} data-testid="operators-section">
      <h2 id={`${formId}-ops`}>{t('workflow.ops.title')}</h2>
      <form className="fw-operators-form" onSubmit={(event) => void create(event)} data-testid="operator-create">
        <label>
          {t('workflow.ops.username')}
          <input
            ref={usernameRef}
            required
            maxLength={64}
            value={draft.username}
            onChange={(e) => setDraft({ ...draft, username: e.target.value })}
          />
        </label>
        <label>
          {t('workflow.ops.displayName')}
          <input
            required
            maxLength={64}
            value={draft.displayName}
            onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
          />
        </label>
        <label>
          {t('workflow.ops.role')}
          <select
            className="fw-select"
            value={draft.role}
            onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
          >
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`workflow.role.${role}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('workflow.ops.password')}
          <input
            type="password"
            required
            autoComplete="new-password"
            value={draft.password}
            onChange={(e) => setDraft({ ...draft, password: e.target.value })}
          />
        </label>
        <button type="submit" className="fw-button fw-primary">
          {t('workflow.ops.create')}
        </button>
      </form>
      {error && (
        <p className="fw-settings-error" role="alert">
          {error}
        </p>
      )}
      <table className="fw-table fw-operators-table" data-testid="operators-table">
        <thead>
          <tr>
            <th scope="col">{t('workflow.ops.username')}</th>
            <th scope="col">{t('workflow.ops.displayName')}</th>
            <th scope="col">{t('workflow.ops.role')}</th>
            <th scope="col">{t('workflow.ops.status')}</th>
            <th scope="col" title={t('team.scopeHint')}>
              {t('team.scope')}
            </th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {operators.map((operator) => {
            const you = operator.username === session.operator;
            const name = operator.username;
            return (
              <tr key={name} data-operator={name} data-disabled={operator.disabled}>
                <td>
                  {name}
                  {you && <span className="fw-muted"> ({t('workflow.ops.you')})</span>}
                </td>
                <td>{operator.displayName}</td>
                <td>
                  <select
                    className="fw-select"
                    aria-label={t('workflow.ops.changeRole', { name })}
                    value={operator.role}
                    onChange={(e) =>
                      void act(
                        'operators.update',
                        { username: name, role: e.target.value },
                        t('workflow.ops.updated', { name }),
                      )
                    }
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {t(`workflow.role.${role}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {operator.disabled
                    ? t('workflow.ops.disabled')
                    : operator.lockedOut
                      ? t('workflow.ops.lockedOut')
                      : t('workflow.ops.enabled')}
                </td>
                <td>
                  <ScopeEditor
                    operator={operator}
                    groups={groups}
                    scope={scopes.get(name) ?? []}
                    onChange={(next) =>
                      void act(
                        'team.setScope',
                        { username: name, groups: next },
                        t('team.scopeSaved', { username: name, groups: next.join(', ') || t('team.scopeAll') }),
                      )
                    }
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="fw-button"
                    disabled={you}
                    onClick={() =>
                      void act(
                        'operators.update',
                        { username: name, disabled: !operator.disabled },
                        t('workflow.ops.updated', { name }),
                      )
                    }
                  >
                    {operator.disabled ? t('workflow.ops.enable') : t('workflow.ops.disable')}
                  </button>{' '}
                  <button type="button" className="fw-button" onClick={() => setResetFor(name)}>
                    {t('workflow.ops.resetPassword')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {resetFor && (
        <TextDialog
          title={t('workflow.ops.resetPassword')}
          label={t('workflow.ops.newPassword', { name: resetFor })}
          secret
          submitLabel={t('workflow.ops.resetPassword')}
          onCancel={() => setResetFor(null)}
          onSubmit={async (password) => {
            const problem = await act(
              'operators.resetPassword',
              { username: resetFor, password },
              t('workflow.ops.passwordReset', { name: resetFor }),
            );
            if (!problem) setResetFor(null);
            return problem;
          }}
        />
      )}
    </section>
  );
}

/** The account groups an operator is limited to (none ticked: every account); roles that see all say so. */
function ScopeEditor(props: {
  operator: Operator;
  groups: readonly AccountGroup[];
  scope: readonly string[];
  onChange(groups: string[]): void;
}) {
  const { t } = useTranslation();
  const { operator, groups, scope } = props;
  if ((UNSCOPED_ROLES as readonly string[]).includes(operator.role)) {
    return <span className="fw-muted">{t('team.scopeAll')}</span>;
  }
  // A group deleted since stays listed (and ticked) so the admin sees why the operator sees nothing.
  const names = [...new Set([...groups.map((g) => g.name), ...scope])];
  if (names.length === 0) return <span className="fw-muted">{t('team.scopeAll')}</span>;
  return (
    <span className="fw-scope" data-testid={`scope-${operator.username}`}>
      {names.map((name) => (
        <label key={name} className="fw-check">
          <input
            type="checkbox"
            checked={scope.includes(name)}
            onChange={(event) =>
              props.onChange(event.target.checked ? [...scope, name] : scope.filter((g) => g !== name))
            }
          />
          {name}
        </label>
      ))}
      {scope.length === 0 && <span className="fw-muted"> ({t('team.scopeAll')})</span>}
    </span>
  );
}

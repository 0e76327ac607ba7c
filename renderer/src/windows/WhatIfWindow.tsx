// What-if tuning (issue 5): the thresholds in force (rules.get), per rule and — where the rules file has them — per
// exchange and product, in an editable form; a saved session to try them on (default: the current one); Run replays
// it with the current and the edited thresholds in a worker (rules.whatIf) and shows the alert counts per rule side
// by side and the alerts that appear or disappear. A supervisor or admin adopts the edit with a reason
// (rules.adopt, audited); other roles see why they cannot.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RulesInfo, RulesOverrides, WhatIfAlertRef, WhatIfResult } from '../../../shared/api/methods/rules';
import { authorize } from '../../../shared/api/permissions';
import type { SessionSummary } from '../../../shared/api/methods/sessions';
import type { RulesConfig } from '../../../shared/rules/config';
import { isNullableParam, ruleParamNames } from '../../../shared/rules/catalogue';
import { RULE_IDS, SEVERITIES, type RuleId } from '../../../shared/rules/types';
import { floorwatch } from '../api/floorwatch';
import { locale } from '../i18n';
import { useOperatorStore } from '../stores/operator';

/** Roles that may adopt thresholds (the server checks again: rules.adopt is for APPROVERS). */

type Path = readonly string[];
type Plain = Record<string, unknown>;

interface Scope {
  key: string;
  label: string;
  /** Path of the rule's parameter object in the config. */
  path: Path;
}

const isPlain = (value: unknown): value is Plain =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = isPlain(node) ? node[key] : undefined;
  return node;
}

/** A copy of `root` with `value` at `path` (objects along the path copied, the rest shared). */
function setAt<T>(root: T, path: Path, value: unknown): T {
  const [head, ...rest] = path;
  if (head === undefined) return value as T;
  const node: Plain = isPlain(root) ? { ...root } : {};
  node[head] = setAt(node[head], rest, value);
  return node as T;
}

/** What `next` changes over `base`, as a partial rules file (objects by key, anything else whole). */
function diff(base: unknown, next: unknown): unknown {
  if (isPlain(base) && isPlain(next)) {
    const out: Plain = {};
    for (const [key, value] of Object.entries(next)) {
      const changed = diff(base[key], value);
      if (changed !== undefined) out[key] = changed;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return JSON.stringify(base) === JSON.stringify(next) ? undefined : next;
}

function countLeaves(value: unknown): number {
  return isPlain(value) ? Object.values(value).reduce<number>((n, v) => n + countLeaves(v), 0) : 1;
}

/** The scopes a rule has values for: the default, then each exchange and product override that names it. */
function scopesOf(config: RulesConfig, rule: RuleId, t: (key: string, options?: Plain) => string): Scope[] {
  const scopes: Scope[] = [{ key: 'default', label: t('whatIf.scopeDefault'), path: ['rules', rule] }];
  for (const [exchange, override] of Object.entries(config.exchanges ?? {})) {
    if (override?.rules?.[rule]) {
      scopes.push({
        key: exchange,
        label: t('whatIf.scopeExchange', { exchange }),
        path: ['exchanges', exchange, 'rules', rule],
      });
    }
    for (const [product, productOverride] of Object.entries(override?.products ?? {})) {
      if (productOverride.rules?.[rule]) {
        scopes.push({
          key: `${exchange}.${product}`,
          label: t('whatIf.scopeProduct', { exchange, product }),
          path: ['exchanges', exchange, 'products', product, 'rules', rule],
        });
      }
    }
  }
  return scopes;
}

function useNumberFormat(): (value: number) => string {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const format = new Intl.NumberFormat(locale());
    return (value: number) => format.format(value);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the language decides the locale
  }, [i18n.language]);
}

/** A number (or nullable number, or list of numbers) typed as text, handed up parsed or as invalid. */
function NumberField({
  value,
  nullable,
  list,
  testId,
  label,
  onValue,
  onValidity,
}: {
  value: unknown;
  nullable: boolean;
  list: boolean;
  testId: string;
  label: string;
  onValue: (value: unknown) => void;
  onValidity: (valid: boolean) => void;
}) {
  const shown = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  const [invalid, setInvalid] = useState(false);
  // A reset or a reload replaces the value from outside: show it.
  const [lastShown, setLastShown] = useState(shown);
  if (shown !== lastShown) {
    setLastShown(shown);
    setText(shown);
    setInvalid(false);
  }
  const change = (next: string) => {
    setText(next);
    const trimmed = next.trim();
    let parsed: unknown;
    if (list) {
      const items = trimmed
        .split(/[\s,，]+/)
        .filter(Boolean)
        .map(Number);
      parsed = items.length > 0 && items.every(Number.isFinite) ? items : undefined;
    } else if (trimmed === '') parsed = nullable ? null : undefined;
    else parsed = Number.isFinite(Number(trimmed)) ? Number(trimmed) : undefined;
    const valid = parsed !== undefined;
    setInvalid(!valid);
    onValidity(valid);
    if (valid) onValue(parsed);
  };
  return (
    <input
      className={`fw-whatif-input${invalid ? ' fw-invalid' : ''}`}
      data-testid={testId}
      aria-label={label}
      aria-invalid={invalid}
      inputMode={list ? 'text' : 'decimal'}
      placeholder={nullable ? '—' : ''}
      value={text}
      onChange={(event) => change(event.target.value)}
    />
  );
}

function AlertList({
  title,
  testId,
  alerts,
  total,
}: {
  title: string;
  testId: string;
  alerts: WhatIfAlertRef[];
  total: number;
}) {
  const { t } = useTranslation();
  const number = useNumberFormat();
  return (
    <div className="fw-whatif-list" data-testid={testId}>
      <div className="fw-section-title">
        {title}
        {alerts.length < total && (
          <span className="fw-muted fw-small">
            {' '}
            · {t('whatIf.listLimited', { shown: number(alerts.length), total: number(total) })}
          </span>
        )}
      </div>
      {alerts.length === 0 ? (
        <div className="fw-muted fw-small">{t('whatIf.noneListed')}</div>
      ) : (
        <div className="fw-scroll-box fw-whatif-list-box">
          <table className="fw-table">
            <thead>
              <tr>
                <th>{t('whatIf.colRule')}</th>
                <th>{t('whatIf.colSubject')}</th>
                <th>{t('whatIf.colInstrument')}</th>
                <th>{t('whatIf.colSeverity')}</th>
                <th className="fw-num">{t('whatIf.colCount')}</th>
                <th>{t('whatIf.colMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => (
                <tr key={alert.id} data-testid={`${testId}-row`}>
                  <td>{t(`rule.${alert.rule}`)}</td>
                  <td className="fw-account">{alert.subjectId}</td>
                  <td>{alert.instrumentId ?? '—'}</td>
                  <td>
                    <span className={`fw-sev fw-sev-${alert.severity}`}>{t(`severity.${alert.severity}`)}</span>
                  </td>
                  <td className="fw-num">
                    {alert.count === null ? '—' : number(alert.count)}
                    {alert.threshold === null ? '' : ` / ${number(alert.threshold)}`}
                  </td>
                  <td className="fw-muted" title={alert.message}>
                    {alert.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function WhatIfWindow() {
  const { t } = useTranslation();
  const number = useNumberFormat();
  const role = useOperatorStore((s) => s.role);
  const [info, setInfo] = useState<RulesInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<RulesConfig | null>(null);
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [file, setFile] = useState('');
  const [runStarted, setRunStarted] = useState<number | null>(null);
  const [now, setNow] = useState(0);
  const [result, setResult] = useState<{ result: WhatIfResult; overrides: string } | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [adopting, setAdopting] = useState(false);
  /** What the last adopt did, rendered in the current language. */
  const [adoptOutcome, setAdoptOutcome] = useState<
    { kind: 'adopted'; version: string; live: boolean } | { kind: 'forbidden' | 'failed'; message: string } | null
  >(null);
  /** Bumped to read the thresholds again (after an adopt). */
  const [loads, setLoads] = useState(0);

  useEffect(() => useOperatorStore.getState().load(), []);

  useEffect(() => {
    let current = true;
    floorwatch()
      .call('rules.get', {})
      .then(
        (next) => {
          if (!current) return;
          setInfo(next);
          setDraft(structuredClone(next.config));
          setInvalid(new Set());
          setLoadError(null);
        },
        (error: unknown) => current && setLoadError((error as Error).message),
      );
    return () => {
      current = false;
    };
  }, [loads]);

  useEffect(() => {
    let current = true;
    floorwatch()
      .call('sessions.list', {})
      .then(
        (list) => current && setSessions([...list].sort((a, b) => b.firstTs - a.firstTs)),
        () => current && setSessions([]),
      );
    return () => {
      current = false;
    };
  }, []);

  // The busy clock: seconds since Run, while a run is in progress.
  useEffect(() => {
    if (runStarted === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [runStarted]);

  const overrides = useMemo(
    () => (info && draft ? ((diff(info.config, draft) as RulesOverrides | undefined) ?? {}) : {}),
    [info, draft],
  );
  const overridesKey = JSON.stringify(overrides);
  const changedCount = Object.keys(overrides).length > 0 ? countLeaves(overrides) : 0;

  const setParam = useCallback((path: Path, value: unknown) => {
    setDraft((previous) => (previous ? setAt(previous, path, value) : previous));
    setAdoptOutcome(null);
  }, []);

  const setValidity = useCallback((key: string, valid: boolean) => {
    setInvalid((previous) => {
      if (valid === !previous.has(key)) return previous;
      const next = new Set(previous);
      if (valid) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  const run = useCallback(async () => {
    if (runStarted !== null) return;
    const started = Date.now();
    setRunStarted(started);
    setNow(started);
    setRunError(null);
    try {
      const next = await floorwatch().call('rules.whatIf', { ...(file ? { file } : {}), overrides });
      setResult({ result: next, overrides: overridesKey });
    } catch (error) {
      setRunError((error as Error).message);
    } finally {
      setRunStarted(null);
    }
  }, [file, overrides, overridesKey, runStarted]);

  const adopt = useCallback(async () => {
    setAdopting(true);
    setAdoptOutcome(null);
    try {
      const adopted = await floorwatch().call('rules.adopt', { overrides, reason: reason.trim() });
      setAdoptOutcome({ kind: 'adopted', version: adopted.version, live: adopted.appliedToCore });
      setReason('');
      setResult(null);
      setLoads((n) => n + 1);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = (error as Error).message;
      setAdoptOutcome({ kind: code === 'forbidden' ? 'forbidden' : 'failed', message });
    } finally {
      setAdopting(false);
    }
  }, [overrides, reason]);

  if (loadError) {
    return (
      <section className="fw-view fw-empty-view" data-testid="whatif-window">
        <div className="fw-whatif-banner fw-whatif-banner-bad" role="alert">
          {t('whatIf.loadFailed', { message: loadError })}
        </div>
      </section>
    );
  }
  if (!info || !draft) {
    return (
      <section className="fw-view fw-empty-view" data-testid="whatif-window">
        {t('whatIf.loading')}
      </section>
    );
  }

  const mayAdopt = role !== null && authorize(role, 'rules.adopt');
  const busy = runStarted !== null;
  const stale = result !== null && result.overrides !== overridesKey;
  const canRun = !busy && invalid.size === 0;
  const adoptBlocker =
    invalid.size > 0
      ? t('whatIf.invalid')
      : changedCount === 0
        ? t('whatIf.adoptNeedsChanges')
        : !reason.trim()
          ? t('whatIf.adoptNeedsReason')
          : null;

  return (
    <section className="fw-view fw-whatif" data-testid="whatif-window">
      <div className="fw-toolbar">
        <span className="fw-toolbar-note">
          <strong data-testid="whatif-version">{t('whatIf.version', { version: info.version })}</strong>
        </span>
        <span className="fw-toolbar-note fw-small" title={info.sources.join('\n')}>
          {t('whatIf.sources', { sources: info.sources.join(' + ') })}
        </span>
        <div className="fw-header-spacer" />
        <span className="fw-toolbar-note" data-testid="whatif-changed">
          {changedCount > 0 ? t('whatIf.changed', { count: changedCount }) : t('whatIf.noChanges')}
        </span>
        <button
          type="button"
          className="fw-button"
          data-testid="whatif-reset"
          disabled={changedCount === 0 && invalid.size === 0}
          onClick={() => {
            setDraft(structuredClone(info.config));
            setInvalid(new Set());
          }}
        >
          {t('whatIf.reset')}
        </button>
        <label className="fw-toolbar-note" htmlFor="whatif-session">
          {t('whatIf.session')}
        </label>
        <select
          id="whatif-session"
          className="fw-select fw-whatif-session"
          data-testid="whatif-session"
          value={file}
          onChange={(event) => setFile(event.target.value)}
        >
          <option value="">{t('whatIf.currentSession')}</option>
          {sessions.map((s) => (
            <option key={s.file} value={s.file} disabled={Boolean(s.error)}>
              {s.error
                ? `${s.file.split(/[\\/]/).pop()} — ${s.error}`
                : `${s.tradingDay} · ${s.sessionId} · ${number(s.messages)}${s.live ? ' · LIVE' : ''}`}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="fw-button fw-button-primary"
          data-testid="whatif-run"
          title={t('whatIf.runTitle')}
          disabled={!canRun}
          onClick={() => void run()}
        >
          ▶ {t('whatIf.run')}
        </button>
      </div>
      {info.problem && (
        <div className="fw-whatif-banner fw-whatif-banner-warn" role="alert">
          {t('whatIf.problem', { problem: info.problem })}
        </div>
      )}
      <div className="fw-whatif-body">
        <form className="fw-whatif-form" data-testid="whatif-form" onSubmit={(event) => event.preventDefault()}>
          <div className="fw-section-title">{t('whatIf.title')}</div>
          {RULE_IDS.map((rule) => {
            // The rule's parameters and which accept null ("not by this measure") come from its catalogue schema.
            const params = ruleParamNames(rule);
            return (
              <fieldset key={rule} className="fw-whatif-rule" data-testid={`whatif-rule-${rule}`}>
                <legend>
                  {t(`rule.${rule}`)} <span className="fw-muted fw-small">{rule}</span>
                </legend>
                <table className="fw-table fw-whatif-params">
                  <thead>
                    <tr>
                      <th />
                      {params.map((param) => (
                        <th key={param}>{t(`whatIf.param.${param}`, { defaultValue: param })}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {scopesOf(draft, rule, t).map((scope) => {
                      const values = getAt(draft, scope.path) as Plain | undefined;
                      return (
                        <tr key={scope.key}>
                          <th scope="row" className="fw-whatif-scope">
                            {scope.label}
                          </th>
                          {params.map((param) => {
                            const testId = `whatif-input-${rule}-${scope.key}-${param}`;
                            const path = [...scope.path, param];
                            const original = getAt(info.config, path);
                            const value = values?.[param];
                            const edited = JSON.stringify(original) !== JSON.stringify(value);
                            if (value === undefined) {
                              return (
                                <td key={param} className="fw-muted fw-small">
                                  {t('whatIf.inherited')}
                                </td>
                              );
                            }
                            const label = `${t(`rule.${rule}`)} · ${scope.label} · ${t(`whatIf.param.${param}`, { defaultValue: param })}`;
                            let field;
                            if (typeof value === 'boolean') {
                              field = (
                                <input
                                  type="checkbox"
                                  data-testid={testId}
                                  aria-label={label}
                                  checked={value}
                                  onChange={(event) => setParam(path, event.target.checked)}
                                />
                              );
                            } else if (param === 'severity') {
                              field = (
                                <select
                                  className="fw-select"
                                  data-testid={testId}
                                  aria-label={label}
                                  value={String(value)}
                                  onChange={(event) => setParam(path, event.target.value)}
                                >
                                  {SEVERITIES.map((severity) => (
                                    <option key={severity} value={severity}>
                                      {t(`severity.${severity}`)}
                                    </option>
                                  ))}
                                </select>
                              );
                            } else {
                              field = (
                                <NumberField
                                  value={value}
                                  nullable={isNullableParam(rule, param)}
                                  list={Array.isArray(value)}
                                  testId={testId}
                                  label={label}
                                  onValue={(next) => setParam(path, next)}
                                  onValidity={(valid) => setValidity(testId, valid)}
                                />
                              );
                            }
                            return (
                              <td key={param} className={edited ? 'fw-whatif-edited' : undefined}>
                                {field}
                              </td>
                            );
                          })}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </fieldset>
            );
          })}
        </form>
        <div className="fw-whatif-side">
          {busy && (
            <div className="fw-whatif-banner" role="status" data-testid="whatif-busy">
              <span className="fw-whatif-spinner" aria-hidden="true" />
              {t('whatIf.running', { seconds: number(Math.max(0, Math.floor((now - runStarted) / 1000))) })}
            </div>
          )}
          {runError && (
            <div className="fw-whatif-banner fw-whatif-banner-bad" role="alert" data-testid="whatif-error">
              {t('whatIf.runFailed', { message: runError })}
            </div>
          )}
          {result && (
            <div className="fw-whatif-result" data-testid="whatif-result">
              <div className="fw-section-title">{t('whatIf.resultTitle')}</div>
              <div className="fw-muted fw-small" data-testid="whatif-result-meta">
                {t('whatIf.resultMeta', {
                  messages: number(result.result.messages),
                  session: result.result.sessionId,
                  day: result.result.tradingDay,
                  ms: number(result.result.elapsedMs),
                })}
              </div>
              {stale && (
                <div className="fw-whatif-banner fw-whatif-banner-warn" data-testid="whatif-stale">
                  {t('whatIf.staleResult')}
                </div>
              )}
              <table className="fw-table fw-whatif-counts">
                <thead>
                  <tr>
                    <th>{t('whatIf.colRule')}</th>
                    <th className="fw-num" title={result.result.current.version}>
                      {t('whatIf.colCurrent')}
                    </th>
                    <th className="fw-num" title={result.result.proposed.version}>
                      {t('whatIf.colProposed')}
                    </th>
                    <th className="fw-num">{t('whatIf.colDelta')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.result.rules.map((row) => (
                    <tr
                      key={row.rule}
                      data-testid={`whatif-count-${row.rule}`}
                      data-current={row.current}
                      data-proposed={row.proposed}
                    >
                      <td>{t(`rule.${row.rule}`)}</td>
                      <td className="fw-num">{number(row.current)}</td>
                      <td className="fw-num fw-strong">{number(row.proposed)}</td>
                      <td
                        className={`fw-num ${row.delta > 0 ? 'fw-whatif-more' : row.delta < 0 ? 'fw-whatif-fewer' : 'fw-muted'}`}
                      >
                        {row.delta > 0 ? `+${number(row.delta)}` : row.delta < 0 ? `−${number(-row.delta)}` : '0'}
                      </td>
                    </tr>
                  ))}
                  <tr className="fw-whatif-total" data-testid="whatif-count-total">
                    <th scope="row">{t('whatIf.total')}</th>
                    <td className="fw-num">{number(result.result.current.total)}</td>
                    <td className="fw-num fw-strong">{number(result.result.proposed.total)}</td>
                    <td className="fw-num">
                      {(() => {
                        const delta = result.result.proposed.total - result.result.current.total;
                        return delta > 0 ? `+${number(delta)}` : delta < 0 ? `−${number(-delta)}` : '0';
                      })()}
                    </td>
                  </tr>
                </tbody>
              </table>
              <AlertList
                title={t('whatIf.appeared', { count: number(result.result.appearedTotal) })}
                testId="whatif-appeared"
                alerts={result.result.appeared}
                total={result.result.appearedTotal}
              />
              <AlertList
                title={t('whatIf.disappeared', { count: number(result.result.disappearedTotal) })}
                testId="whatif-disappeared"
                alerts={result.result.disappeared}
                total={result.result.disappearedTotal}
              />
            </div>
          )}
          <div className="fw-whatif-adopt" data-testid="whatif-adopt-panel">
            <div className="fw-section-title">{t('whatIf.adoptTitle')}</div>
            {mayAdopt ? (
              <>
                <label className="fw-field">
                  <span>{t('whatIf.adoptReason')}</span>
                  <input
                    className="fw-search fw-whatif-reason"
                    data-testid="whatif-adopt-reason"
                    maxLength={1000}
                    placeholder={t('whatIf.adoptReasonPlaceholder')}
                    value={reason}
                    onChange={(event) => setReason(event.target.value)}
                  />
                </label>
                <div className="fw-whatif-adopt-row">
                  <button
                    type="button"
                    className="fw-button fw-button-primary"
                    data-testid="whatif-adopt"
                    disabled={adoptBlocker !== null || adopting}
                    title={adoptBlocker ?? undefined}
                    onClick={() => void adopt()}
                  >
                    {adopting ? t('whatIf.adopting') : t('whatIf.adopt')}
                  </button>
                  {adoptBlocker && <span className="fw-muted fw-small">{adoptBlocker}</span>}
                </div>
              </>
            ) : (
              <div className="fw-muted" data-testid="whatif-adopt-role">
                {t('whatIf.adoptNeedsRole', { role: role ?? '—' })}
              </div>
            )}
            {adoptOutcome && (
              <div
                className={`fw-whatif-banner ${adoptOutcome.kind === 'adopted' ? 'fw-whatif-banner-ok' : 'fw-whatif-banner-bad'}`}
                role={adoptOutcome.kind === 'adopted' ? 'status' : 'alert'}
                data-testid={
                  adoptOutcome.kind === 'adopted'
                    ? 'whatif-adopted'
                    : adoptOutcome.kind === 'forbidden'
                      ? 'whatif-forbidden'
                      : 'whatif-adopt-error'
                }
              >
                {adoptOutcome.kind === 'adopted'
                  ? `${t('whatIf.adopted', { version: adoptOutcome.version })} ${
                      adoptOutcome.live ? t('whatIf.appliedLive') : t('whatIf.appliedNextStart')
                    }`
                  : adoptOutcome.kind === 'forbidden'
                    ? t('whatIf.forbidden', { message: adoptOutcome.message })
                    : t('whatIf.adoptFailed', { message: adoptOutcome.message })}
              </div>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}

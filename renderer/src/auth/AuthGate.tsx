// Wraps every window: the red audit banner on top whatever happens, and until an unlocked session exists, the
// first-start admin form, the login form or the lock screen instead of the window. Topic data only flows to an
// unlocked session (the main side holds subscriptions back), so the window behind the lock screen is frozen.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  adoptTokenFromFragment,
  login,
  logout,
  refreshSession,
  setupAdmin,
  STATUS_POLL_MS,
  touch,
  unlock,
  useAuthStore,
} from './session';
import './auth.css';

export function AuditBanner() {
  const { t } = useTranslation();
  const check = useAuthStore((s) => s.auditCheck);
  if (!check || check.ok) return null;
  return (
    <div className="fw-audit-banner" role="alert" data-testid="audit-banner">
      {t('auth.auditFailed', { message: check.message })}
    </div>
  );
}

function FormError({ waitSeconds = 0 }: { waitSeconds?: number }) {
  const { t } = useTranslation();
  const error = useAuthStore((s) => s.error);
  if (waitSeconds > 0) {
    return (
      <p className="fw-auth-error" role="status" data-testid="auth-retry">
        {t('auth.retryIn', { count: waitSeconds })}
      </p>
    );
  }
  return error ? (
    <p className="fw-auth-error" role="alert" data-testid="auth-error">
      {error}
    </p>
  ) : null;
}

/** Automatic re-sends of one attempt the main side refused as too early (each waits the time it was told). */
const MAX_AUTO_RETRIES = 3;

/**
 * Submits a password form. A refusal that only says "wait" keeps the password (it was not checked), counts down
 * and sends the same attempt again, so for the operator the login just takes that long; any other outcome clears
 * the password field.
 */
function usePasswordSubmit(run: () => Promise<void>, clearPassword: () => void) {
  const [busy, setBusy] = useState(false);
  const [waitSeconds, setWaitSeconds] = useState(0);
  const latest = useRef({ run, clearPassword });
  useEffect(() => {
    latest.current = { run, clearPassword };
  });
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearInterval(timer.current), []);
  const send = (retries: number): void => {
    setBusy(true);
    void latest.current.run().finally(() => {
      setBusy(false);
      const retryAt = useAuthStore.getState().retryAt;
      if (retryAt === null) {
        setWaitSeconds(0);
        latest.current.clearPassword();
        return;
      }
      const tick = () => {
        const left = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        setWaitSeconds(left);
        if (left > 0) return;
        window.clearInterval(timer.current);
        if (retries < MAX_AUTO_RETRIES) send(retries + 1);
      };
      window.clearInterval(timer.current);
      timer.current = window.setInterval(tick, 250);
      tick();
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(0);
  };
  return { submit, waiting: busy || waitSeconds > 0, waitSeconds };
}

function SetupForm() {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    void setupAdmin(username, displayName, password).finally(() => setBusy(false));
  };
  return (
    <form className="fw-auth-card" onSubmit={submit} data-testid="setup-form">
      <h1>{t('auth.welcome')}</h1>
      <p className="fw-muted">{t('auth.firstStart')}</p>
      <TextField
        label={t('auth.userName')}
        testId="setup-username"
        autoComplete="username"
        value={username}
        onChange={setUsername}
      />
      <TextField
        label={t('auth.displayName')}
        testId="setup-display-name"
        value={displayName}
        onChange={setDisplayName}
      />
      <TextField
        label={t('auth.password')}
        testId="setup-password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
      />
      <FormError />
      <button type="submit" className="fw-button" data-testid="setup-submit" disabled={busy}>
        {t('auth.createAdmin')}
      </button>
    </form>
  );
}

/** A labelled, required text or password input of the auth screens. */
function TextField(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'password';
  autoComplete?: string;
  autoFocus?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        data-testid={props.testId}
        type={props.type}
        autoComplete={props.autoComplete}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        required
        autoFocus={props.autoFocus}
      />
    </label>
  );
}

function LoginForm() {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { submit, waiting, waitSeconds } = usePasswordSubmit(
    () => login(username, password),
    () => setPassword(''),
  );
  return (
    <form className="fw-auth-card" onSubmit={submit} data-testid="login-form">
      <h1>{t('auth.loginTitle')}</h1>
      <TextField
        label={t('auth.userName')}
        testId="login-username"
        autoComplete="username"
        value={username}
        onChange={setUsername}
      />
      <TextField
        label={t('auth.password')}
        testId="login-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
      />
      <FormError waitSeconds={waitSeconds} />
      <button type="submit" className="fw-button" data-testid="login-submit" disabled={waiting}>
        {t('auth.logIn')}
      </button>
    </form>
  );
}

function LockScreen() {
  const { t } = useTranslation();
  const session = useAuthStore((s) => s.session);
  const [password, setPassword] = useState('');
  const { submit, waiting, waitSeconds } = usePasswordSubmit(
    () => unlock(password),
    () => setPassword(''),
  );
  return (
    <form className="fw-auth-card" onSubmit={submit} data-testid="lock-screen">
      <h1>{t('auth.locked')}</h1>
      <p className="fw-muted">
        {t('auth.lockedAs', {
          name: session?.displayName ?? '',
          role: session ? t(`role.${session.role}`, { defaultValue: session.role }) : '',
        })}
      </p>
      <TextField
        label={t('auth.password')}
        testId="unlock-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        autoFocus
      />
      <FormError waitSeconds={waitSeconds} />
      <div className="fw-auth-row">
        <button type="submit" className="fw-button" data-testid="unlock-submit" disabled={waiting}>
          {t('auth.unlock')}
        </button>
        <button type="button" className="fw-button" data-testid="lock-logout" onClick={() => void logout()}>
          {t('auth.logOut')}
        </button>
      </div>
    </form>
  );
}

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'mousemove'] as const;

export function AuthGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const phase = useAuthStore((s) => s.phase);
  const error = useAuthStore((s) => s.error);

  useEffect(() => {
    adoptTokenFromFragment();
    void refreshSession();
    // Idle locks and locks/logouts from another window show up within a poll; auth.status is not activity.
    const poll = setInterval(() => void refreshSession(), STATUS_POLL_MS);
    const onActivity = () => touch();
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    return () => {
      clearInterval(poll);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
    };
  }, []);

  let screen: ReactNode = null;
  if (phase === 'setup') screen = <SetupForm />;
  else if (phase === 'login') screen = <LoginForm />;
  else if (phase === 'locked') screen = <LockScreen />;
  else if (phase === 'checking') screen = <div className="fw-auth-card fw-muted">{t('auth.connecting')}</div>;
  else if (phase === 'unavailable') {
    screen = (
      <div className="fw-auth-card" role="alert">
        {t('auth.unavailable', { error })}
      </div>
    );
  }
  return (
    <>
      <AuditBanner />
      {screen ? <div className="fw-auth-screen">{screen}</div> : children}
    </>
  );
}

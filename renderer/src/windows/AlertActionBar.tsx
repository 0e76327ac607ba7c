// The workflow buttons of one alert, for the alert pane (the selected alert) and the case review: one verb per move
// of the shared transition table, enabled exactly when the move is valid from the alert's state (a disabled button
// says why). Moves that need words ask for them in a dialog that keeps what was typed (per alert, until submitted);
// Escalate asks for the operator or role and a reason, then for confirmation.
import { useEffect, useImperativeHandle, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertRow } from '../../../shared/api/methods/alerts';
import { ROLES } from '../../../shared/api/methods/auth';
import {
  ALERT_VERBS,
  needsReason,
  stateOfVerb,
  verbsFrom,
  type AlertVerb,
  type EscalationTarget,
} from '../../../shared/domain/alertWorkflow';
import { callOptional } from '../api/floorwatch';
import { TextDialog } from '../components/TextDialog';
import { useWindowStore } from '../stores/windowState';
import { useNoticeStore } from '../stores/notice';
import { addAlertNote, moveAlert } from './alertActions';
import './workflow.css';

interface DirectoryEntry {
  username: string;
  displayName: string;
  role: string;
}

let directory: Promise<DirectoryEntry[]> | null = null;
/** Enabled operators (escalation targets), asked once per window. */
function operatorDirectory(): Promise<DirectoryEntry[]> {
  directory ??= callOptional<DirectoryEntry[]>('operators.directory', {}).then((r) => (r.ok ? r.value : []));
  return directory;
}

type Dialog = { kind: 'verb'; verb: AlertVerb } | { kind: 'note' };

/** What keyboard shortcuts of the owning window can ask the bar to do (the same as its buttons). */
export interface AlertActionHandle {
  start(verb: AlertVerb): void;
  note(): void;
}

export interface AlertActionBarProps {
  alert: AlertRow | null;
  /** After a move or a note was recorded. */
  onDone?(row: AlertRow): void;
  /** Filled with the bar's actions, for keyboard shortcuts. */
  handle?: Ref<AlertActionHandle>;
  testIdPrefix?: string;
}

export function AlertActionBar({ alert, onDone, handle, testIdPrefix = 'alert' }: AlertActionBarProps) {
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<{ alertId: string; dialog: Dialog } | null>(null);
  // A review window shows alerts as they were at the replay clock: history, not something to act on.
  const inReview = useWindowStore((s) => s.review !== null);
  const valid = alert && !inReview ? verbsFrom(alert.state) : [];

  const run = async (verb: AlertVerb, reason?: string, target?: EscalationTarget): Promise<string | null> => {
    if (!alert) return t('common.pickAlert');
    const outcome = await moveAlert(alert.id, stateOfVerb(verb), reason, target);
    if (outcome.error !== null) return outcome.error;
    useNoticeStore.getState().success(t(`workflow.done.${verb}`, { id: alert.id }));
    onDone?.(outcome.row);
    return null;
  };

  const start = (verb: AlertVerb) => {
    if (!alert || !valid.includes(verb)) return;
    if (needsReason(alert.state, stateOfVerb(verb))) setDialog({ alertId: alert.id, dialog: { kind: 'verb', verb } });
    else
      void run(verb).then((error) => {
        if (error) useNoticeStore.getState().error(error);
      });
  };

  const note = () => {
    if (alert && !inReview) setDialog({ alertId: alert.id, dialog: { kind: 'note' } });
  };
  useImperativeHandle(handle, () => ({ start, note }));

  const whyDisabled = (verb: AlertVerb): string | undefined => {
    if (!alert) return t('common.pickAlert');
    if (inReview) return t('workflow.inReview');
    if (valid.includes(verb)) return t(`workflow.hint.${verb}`);
    return t('workflow.notFrom', { verb: t(`workflow.verb.${verb}`), state: t(`alertState.${alert.state}`) });
  };

  const close = () => setDialog(null);
  const current = dialog && alert && dialog.alertId === alert.id ? dialog.dialog : null;

  return (
    <div className="fw-state-buttons" role="group" aria-label={t('workflow.actions')}>
      {ALERT_VERBS.map((verb) => (
        <button
          key={verb}
          type="button"
          className={`fw-button fw-verb-${verb}`}
          data-testid={`${testIdPrefix}-${verb}`}
          disabled={!alert || !valid.includes(verb)}
          title={whyDisabled(verb)}
          onClick={() => start(verb)}
        >
          {t(`workflow.verb.${verb}`)}
        </button>
      ))}
      <button
        type="button"
        className="fw-button"
        data-testid={`${testIdPrefix}-note`}
        disabled={!alert || inReview}
        title={inReview ? t('workflow.inReview') : undefined}
        onClick={note}
      >
        {t('case.addNote')}
      </button>
      {alert && current?.kind === 'note' && (
        <TextDialog
          title={t('alerts.notePrompt', { id: alert.id })}
          label={t('case.notes')}
          draftKey={`alert:${alert.id}:note`}
          onCancel={close}
          onSubmit={async (text) => {
            const outcome = await addAlertNote(alert.id, text);
            if (outcome.error !== null) return outcome.error;
            useNoticeStore.getState().show(t('alerts.noted', { id: alert.id }));
            close();
            onDone?.(outcome.row);
            return null;
          }}
        />
      )}
      {alert && current?.kind === 'verb' && current.verb === 'escalate' && (
        <EscalateDialog
          alert={alert}
          onCancel={close}
          onSubmit={async (reason, target) => {
            const error = await run('escalate', reason, target);
            if (!error) close();
            return error;
          }}
        />
      )}
      {alert && current?.kind === 'verb' && current.verb !== 'escalate' && (
        <TextDialog
          title={t(`workflow.title.${current.verb}`, { id: alert.id })}
          label={t(current.verb === 'reopen' ? 'workflow.reason' : 'case.rationale')}
          draftKey={`alert:${alert.id}:${current.verb}`}
          submitLabel={t(`workflow.verb.${current.verb}`)}
          onCancel={close}
          onSubmit={async (reason) => {
            const error = await run(current.verb, reason);
            if (!error) close();
            return error;
          }}
        />
      )}
    </div>
  );
}

function EscalateDialog(props: {
  alert: AlertRow;
  onCancel(): void;
  onSubmit(reason: string, target: EscalationTarget): Promise<string | null>;
}) {
  const { t } = useTranslation();
  const [operators, setOperators] = useState<DirectoryEntry[]>([]);
  const [choice, setChoice] = useState('role:supervisor');
  useEffect(() => {
    void operatorDirectory().then(setOperators);
  }, []);
  const [kind, id] = choice.split(/:(.*)/s) as ['operator' | 'role', string];
  const target: EscalationTarget | null = id ? { kind, id } : null;
  const targetName =
    kind === 'role'
      ? t(`workflow.role.${id}`)
      : (operators.find((o) => o.username === id)?.displayName ?? id) + ` (${id})`;
  return (
    <TextDialog
      title={t('workflow.title.escalate', { id: props.alert.id })}
      label={t('workflow.reason')}
      draftKey={`alert:${props.alert.id}:escalate`}
      submitLabel={t('workflow.verb.escalate')}
      ready={target !== null}
      confirmation={t('workflow.confirmEscalate', { id: props.alert.id, target: targetName })}
      onCancel={props.onCancel}
      onSubmit={(reason) => (target ? props.onSubmit(reason, target) : Promise.resolve(t('workflow.pickTarget')))}
    >
      <label className="fw-field fw-dialog-choice">
        <span className="fw-metric-label">{t('workflow.escalateTo')}</span>
        <select
          className="fw-select"
          data-testid="escalate-target"
          aria-label={t('workflow.escalateTo')}
          value={choice}
          onChange={(event) => setChoice(event.target.value)}
        >
          <optgroup label={t('workflow.roles')}>
            {ROLES.filter((role) => role !== 'auditor').map((role) => (
              <option key={role} value={`role:${role}`}>
                {t(`workflow.role.${role}`)}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('workflow.operators')}>
            {operators.map((o) => (
              <option key={o.username} value={`operator:${o.username}`}>
                {o.displayName} ({o.username}) · {t(`workflow.role.${o.role}`)}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
    </TextDialog>
  );
}

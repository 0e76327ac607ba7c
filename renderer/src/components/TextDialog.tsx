// A small modal asking for one piece of text (an alert note, a rationale, a decision comment). Ctrl+Enter submits,
// Escape cancels. What was typed is never lost: a failed submit keeps the dialog open with the text and the error,
// and a `draftKey` keeps the text (across closing the dialog and reloading the window) until it is submitted.
import { useEffect, useRef, useState, type ChangeEvent, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { clearDraft, readDraft, saveDraft } from '../stores/drafts';

export interface TextDialogProps {
  title: string;
  label: string;
  required?: boolean;
  /** Where the typed text is kept until submitted (e.g. `alert:<id>:close`). */
  draftKey?: string;
  /** The submit button's text (default: Confirm). */
  submitLabel?: string;
  /** Shown above the text (what is being confirmed). */
  children?: ReactNode;
  /** False disables submitting (a choice above the text is missing). */
  ready?: boolean;
  /**
   * Asks twice: the first submit shows this sentence (what will happen) and the second one does it. Changing the
   * text or the choices above it asks again.
   */
  confirmation?: string;
  /**
   * Called with the trimmed text. A promise resolving to an error message keeps the dialog open with it (the text
   * stays); resolving to null means done (the caller closes the dialog).
   */
  onSubmit(text: string): void | Promise<string | null>;
  onCancel(): void;
  /** A secret (a new password): one masked line, never kept as a draft. */
  secret?: boolean;
}

export function TextDialog({
  title,
  label,
  required = true,
  draftKey,
  submitLabel,
  children,
  ready = true,
  confirmation,
  onSubmit,
  onCancel,
  secret = false,
}: TextDialogProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => (draftKey && !secret ? readDraft(draftKey) : ''));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  // A confirmation is for exactly what was shown: a change of the text or of the question asks again.
  const confirmed = confirmation !== undefined && confirming === `${confirmation}\u0000${text}`;
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    ref.current?.focus();
    return () => {
      mounted.current = false;
    };
  }, []);
  const valid = ready && (!required || text.trim().length > 0);
  const change = (value: string) => {
    setText(value);
    if (draftKey && !secret) saveDraft(draftKey, value);
  };
  const submit = async () => {
    if (!valid || busy) return;
    if (confirmation !== undefined && !confirmed) {
      setConfirming(`${confirmation}\u0000${text}`);
      return;
    }
    setBusy(true);
    setError(null);
    const problem = await onSubmit(secret ? text : text.trim()); // a password is taken as typed
    if (!problem && draftKey) clearDraft(draftKey);
    if (!mounted.current) return;
    setBusy(false);
    if (problem) setError(problem);
  };
  // In a portal: a dialog opened from a header panel or a grid cell must not be clipped by its container.
  // The text field's props, the same for the masked line and the free text.
  const field = {
    value: text,
    'aria-label': label,
    'data-testid': 'text-dialog-input',
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => change(event.target.value),
    onKeyDown: (event: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      event.stopPropagation();
      if (event.key === 'Escape') onCancel();
      // One masked line submits on Enter; free text needs Ctrl/Cmd+Enter (Enter is a new line there).
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey || secret)) void submit();
    },
  };

  return createPortal(
    <div className="fw-modal-backdrop" onMouseDown={onCancel}>
      <div
        className="fw-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid="text-dialog"
        onMouseDown={(event) => event.stopPropagation()}
      >
        <h2 className="fw-dialog-title">{title}</h2>
        {children}
        <label className="fw-field">
          <span className="fw-metric-label">{label}</span>
          {secret ? (
            <input ref={ref} type="password" autoComplete="new-password" {...field} />
          ) : (
            <textarea ref={ref} rows={4} {...field} />
          )}
        </label>
        {confirmed && (
          <p className="fw-dialog-confirm" role="status" data-testid="text-dialog-confirmation">
            {confirmation}
          </p>
        )}
        {error && (
          <p className="fw-dialog-error" role="alert" data-testid="text-dialog-error">
            {error}
          </p>
        )}
        <div className="fw-dialog-buttons">
          <button type="button" className="fw-button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="fw-button fw-primary"
            data-testid="text-dialog-submit"
            disabled={!valid || busy}
            onClick={() => void submit()}
          >
            {confirmed ? t('workflow.confirmAgain') : (submitLabel ?? t('common.confirm'))}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}

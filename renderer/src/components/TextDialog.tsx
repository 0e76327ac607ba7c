// A small modal asking for one piece of text (an alert note, a rationale). Enter with Ctrl submits, Escape cancels.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface TextDialogProps {
  title: string;
  label: string;
  required?: boolean;
  onSubmit(text: string): void;
  onCancel(): void;
}

export function TextDialog({ title, label, required = true, onSubmit, onCancel }: TextDialogProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const valid = !required || text.trim().length > 0;
  const submit = () => {
    if (valid) onSubmit(text.trim());
  };
  return (
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
        <label className="fw-field">
          <span className="fw-metric-label">{label}</span>
          <textarea
            ref={ref}
            rows={4}
            value={text}
            aria-label={label}
            data-testid="text-dialog-input"
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              event.stopPropagation();
              if (event.key === 'Escape') onCancel();
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit();
            }}
          />
        </label>
        <div className="fw-dialog-buttons">
          <button type="button" className="fw-button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className="fw-button fw-primary"
            data-testid="text-dialog-submit"
            disabled={!valid}
            onClick={submit}
          >
            {t('common.confirm')}
          </button>
        </div>
      </div>
    </div>
  );
}

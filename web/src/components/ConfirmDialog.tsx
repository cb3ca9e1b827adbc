import { useState, type FormEvent, type ReactNode } from 'react';
import { Button } from './Button';
import { Dialog } from './Dialog';
import { TextField } from './TextField';
import { ErrorNotice } from './ErrorNotice';

interface Props {
  open: boolean;
  title: string;
  /** What will happen, in words; shown above the confirmation field. */
  children: ReactNode;
  /** The resource's name or e-mail address, which the person must type to go ahead. */
  confirmText: string;
  confirmLabel: string;
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** A destructive action, confirmed by typing the name of what it destroys (a click alone is too easy). */
export function ConfirmDialog({ open, title, onClose, ...form }: Props) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      {/* Rendered only while open, so what was typed last time is gone the next time. */}
      <ConfirmForm {...form} onClose={onClose} />
    </Dialog>
  );
}

function ConfirmForm({
  children,
  confirmText,
  confirmLabel,
  busy,
  error,
  onConfirm,
  onClose,
}: Omit<Props, 'open' | 'title'>) {
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === confirmText;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (matches && !busy) onConfirm();
  };
  return (
    <form onSubmit={submit} method="post" className="stack">
      <div className="dialog-body">{children}</div>
      <TextField
        label={`Type “${confirmText}” to confirm`}
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      <ErrorNotice error={error} />
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="danger" disabled={!matches} busy={busy} busyLabel="Working">
          {confirmLabel}
        </Button>
      </div>
    </form>
  );
}

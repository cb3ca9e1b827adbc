import { useState } from 'react';
import { Button } from './Button';

interface Props {
  label: string;
  value: string;
  /** Why it will not be shown again, in the API's terms. */
  note: string;
  onDone: () => void;
}

/**
 * A value the API returns exactly once (an API token, an invitation link). It lives only in this component's
 * props: gone from the page when the person presses Done or leaves.
 */
export function SecretOnce({ label, value, note, onDone }: Props) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <section className="secret-once" aria-label={label}>
      <p className="secret-once-title">{label}</p>
      <p>{note}</p>
      <div className="secret-once-row">
        <input className="mono" readOnly value={value} aria-label={label} onFocus={(event) => event.target.select()} />
        <Button onClick={() => void copy()}>Copy</Button>
        <Button variant="primary" onClick={onDone}>
          Done
        </Button>
      </div>
      <p role="status" className="field-hint">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'The browser refused the clipboard: select the text and copy it.'
            : ''}
      </p>
    </section>
  );
}

import { useId, useState, type ChangeEvent } from 'react';
import { describedBy, FieldFrame } from './FieldFrame';

interface Props {
  label: string;
  hint?: string;
  error?: string | undefined;
  /** Offer loading the value from a file (private keys span lines, which a password field cannot hold). */
  allowFile: boolean;
  /** Receives the file's text, or null when the file is cleared; the parent keeps it in a ref, not in state. */
  onFile: (text: string | null) => void;
}

/**
 * A write-only secret: a password-type field (never echoed, never put in React state or the DOM as an
 * attribute), or a file read straight into memory. The API never sends the value back.
 */
export function SecretField({ label, hint, error, allowFile, onFile }: Props) {
  const id = useId();
  const [file, setFile] = useState<{ name: string; size: number } | null>(null);
  const pick = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (!chosen) {
      setFile(null);
      onFile(null);
      return;
    }
    onFile(await chosen.text());
    setFile({ name: chosen.name, size: chosen.size });
  };
  return (
    <FieldFrame label={label} hint={hint} error={error} id={id}>
      <input
        id={id}
        name="value"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required={!file}
        disabled={Boolean(file)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
      {allowFile && (
        <div className="file-pick">
          <label htmlFor={`${id}-file`}>Or load it from a file</label>
          <input id={`${id}-file`} type="file" onChange={(event) => void pick(event)} />
          <p role="status" className="field-hint">
            {file ? `Loaded ${file.name} (${file.size} bytes); it is sent when you save and not shown.` : ''}
          </p>
        </div>
      )}
    </FieldFrame>
  );
}

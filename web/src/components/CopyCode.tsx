import { useState } from 'react';

/** A command to run somewhere else (on a server, in a shell), with a button that copies it. */
export function CopyCode({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="copy-code">
      <pre aria-label={label} tabIndex={0}>
        <code>{code}</code>
      </pre>
      <button type="button" className="btn btn-ghost copy-code-btn" onClick={() => void copy()}>
        Copy<span className="visually-hidden"> {label}</span>
      </button>
      <span role="status" className="visually-hidden">
        {copied === 'yes'
          ? 'Copied.'
          : copied === 'failed'
            ? 'The browser refused the clipboard; select the text to copy it.'
            : ''}
      </span>
    </div>
  );
}

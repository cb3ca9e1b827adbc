/** An SSH host key fingerprint (SHA256:…), set so that it wraps anywhere and reads as one value. */
export function Fingerprint({ value, empty = 'none yet' }: { value: string | null | undefined; empty?: string }) {
  if (!value) return <span className="muted">{empty}</span>;
  return <code className="fingerprint">{value}</code>;
}

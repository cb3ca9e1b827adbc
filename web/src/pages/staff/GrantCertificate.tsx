import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewCertificate } from '../../api/types';
import { Button } from '../../components/Button';
import { CopyCode } from '../../components/CopyCode';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Time } from '../../components/Time';

const keyFileOf = (publicKey: string): string =>
  publicKey.startsWith('ssh-rsa') ? 'id_rsa' : publicKey.startsWith('ecdsa-') ? 'id_ecdsa' : 'id_ed25519';

/**
 * A short-lived SSH certificate for the staff member's own OpenSSH client, under the grant's terminal action:
 * they paste their public key (the private half never leaves their machine) and a fresh one-time code, and get
 * a certificate for this server only, valid for at most an hour and never past the grant.
 */
export function GrantCertificate({ grantId, server }: { grantId: string; server: { id: string; name: string } }) {
  const issue = useMutation({
    mutationFn: (body: Omit<NewCertificate, 'serverId'>) =>
      call(
        api.POST('/api/staff/grants/{grantId}/certificates', {
          params: { path: { grantId } },
          body: { serverId: server.id, ...body },
        }),
      ),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    issue.mutate({
      publicKey: String(form.get('publicKey') ?? '').trim(),
      totpCode: String(form.get('totpCode') ?? '').trim(),
    });
    // The code is spent either way: the field is emptied, so a second try asks for a new one.
    const code = formEl.elements.namedItem('totpCode');
    if (code instanceof HTMLInputElement) code.value = '';
  };
  const cert = issue.data;
  // OpenSSH's default file for the kind of key that was sent (id_ed25519, id_ecdsa, id_rsa).
  const keyFile = `~/.ssh/${keyFileOf(issue.variables?.publicKey ?? '')}`;
  const ssh = cert
    ? `ssh -i ${keyFile} -o CertificateFile=${keyFile}-cert.pub -p ${cert.port} ${cert.login}@${cert.host}`
    : '';
  return (
    <section className="section stack" aria-labelledby="work-certificate">
      <h2 id="work-certificate">Your own SSH client</h2>
      <p className="muted">
        A certificate for {server.name} that your OpenSSH client presents with your key: valid for at most an hour and
        never past the grant. Sessions through it are not recorded by Steward; each certificate issued is in the
        customer’s timeline.
      </p>
      <form method="post" onSubmit={submit} className="stack" aria-label={`Certificate for ${server.name}`}>
        <TextAreaField
          label="Your public key"
          name="publicKey"
          rows={3}
          required
          placeholder="ssh-ed25519 AAAA… you@laptop"
          hint="The .pub file of your key, such as ~/.ssh/id_ed25519.pub. The private key stays on your machine."
          spellCheck={false}
        />
        <TextField
          label="One-time code"
          name="totpCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          required
          className="narrow-input"
          hint="A fresh code from your authenticator: issuing a certificate asks for one each time."
        />
        <div>
          <Button type="submit" variant="primary" busy={issue.isPending} busyLabel="Issuing">
            Get a certificate
          </Button>
        </div>
      </form>
      <ErrorNotice error={issue.error} title="No certificate was issued" />
      {cert && (
        <div className="card stack">
          <p>
            Valid until <Time iso={cert.validBefore} /> for login <code>{cert.login}</code> on {cert.host}:{cert.port}.
            Signed by the organisation’s CA <code className="id-text">{cert.caFingerprint}</code>.
          </p>
          <p className="muted small">
            Save it as <code>{keyFile}-cert.pub</code>, next to your key, then connect:
          </p>
          <CopyCode label="Certificate" code={cert.certificate} />
          <CopyCode label="Command to connect" code={ssh} />
        </div>
      )}
    </section>
  );
}

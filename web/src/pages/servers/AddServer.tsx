import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { NewServer } from '../../api/types';
import { Button } from '../../components/Button';
import { CopyCode } from '../../components/CopyCode';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { stepIsValid, WizardSteps } from '../../components/WizardSteps';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';

const STEPS = ['Where it is', 'First login', 'Host key', 'Review'] as const;
const FIELDS = ['name', 'address', 'port', 'username', 'password', 'privateKey', 'hostKeyFingerprint'] as const;
const FIELD_STEP: Record<(typeof FIELDS)[number], number> = {
  name: 0,
  address: 0,
  port: 0,
  username: 0,
  password: 1,
  privateKey: 1,
  hostKeyFingerprint: 2,
};
// Browsers compile `pattern` with the v flag, where - and / inside a class must be escaped.
export const FINGERPRINT_PATTERN = 'SHA256:[A-Za-z0-9+\\/]{43}';

type Login = 'password' | 'key';
type Trust = 'fingerprint' | 'first-contact';

/**
 * Adds a server Steward does not know yet, by its address. One form over four screens: every field stays in
 * the page (the first-login secret too, in its password field, never in React state) and is read once at
 * the end. Steward uses the secret once to install the organisation's own key, then forgets it.
 */
export function AddServer() {
  const org = useOrg();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);
  const [login, setLogin] = useState<Login>('password');
  const [trust, setTrust] = useState<Trust>('fingerprint');
  const [review, setReview] = useState<{ name: string; target: string } | null>(null);
  const keyFile = useRef<string | null>(null);
  const steps = useRef<(HTMLFieldSetElement | null)[]>([]);
  const form = useRef<HTMLFormElement>(null);
  const add = useMutation({
    mutationFn: (body: NewServer) =>
      call(api.POST('/api/orgs/{orgId}/servers', { params: { path: { orgId: org.id } }, body })),
  });
  const errors = formErrors(add.error, FIELDS);
  const blamed = FIELDS.find((f) => errors.field[f]);

  const go = (to: number) => {
    if (to > step && !stepIsValid(steps.current[step] ?? null)) return;
    if (to === 3 && form.current) {
      const data = new FormData(form.current);
      const port = formValue(data, 'port') || '22';
      setReview({
        name: formValue(data, 'name'),
        target: `${formValue(data, 'username') || 'root'}@${formValue(data, 'address')}${port === '22' ? '' : `:${port}`}`,
      });
    }
    setStep(to);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (step < 3) return go(step + 1);
    // Every screen was checked on the way here; check again in case a field changed meanwhile.
    const invalid = steps.current.findIndex(
      (fieldset) =>
        fieldset &&
        !Array.from(fieldset.elements).every(
          (el) => (el as HTMLInputElement).disabled || (el as HTMLInputElement).checkValidity?.() !== false,
        ),
    );
    if (invalid >= 0) return setStep(invalid);
    const formElement = event.currentTarget;
    const data = new FormData(formElement);
    const secret =
      login === 'password' ? { password: formValue(data, 'password') } : { privateKey: keyFile.current ?? '' };
    const recognise =
      trust === 'fingerprint'
        ? { hostKeyFingerprint: formValue(data, 'hostKeyFingerprint').trim() }
        : { trustFirstContact: true };
    add.mutate(
      {
        name: formValue(data, 'name').trim(),
        address: formValue(data, 'address').trim(),
        port: Number(formValue(data, 'port') || 22),
        username: formValue(data, 'username').trim() || 'root',
        ...secret,
        ...recognise,
      },
      {
        onSuccess: async (server) => {
          formElement.reset();
          keyFile.current = null;
          add.reset();
          await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers') });
          navigate(`/orgs/${org.id}/servers/${server.id}`);
        },
        onError: (err) => {
          const f = FIELDS.find((name) => formErrors(err, FIELDS).field[name]);
          if (f) setStep(FIELD_STEP[f]);
        },
      },
    );
  };

  // What the review step shows, kept as the person types (the form itself is uncontrolled).
  const [where, setWhere] = useState({ address: 'SERVER', port: '22' });
  const noteWhere = () => {
    if (!form.current) return;
    const data = new FormData(form.current);
    setWhere({ address: formValue(data, 'address') || 'SERVER', port: formValue(data, 'port') || '22' });
  };

  return (
    <>
      <PageHeader
        title="Add a server"
        description="A server you already run anywhere: Steward logs in once with what you give it, installs your organisation’s own SSH key, and from then on uses only that key."
      />
      <WizardSteps steps={STEPS} current={step} label="Steps to add a server" />
      <form
        ref={form}
        method="post"
        noValidate
        onSubmit={submit}
        onChange={noteWhere}
        className="section card stack wizard"
        aria-label="Add a server"
      >
        <fieldset ref={(el) => void (steps.current[0] = el)} hidden={step !== 0} className="stack">
          <legend>Where it is</legend>
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            hint="How you will recognise it, e.g. “web-1”."
            error={errors.field.name}
          />
          <div className="grid-3">
            <TextField
              label="Address"
              name="address"
              required
              maxLength={253}
              spellCheck={false}
              autoComplete="off"
              hint="Host name or IP address."
              error={errors.field.address}
            />
            <TextField
              label="SSH port"
              name="port"
              type="number"
              min={1}
              max={65535}
              defaultValue={22}
              required
              error={errors.field.port}
            />
            <TextField
              label="User"
              name="username"
              defaultValue="root"
              required
              maxLength={32}
              pattern="[a-z_][a-z0-9_\-]*"
              spellCheck={false}
              hint="Root, or a user with passwordless sudo."
              error={errors.field.username}
            />
          </div>
        </fieldset>

        <fieldset ref={(el) => void (steps.current[1] = el)} hidden={step !== 1} className="stack">
          <legend>First login</legend>
          <p className="muted">
            Used once, to install the organisation’s key. It is sealed until then and deleted afterwards; it is never
            shown again.
          </p>
          <div className="choice-row" role="radiogroup" aria-label="How Steward logs in the first time">
            <label className="choice">
              <input type="radio" name="login" checked={login === 'password'} onChange={() => setLogin('password')} /> A
              password
            </label>
            <label className="choice">
              <input type="radio" name="login" checked={login === 'key'} onChange={() => setLogin('key')} /> A private
              key
            </label>
          </div>
          {login === 'password' ? (
            <div className="field">
              <label htmlFor="first-login-password">Password for the first login</label>
              <input
                id="first-login-password"
                name="password"
                type="password"
                autoComplete="off"
                required
                maxLength={1024}
                aria-invalid={errors.field.password ? true : undefined}
                aria-describedby={errors.field.password ? 'first-login-password-error' : undefined}
              />
              {errors.field.password && (
                <p className="field-error" id="first-login-password-error">
                  {errors.field.password}
                </p>
              )}
            </div>
          ) : (
            <KeyFile onFile={(text) => (keyFile.current = text)} error={errors.field.privateKey} />
          )}
        </fieldset>

        <fieldset ref={(el) => void (steps.current[2] = el)} hidden={step !== 2} className="stack">
          <legend>How Steward recognises the server</legend>
          <p className="muted">
            Steward checks the server’s SSH host key at every login, so that no other machine can pose as it. Give the
            key’s fingerprint, read on the server itself, or accept the key it shows the first time.
          </p>
          <div className="choice-row" role="radiogroup" aria-label="How Steward recognises the server">
            <label className="choice">
              <input
                type="radio"
                name="trust"
                checked={trust === 'fingerprint'}
                onChange={() => setTrust('fingerprint')}
              />{' '}
              I have the fingerprint (recommended)
            </label>
            <label className="choice">
              <input
                type="radio"
                name="trust"
                checked={trust === 'first-contact'}
                onChange={() => setTrust('first-contact')}
              />{' '}
              Trust the key it presents the first time
            </label>
          </div>
          {trust === 'fingerprint' ? (
            <>
              <TextField
                label="Host key fingerprint"
                name="hostKeyFingerprint"
                required
                pattern={FINGERPRINT_PATTERN}
                placeholder="SHA256:…"
                spellCheck={false}
                autoComplete="off"
                hint="SHA256: followed by 43 characters, as ssh-keygen prints it."
                error={errors.field.hostKeyFingerprint}
              />
              <div className="stack tight">
                <p>On the server (its console, or an SSH session you already trust), run:</p>
                <CopyCode
                  label="Command to print the host key fingerprint on the server"
                  code="ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"
                />
                <p className="muted small">
                  The second word of the answer is the fingerprint. Older servers may only have an RSA or ECDSA key: use
                  ssh_host_rsa_key.pub or ssh_host_ecdsa_key.pub instead.
                </p>
              </div>
            </>
          ) : (
            <div className="notice notice-warn">
              <p className="notice-title">Unverified until you check it</p>
              <p>
                Steward pins whatever key answers at the first login and shows it as unverified. If something intercepts
                that first connection, Steward would trust the wrong machine. Compare the fingerprint on the server’s
                page with the server afterwards.
              </p>
            </div>
          )}
        </fieldset>

        <fieldset ref={(el) => void (steps.current[3] = el)} hidden={step !== 3} className="stack">
          <legend>Review</legend>
          {review && (
            <dl className="facts">
              <dt>Name</dt>
              <dd>{review.name}</dd>
              <dt>Login</dt>
              <dd className="mono">{review.target}</dd>
              <dt>First login with</dt>
              <dd>{login === 'password' ? 'A password (sealed, used once)' : 'A private key (sealed, used once)'}</dd>
              <dt>Host key</dt>
              <dd>
                {trust === 'fingerprint'
                  ? 'Checked against the fingerprint you gave'
                  : 'Trusted at first contact (unverified)'}
              </dd>
            </dl>
          )}
          {trust === 'first-contact' && step === 3 && (
            <p className="muted small">
              To check later from a machine you trust:{' '}
              <code>
                ssh-keyscan -p {where.port} {where.address} | ssh-keygen -lf -
              </code>
            </p>
          )}
        </fieldset>

        <ErrorNotice error={errors.form} title="The server was not added" />
        {blamed && (
          <p className="field-error" role="alert">
            {errors.field[blamed]}
          </p>
        )}
        <div className="wizard-actions">
          {step > 0 ? (
            <Button onClick={() => go(step - 1)}>Back</Button>
          ) : (
            <Link className="btn btn-ghost" to={`/orgs/${org.id}/servers`}>
              Cancel
            </Link>
          )}
          {step < 3 ? (
            <Button type="submit" variant="primary">
              Next
            </Button>
          ) : (
            <Button type="submit" variant="primary" busy={add.isPending} busyLabel="Adding">
              Add server
            </Button>
          )}
        </div>
      </form>
    </>
  );
}

/** A private key can only come from a file: a password field cannot hold its lines. */
function KeyFile({ onFile, error }: { onFile: (text: string | null) => void; error: string | undefined }) {
  const [loaded, setLoaded] = useState<string | null>(null);
  return (
    <div className="field">
      <label htmlFor="first-login-key">Private key file</label>
      <input
        id="first-login-key"
        type="file"
        required={!loaded}
        aria-describedby="first-login-key-hint"
        onChange={async (event) => {
          const file = event.target.files?.[0];
          onFile(file ? await file.text() : null);
          setLoaded(file ? file.name : null);
        }}
      />
      <p className="field-hint" id="first-login-key-hint" role="status">
        {loaded
          ? `Loaded ${loaded}; it is sent when you add the server and not shown.`
          : 'OpenSSH or PEM, without a passphrase.'}
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewProviderAccount, ProviderAccount, ProviderKind } from '../../api/types';
import { Button } from '../../components/Button';
import { CopyCode } from '../../components/CopyCode';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue, oneOf } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { orgKey } from '../org/queries';

const FIELDS = [
  'name',
  'region',
  'accessKeyId',
  'secretAccessKey',
  'roleArn',
  'endpoint',
  'zone',
  'baseUrl',
  'user',
  'secretKey',
  'dialect',
] as const;
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
];
const DIALECTS = ['2.0', '1.0', 'cloudsigma-1.0'] as const;

type Ec2Auth = 'keys' | 'role';
type Where = 'zone' | 'url';

/** The request body from the form, with only the fields that apply (the API refuses the others). */
function bodyFrom(data: FormData, provider: ProviderKind, auth: Ec2Auth, where: Where): NewProviderAccount {
  const v = (name: string) => formValue(data, name).trim();
  const opt = (name: string) => (v(name) ? { [name]: v(name) } : {});
  if (provider === 'ec2') {
    return {
      provider,
      name: v('name'),
      region: v('region'),
      ...opt('endpoint'),
      ...(auth === 'role'
        ? { roleArn: v('roleArn') }
        : { accessKeyId: v('accessKeyId'), secretAccessKey: formValue(data, 'secretAccessKey') }),
    };
  }
  return {
    provider,
    name: v('name'),
    ...(where === 'zone' ? { zone: v('zone') } : { baseUrl: v('baseUrl') }),
    user: v('user'),
    secretKey: formValue(data, 'secretKey'),
    dialect: oneOf(v('dialect'), DIALECTS, '2.0'),
  };
}

/**
 * Connects an AWS or ElasticHosts account. Steward checks the credentials with the provider before storing
 * anything, so the answer says at once whether they work; the secret fields are password fields read at
 * submit time (never React state, never the mutation's variables) and cleared on success.
 */
export function ConnectAccount({ orgId }: { orgId: string }) {
  const id = useId();
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const [provider, setProvider] = useState<ProviderKind>('ec2');
  const [auth, setAuth] = useState<Ec2Auth>('keys');
  const [where, setWhere] = useState<Where>('zone');
  const [connected, setConnected] = useState<ProviderAccount | null>(null);
  const connect = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/orgs/{orgId}/provider-accounts', {
          params: { path: { orgId } },
          body: bodyFrom(new FormData(form.current ?? undefined), provider, auth, where),
        }),
      ),
    onSuccess: async (account) => {
      form.current?.reset();
      setConnected(account);
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setConnected(null);
    connect.mutate();
  };
  const errors = formErrors(connect.error, FIELDS);
  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Connect a cloud account</h2>
      <form
        ref={form}
        method="post"
        onSubmit={submit}
        className="stack"
        aria-label="Connect a cloud account"
        key={provider}
      >
        <div className="choice-row" role="radiogroup" aria-label="Provider">
          <label className="choice">
            <input type="radio" name="provider" checked={provider === 'ec2'} onChange={() => setProvider('ec2')} />{' '}
            Amazon EC2
          </label>
          <label className="choice">
            <input
              type="radio"
              name="provider"
              checked={provider === 'elastichosts'}
              onChange={() => setProvider('elastichosts')}
            />{' '}
            ElasticHosts (ElasticStack)
          </label>
        </div>
        <TextField
          label="Name"
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          hint="How you will recognise it, e.g. “Production AWS”."
          error={errors.field.name}
        />
        {provider === 'ec2' ? (
          <>
            <div className="grid-2">
              <TextField
                label="Region"
                name="region"
                required
                defaultValue="eu-west-1"
                list={`${id}-regions`}
                spellCheck={false}
                autoComplete="off"
                error={errors.field.region}
              />
              <datalist id={`${id}-regions`}>
                {REGIONS.map((r) => (
                  <option key={r} value={r} />
                ))}
              </datalist>
            </div>
            <div className="choice-row" role="radiogroup" aria-label="How Steward signs in to AWS">
              <label className="choice">
                <input type="radio" name="auth" checked={auth === 'keys'} onChange={() => setAuth('keys')} /> An access
                key pair
              </label>
              <label className="choice">
                <input type="radio" name="auth" checked={auth === 'role'} onChange={() => setAuth('role')} /> A role
                Steward assumes
              </label>
            </div>
            {auth === 'keys' ? (
              <div className="grid-2">
                <TextField
                  label="Access key id"
                  name="accessKeyId"
                  required
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="AKIA…"
                  hint="Shown afterwards only by its last four characters."
                  error={errors.field.accessKeyId}
                />
                <TextField
                  label="Secret access key"
                  name="secretAccessKey"
                  type="password"
                  required
                  autoComplete="off"
                  spellCheck={false}
                  hint="Sealed in the vault; never shown again."
                  error={errors.field.secretAccessKey}
                />
              </div>
            ) : (
              <>
                <TextField
                  label="Role ARN"
                  name="roleArn"
                  required
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="arn:aws:iam::123456789012:role/steward"
                  error={errors.field.roleArn}
                />
                <p className="muted small">
                  The role’s trust policy must require this external id, your organisation’s id:
                </p>
                <CopyCode label="External id for the role’s trust policy" code={orgId} />
              </>
            )}
            <details>
              <summary>Custom endpoint</summary>
              <TextField
                label="EC2 endpoint"
                name="endpoint"
                type="url"
                spellCheck={false}
                autoComplete="off"
                placeholder="https://ec2.example.com"
                hint="For EC2-compatible clouds. Must be https; plain http is accepted only for the sandbox on Steward’s machine."
                error={errors.field.endpoint}
              />
            </details>
          </>
        ) : (
          <>
            <div className="choice-row" role="radiogroup" aria-label="Where the ElasticStack API is">
              <label className="choice">
                <input type="radio" name="where" checked={where === 'zone'} onChange={() => setWhere('zone')} /> An
                ElasticHosts zone
              </label>
              <label className="choice">
                <input type="radio" name="where" checked={where === 'url'} onChange={() => setWhere('url')} /> An API
                address
              </label>
            </div>
            <div className="grid-2">
              {where === 'zone' ? (
                <TextField
                  label="Zone"
                  name="zone"
                  required
                  placeholder="lon-p"
                  pattern="[a-z0-9][a-z0-9\-]{0,39}"
                  spellCheck={false}
                  autoComplete="off"
                  error={errors.field.zone}
                />
              ) : (
                <TextField
                  label="API base URL"
                  name="baseUrl"
                  type="url"
                  required
                  placeholder="https://api-lon-p.elastichosts.com"
                  spellCheck={false}
                  autoComplete="off"
                  error={errors.field.baseUrl}
                />
              )}
              <SelectField label="API dialect" name="dialect" defaultValue="2.0" error={errors.field.dialect}>
                {DIALECTS.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </SelectField>
            </div>
            <div className="grid-2">
              <TextField
                label="User UUID"
                name="user"
                required
                spellCheck={false}
                autoComplete="off"
                hint="Shown afterwards only by its last four characters."
                error={errors.field.user}
              />
              <TextField
                label="Secret API key"
                name="secretKey"
                type="password"
                required
                autoComplete="off"
                spellCheck={false}
                hint="Sealed in the vault; never shown again."
                error={errors.field.secretKey}
              />
            </div>
          </>
        )}
        <ErrorNotice error={errors.form} title="The account was not connected" />
        {connected && (
          <Success>
            “{connected.name}” is connected{connected.externalAccount ? ` (account ${connected.externalAccount})` : ''}.
            Its credentials are sealed; the hint is {connected.hint}.
          </Success>
        )}
        <div>
          <Button type="submit" variant="primary" busy={connect.isPending} busyLabel="Checking with the provider">
            Connect account
          </Button>
        </div>
      </form>
    </section>
  );
}

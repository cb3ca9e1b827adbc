import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { QueryState } from '../../components/QueryState';
import { formErrors } from '../../components/formErrors';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { stepIsValid, WizardSteps } from '../../components/WizardSteps';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { PROVIDER_LABEL } from '../providers/ProviderAccounts';
import { useAccounts, useCatalog } from '../providers/queries';

const STEPS = ['Account', 'Size and place', 'Image', 'Review'] as const;
const FIELDS = ['name', 'sizeId', 'imageId', 'locationId', 'sshUser', 'token'] as const;
const FIELD_STEP: Record<(typeof FIELDS)[number], number> = {
  name: 3,
  sizeId: 1,
  imageId: 2,
  locationId: 1,
  sshUser: 3,
  token: 3,
};
const DEFAULT_IMAGE_NAME = '*debian-12*';

/** A fresh idempotency token: repeating the same launch (a double click, a retry after a dropped answer) returns the first one. */
const newToken = () => `console-${crypto.randomUUID()}`;

/**
 * Launches an instance in a connected account with the organisation's SSH key. The launch token is made when
 * the wizard opens, so sending the same launch twice never makes two instances. Then the launch's own page
 * follows it through its stages.
 */
export function LaunchWizard() {
  const org = useOrg();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const accounts = useAccounts(org.id);
  const [step, setStep] = useState(0);
  // What the person chose; until they choose, or when the catalogue lacks their choice, the first one offered.
  const [chosenAccount, setAccountId] = useState(params.get('account') ?? '');
  const [chosenLocation, setLocationId] = useState('');
  const [chosenSize, setSizeId] = useState('');
  const [imageName, setImageName] = useState(DEFAULT_IMAGE_NAME);
  const [searched, setSearched] = useState(DEFAULT_IMAGE_NAME);
  const [chosenImage, setImageId] = useState('');
  const [name, setName] = useState('');
  const [sshUser, setSshUser] = useState('root');
  const [token] = useState(newToken);
  const steps = useRef<(HTMLFieldSetElement | null)[]>([]);
  const accountId = chosenAccount || accounts.data?.[0]?.id || '';
  const account = accounts.data?.find((a) => a.id === accountId);
  const ec2 = account?.provider === 'ec2';
  const catalog = useCatalog(org.id, accountId || undefined, ec2 ? searched : undefined);

  const c = catalog.data;
  const sizeId = c && !c.sizes.some((s) => s.id === chosenSize) ? (c.sizes[0]?.id ?? '') : chosenSize;
  const locationId = c && !c.locations.some((l) => l.id === chosenLocation) ? '' : chosenLocation;
  const imageId = c && !c.images.some((i) => i.id === chosenImage) ? (c.images[0]?.id ?? '') : chosenImage;

  const launch = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances', {
          params: { path: { orgId: org.id, accountId } },
          body: {
            name: name.trim(),
            sizeId,
            imageId,
            sshUser: sshUser.trim() || 'root',
            token,
            ...(locationId ? { locationId } : {}),
          },
        }),
      ),
    onSuccess: async (l) => {
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'launches') });
      navigate(`/orgs/${org.id}/instances/launches/${l.accountId}/${encodeURIComponent(l.token)}`);
    },
    onError: (err) => {
      const f = FIELDS.find((field) => formErrors(err, FIELDS).field[field]);
      if (f) setStep(FIELD_STEP[f]);
    },
  });
  const errors = formErrors(launch.error, FIELDS);
  const go = (to: number) => {
    if (to > step && !stepIsValid(steps.current[step] ?? null)) return;
    setStep(to);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step < 3) go(step + 1);
    else if (stepIsValid(steps.current[3] ?? null)) launch.mutate();
  };

  if (accounts.isPending) return <Loading label="Loading cloud accounts" />;
  if (accounts.data?.length === 0) {
    return (
      <>
        <PageHeader title="Launch an instance" />
        <div className="empty">
          <p className="empty-title">Connect a cloud account first</p>
          <p>
            <Link to={`/orgs/${org.id}/providers`}>Connect an AWS or ElasticHosts account</Link>, or the sandbox clouds
            on this machine.
          </p>
        </div>
      </>
    );
  }
  const size = catalog.data?.sizes.find((s) => s.id === sizeId);
  const image = catalog.data?.images.find((i) => i.id === imageId);
  return (
    <>
      <PageHeader
        title="Launch an instance"
        description="Steward asks the provider for an instance with your organisation’s SSH key, logs in when it runs, pins its host key and discovers it."
      />
      <WizardSteps steps={STEPS} current={step} label="Steps to launch an instance" />
      <ErrorNotice error={accounts.error} title="Accounts could not be loaded" />
      <form
        method="post"
        noValidate
        onSubmit={submit}
        className="section card stack wizard"
        aria-label="Launch an instance"
      >
        <fieldset ref={(el) => void (steps.current[0] = el)} hidden={step !== 0} className="stack">
          <legend>Which account</legend>
          <SelectField
            label="Cloud account"
            value={accountId}
            onChange={(event) => setAccountId(event.target.value)}
            required
          >
            {accounts.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({PROVIDER_LABEL[a.provider]}
                {a.region ? `, ${a.region}` : ''})
              </option>
            ))}
          </SelectField>
        </fieldset>

        <fieldset ref={(el) => void (steps.current[1] = el)} hidden={step !== 1} className="stack">
          <legend>Size and place</legend>
          <QueryState
            query={catalog}
            loading="Asking the provider what it offers"
            failed="The provider’s offer could not be read"
          >
            {(data) => (
              <div className="grid-2">
                <SelectField
                  label="Size"
                  value={sizeId}
                  onChange={(event) => setSizeId(event.target.value)}
                  required
                  error={errors.field.sizeId}
                >
                  {data.sizes.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                      {s.vcpus ? ` · ${s.vcpus} vCPU` : ''} ·{' '}
                      {s.ramMiB >= 1024
                        ? `${(s.ramMiB / 1024).toFixed(s.ramMiB % 1024 ? 1 : 0)} GiB`
                        : `${s.ramMiB} MiB`}
                      {s.diskGiB ? ` · ${s.diskGiB} GiB disk` : ''}
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label={ec2 ? 'Availability zone' : 'Location'}
                  value={locationId}
                  onChange={(event) => setLocationId(event.target.value)}
                  error={errors.field.locationId}
                >
                  <option value="">Any (the provider chooses)</option>
                  {data.locations.map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.name}
                    </option>
                  ))}
                </SelectField>
              </div>
            )}
          </QueryState>
        </fieldset>

        <fieldset ref={(el) => void (steps.current[2] = el)} hidden={step !== 2} className="stack">
          <legend>Image</legend>
          {ec2 && (
            <div className="inline-form" role="search" aria-label="Find images">
              <TextField
                label="Image name"
                value={imageName}
                onChange={(event) => setImageName(event.target.value)}
                spellCheck={false}
                hint="A name pattern; * matches anything, e.g. debian-12-* or ubuntu*24.04*."
              />
              <Button onClick={() => setSearched(imageName.trim() || DEFAULT_IMAGE_NAME)}>Find images</Button>
            </div>
          )}
          {catalog.isFetching && <Loading label="Looking for images" />}
          {catalog.data && catalog.data.images.length === 0 && (
            <p className="notice notice-warn">
              No image matches {ec2 ? `“${searched}”` : 'in this account'}. {ec2 ? 'Try another pattern.' : ''}
            </p>
          )}
          {catalog.data && catalog.data.images.length > 0 && (
            <SelectField
              label="Image"
              value={imageId}
              onChange={(event) => setImageId(event.target.value)}
              required
              error={errors.field.imageId}
            >
              {catalog.data.images.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name} ({i.id})
                </option>
              ))}
            </SelectField>
          )}
        </fieldset>

        <fieldset ref={(el) => void (steps.current[3] = el)} hidden={step !== 3} className="stack">
          <legend>Name and review</legend>
          <div className="grid-2">
            <TextField
              label="Name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              required={step === 3}
              maxLength={100}
              autoComplete="off"
              hint="Also the instance’s name at the provider."
              error={errors.field.name}
            />
            <TextField
              label="SSH user"
              value={sshUser}
              onChange={(event) => setSshUser(event.target.value)}
              required
              maxLength={32}
              spellCheck={false}
              hint="The user the image lets your key log in as: root, admin (Debian), ubuntu (Ubuntu)."
              error={errors.field.sshUser}
            />
          </div>
          <dl className="facts">
            <dt>Account</dt>
            <dd>{account ? `${account.name} (${PROVIDER_LABEL[account.provider]})` : '—'}</dd>
            <dt>Size</dt>
            <dd>{size?.name ?? '—'}</dd>
            <dt>Where</dt>
            <dd>{catalog.data?.locations.find((l) => l.id === locationId)?.name ?? 'Chosen by the provider'}</dd>
            <dt>Image</dt>
            <dd>{image ? `${image.name} (${image.id})` : '—'}</dd>
          </dl>
          <p className="muted small">The provider may charge for the instance from now until you terminate it.</p>
        </fieldset>

        <ErrorNotice error={errors.form} title="The launch did not start" />
        <div className="wizard-actions">
          {step > 0 ? (
            <Button onClick={() => go(step - 1)}>Back</Button>
          ) : (
            <Link className="btn btn-ghost" to={`/orgs/${org.id}/instances`}>
              Cancel
            </Link>
          )}
          {step < 3 ? (
            <Button type="submit" variant="primary" disabled={step >= 1 && !catalog.data}>
              Next
            </Button>
          ) : (
            <Button
              type="submit"
              variant="primary"
              busy={launch.isPending}
              busyLabel="Launching"
              disabled={!sizeId || !imageId}
            >
              Launch
            </Button>
          )}
        </div>
      </form>
    </>
  );
}

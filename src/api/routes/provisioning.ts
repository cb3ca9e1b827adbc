import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { ELASTIC_DIALECTS } from '../../core/provisioning/provisioning.types.js';
import { Secret } from '../../kernel/secret.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';

const NODE_STATE = z.enum(['pending', 'running', 'stopping', 'stopped', 'terminated', 'unknown']);
const short = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)

    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

const Account = z
  .object({
    id: z.string(),
    provider: z.enum(['ec2', 'elastichosts']),
    name: z.string(),
    region: z.string(),
    endpoint: z.string().nullable(),
    auth: z.enum(['access_key', 'assume_role', 'basic']),
    hint: z
      .string()
      .describe('Recognises the credential without revealing it (last four characters of the key id or user)'),
    externalAccount: z.string(),
    principal: z.string(),
    roleArn: z.string().nullable(),
    dialect: z.string().nullable(),
    lastSyncAt: z.string().nullable(),
    lastSyncError: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ProviderAccount' });

const NewAccount = z.strictObject({
  provider: z.enum(['ec2', 'elastichosts']),
  name: text(100),
  region: short(40).optional().describe('EC2: the region, such as eu-west-1'),
  accessKeyId: short(128).optional().describe('EC2: access key id (with secretAccessKey)'),
  secretAccessKey: z.string().min(1).max(256).optional().describe('EC2: secret access key; write-only'),
  roleArn: short(2048)
    .optional()
    .describe('EC2: a role Steward assumes with your organisation id as external id (instead of keys)'),
  endpoint: short(500)
    .optional()
    .describe(
      'EC2: a custom endpoint (https; plain http only to a sandbox on Steward’s machine, when the operator allows it)',
    ),
  zone: short(40).optional().describe('ElasticHosts: a zone id such as lon-p'),
  baseUrl: short(500).optional().describe('ElasticHosts: the ElasticStack API base URL (instead of a zone)'),
  user: short(200).optional().describe('ElasticHosts: your user UUID'),
  secretKey: z.string().min(1).max(256).optional().describe('ElasticHosts: the secret API key; write-only'),
  dialect: z.enum(ELASTIC_DIALECTS).optional().describe('ElasticHosts: API dialect (default 2.0)'),
});

export const Instance = z
  .object({
    accountId: z.string(),
    accountName: z.string(),
    provider: z.enum(['ec2', 'elastichosts']),
    id: z.string(),
    name: z.string(),
    state: NODE_STATE,
    providerState: z.string().nullable(),
    publicIp: z.string().nullable(),
    privateIp: z.string().nullable(),
    sizeId: z.string().nullable(),
    imageId: z.string().nullable(),
    locationId: z.string().nullable(),
    server: z.object({ id: z.string(), status: z.string() }).nullable(),
    live: z.boolean().describe('False when the account could not be read now and this is the last status sync’s view'),
    seenAt: z.string(),
  })
  .meta({ id: 'Instance' });

const Listing = z.object({
  accountId: z.string(),
  name: z.string(),
  provider: z.string(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const Launch = z
  .object({
    accountId: z.string(),
    token: z.string(),
    name: z.string(),
    sizeId: z.string(),
    imageId: z.string(),
    locationId: z.string().nullable(),
    sshUser: z.string(),
    stage: z
      .enum(['queued', 'creating', 'waiting', 'adopted', 'enrolling', 'ready', 'failed'])
      .describe(
        'queued → creating → waiting (for running and an address) → enrolling (Steward logs in) → ready; or failed',
      ),
    instanceId: z.string().nullable(),
    address: z.string().nullable(),
    serverId: z.string().nullable(),
    jobId: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Launch' });

const NewLaunch = z.strictObject({
  name: text(100),
  sizeId: short(64).describe('EC2 instance type (t3.micro) or ElasticHosts size (small, or cpu2000-mem1024-disk20)'),
  imageId: short(128).describe('EC2 AMI id or ElasticHosts standard drive UUID'),
  locationId: short(64).optional().describe('EC2 availability zone; ElasticHosts: the account’s zone'),
  sshUser: z.string().min(1).max(32).default('root').describe('The user the image lets the injected key log in as'),
  token: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 letters, digits, _ . : or -')
    .optional()
    .describe('Idempotency token: repeating a launch with it returns the first launch'),
});

const StateChange = z
  .object({ accountId: z.string(), instanceId: z.string(), previous: NODE_STATE.nullable(), current: NODE_STATE })
  .meta({ id: 'InstanceStateChange' });
const Catalog = z.object({
  locations: z.array(z.object({ id: z.string(), name: z.string() })),
  sizes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      vcpus: z.number().nullable(),
      ramMiB: z.number(),
      diskGiB: z.number().nullable(),
    }),
  ),
  images: z.array(z.object({ id: z.string(), name: z.string() })),
});
const ServerRef = z.object({ id: z.string(), name: z.string(), address: z.string(), status: z.string() });

const AccountParams = OrgParams.extend({ accountId: idOf('acct') });
const InstanceParams = AccountParams.extend({
  instanceId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be the provider’s instance id'),
});
const LaunchParams = AccountParams.extend({
  launchToken: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a launch token'),
});

/** Provider accounts, their instances and launches. */
export function provisioningRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const p = core.provisioning;
  const tags = ['provisioning'];

  r.get(
    '/api/orgs/:orgId/provider-accounts',
    {
      schema: {
        tags,
        summary: 'Connected cloud provider accounts (credentials are never shown, only a hint)',
        params: OrgParams,
        response: { 200: z.object({ accounts: z.array(Account) }), ...errors },
      },
    },
    async (request) => ({
      accounts: await p.accounts.listAccounts(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.post(
    '/api/orgs/:orgId/provider-accounts',
    {
      schema: {
        tags,
        summary: 'Connect an AWS or ElasticHosts account: the credentials are checked with the provider, then sealed',
        params: OrgParams,
        body: NewAccount,
        response: { 201: Account, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const secret = (v: string | undefined) => (v === undefined ? undefined : new Secret(v));
      const view = await p.accounts.connectAccount(
        requireActor(request),
        request.params.orgId,
        { ...b, secretAccessKey: secret(b.secretAccessKey), secretKey: secret(b.secretKey) },
        contextOf(request),
      );
      return reply.code(201).send(view);
    },
  );

  r.get(
    '/api/orgs/:orgId/provider-accounts/:accountId',
    { schema: { tags, summary: 'One provider account', params: AccountParams, response: { 200: Account, ...errors } } },
    async (request) =>
      p.accounts.getAccount(requireActor(request), request.params.orgId, request.params.accountId, contextOf(request)),
  );

  r.delete(
    '/api/orgs/:orgId/provider-accounts/:accountId',
    {
      schema: {
        tags,
        summary: 'Remove an account and its sealed credentials (refused while it has servers, unless force)',
        params: AccountParams,
        querystring: z.strictObject({ force: z.enum(['true', 'false']).default('false') }),
        response: { 200: Account, ...errors },
      },
    },
    async (request) =>
      p.accounts.removeAccount(
        requireActor(request),
        request.params.orgId,
        request.params.accountId,
        { force: request.query.force === 'true' },
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/provider-accounts/:accountId/catalog',
    {
      schema: {
        tags,
        summary:
          'Locations, sizes and images to launch with (EC2 images only with an imageName pattern, such as debian-12-*)',
        params: AccountParams,
        querystring: z.strictObject({ imageName: short(128).optional() }),
        response: { 200: Catalog, ...errors },
      },
    },
    async (request) => {
      const c = await p.accounts.accountCatalog(
        requireActor(request),
        request.params.orgId,
        request.params.accountId,
        request.query,
        contextOf(request),
      );
      return {
        locations: c.locations.map((l) => ({ id: l.id, name: l.name })),
        sizes: c.sizes.map((s) => ({
          id: s.id,
          name: s.name,
          vcpus: s.vcpus ?? null,
          ramMiB: s.ramMiB,
          diskGiB: s.diskGiB ?? null,
        })),
        images: c.images.map((i) => ({ id: i.id, name: i.name })),
      };
    },
  );

  r.get(
    '/api/orgs/:orgId/instances',
    {
      schema: {
        tags,
        summary: 'Every instance in every connected account (an account that cannot be read is reported, not fatal)',
        params: OrgParams,
        response: { 200: z.object({ instances: z.array(Instance), accounts: z.array(Listing) }), ...errors },
      },
    },
    async (request) => p.instances.listInstances(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.post(
    '/api/orgs/:orgId/provider-accounts/:accountId/instances',
    {
      schema: {
        tags,
        summary:
          'Launch an instance with the organisation’s SSH key; it joins the servers inventory when it runs (follow the launch or its job)',
        params: AccountParams,
        body: NewLaunch,
        response: { 200: Launch, 202: Launch, ...errors },
      },
    },
    async (request, reply) => {
      const { launch, repeated } = await p.launches.launchInstance(
        requireActor(request),
        request.params.orgId,
        request.params.accountId,
        request.body,
        contextOf(request),
      );
      return reply.code(repeated ? 200 : 202).send(launch);
    },
  );

  r.get(
    '/api/orgs/:orgId/launches',
    {
      schema: {
        tags,
        summary: 'Recent launches and where each one is',
        params: OrgParams,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ launches: z.array(Launch) }), ...errors },
      },
    },
    async (request) => ({
      launches: await p.launches.listLaunches(
        requireActor(request),
        request.params.orgId,
        request.query.limit,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/provider-accounts/:accountId/launches/:launchToken',
    {
      schema: {
        tags,
        summary: 'One launch and where it is',
        params: LaunchParams,
        response: { 200: Launch, ...errors },
      },
    },
    async (request) =>
      p.launches.getLaunch(
        requireActor(request),
        request.params.orgId,
        request.params.accountId,
        request.params.launchToken,
        contextOf(request),
      ),
  );

  for (const action of ['start', 'stop', 'reboot'] as const) {
    r.post(
      `/api/orgs/:orgId/provider-accounts/:accountId/instances/:instanceId/${action}`,
      {
        schema: {
          tags,
          summary: `Ask the provider to ${action} an instance`,
          params: InstanceParams,
          body: z.strictObject({}).nullish(),
          response: { 202: StateChange, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(202).send(
          await p.instances.changeInstance({
            actor: requireActor(request),
            orgId: request.params.orgId,
            accountId: request.params.accountId,
            nodeId: request.params.instanceId,
            action,
            ctx: contextOf(request),
          }),
        ),
    );
  }

  r.post(
    '/api/orgs/:orgId/provider-accounts/:accountId/instances/:instanceId/terminate',
    {
      schema: {
        tags,
        summary: 'Terminate an instance (irreversible: confirm must be its id or name); its server is forgotten',
        params: InstanceParams,
        body: z.strictObject({ confirm: z.string().min(1).max(200).describe('The instance’s id or name') }),
        response: { 202: StateChange, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(
        await p.instances.terminateInstance({
          actor: requireActor(request),
          orgId: request.params.orgId,
          accountId: request.params.accountId,
          nodeId: request.params.instanceId,
          confirm: request.body.confirm,
          ctx: contextOf(request),
        }),
      ),
  );

  r.post(
    '/api/orgs/:orgId/provider-accounts/:accountId/instances/:instanceId/import',
    {
      schema: {
        tags,
        summary: 'Import an existing instance into the servers inventory (it must accept the organisation’s SSH key)',
        params: InstanceParams,
        body: z.strictObject({
          name: text(100).optional(),
          sshUser: z.string().min(1).max(32).default('root'),
          trustFirstContact: z
            .boolean()
            .optional()
            .describe('Accept the host key presented at first contact when the provider reports none'),
        }),
        response: { 202: ServerRef, ...errors },
      },
    },
    async (request, reply) => {
      const s = await p.instances.importInstance({
        actor: requireActor(request),
        orgId: request.params.orgId,
        accountId: request.params.accountId,
        nodeId: request.params.instanceId,
        input: request.body,
        ctx: contextOf(request),
      });
      return reply.code(202).send({ id: s.id, name: s.name, address: s.address, status: s.status });
    },
  );
}

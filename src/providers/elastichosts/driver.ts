import type { ComputeDriver } from '../driver.js';
import { NotFoundError, ProviderError } from '../errors.js';
import { abortableSleep } from '../rate-limit.js';
import { parsePublicKey } from '../ssh-key.js';
import type {
  CallOptions,
  CreateNodeInput,
  CredentialCheck,
  DriverCapabilities,
  Image,
  KeyPair,
  ListImagesFilter,
  ListNodesFilter,
  Location,
  Node,
  Size,
  StateChange,
  StopOptions,
} from '../types.js';
import type { ElasticSettings } from './config.js';
import { createNode, findServerByToken } from './create-node.js';
import { standardDrivesPath, stopBeforeDestroy } from './dialect.js';
import { driveInfo, imageFromStandardDrive, META, nodeFromServer, serverDrives, type DriveInfo } from './mapper.js';
import { toSize } from './sizes.js';
import { ElasticTransport } from './transport.js';

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** An ElasticStack cloud (ElasticHosts, its licensees, CloudSigma 1.0) at one base URL. */
export class ElasticHostsDriver implements ComputeDriver {
  readonly provider = 'elastichosts' as const;
  readonly capabilities: DriverCapabilities = {
    keyPairs: 'inline',
    idempotency: 'lookup',
    paginatedListing: false,
    terminatedNodesVisible: false,
    forceStop: true,
    locations: 'zones',
  };
  readonly region: string;
  readonly #t: ElasticTransport;

  constructor(settings: ElasticSettings) {
    this.region = settings.zone.id;
    this.#t = new ElasticTransport(settings);
  }

  async validateCredentials(opts?: CallOptions): Promise<CredentialCheck> {
    await this.#t.ids({ method: 'GET', path: '/servers/list', retry: 'safe' }, opts);
    const user = this.#t.settings.credentials.user;
    return { accountId: user, principal: user };
  }

  async listLocations(): Promise<Location[]> {
    const { zone, baseUrl } = this.#t.settings;
    return [
      {
        id: zone.id,
        name: zone.name,
        ...(zone.country === undefined ? {} : { country: zone.country }),
        extra: { baseUrl: baseUrl.toString() },
      },
    ];
  }

  async listSizes(): Promise<Size[]> {
    return this.#t.settings.sizes.map(toSize);
  }

  async listImages(filter?: ListImagesFilter, opts?: CallOptions): Promise<Image[]> {
    const records = await this.#t.records(
      { method: 'GET', path: standardDrivesPath(this.#t.settings.dialect), retry: 'safe' },
      opts,
    );
    const name = filter?.name === undefined ? undefined : wildcard(filter.name);
    return records
      .map(imageFromStandardDrive)
      .filter((i): i is Image => i !== undefined)
      .filter(
        (i) => (filter?.ids === undefined || filter.ids.includes(i.id)) && (name === undefined || name.test(i.name)),
      );
  }

  async listNodes(filter?: ListNodesFilter, opts?: CallOptions): Promise<Node[]> {
    const { zone, sizes } = this.#t.settings;
    const records = await this.#t.records({ method: 'GET', path: '/servers/info', retry: 'safe' }, opts);
    return records
      .filter((r) => Object.entries(filter?.tags ?? {}).every(([k, v]) => r[`user:${k}`] === v))
      .map((r) => nodeFromServer(r, zone.id, sizes))
      .filter(
        (n) =>
          (filter?.ids === undefined || filter.ids.includes(n.id)) &&
          (filter?.states === undefined || filter.states.includes(n.state)) &&
          (filter?.name === undefined || filter.name === n.name),
      );
  }

  async getNode(id: string, opts?: CallOptions): Promise<Node> {
    const [record] = await this.#t.records(
      { method: 'GET', path: `/servers/${this.#id(id)}/info`, retry: 'safe' },
      opts,
    );
    if (record === undefined)
      throw new NotFoundError(`ElasticHosts has no server ${id}.`, { provider: 'elastichosts', operation: 'getNode' });
    return nodeFromServer(record, this.#t.settings.zone.id, this.#t.settings.sizes);
  }

  createNode(input: CreateNodeInput, opts?: CallOptions): Promise<Node> {
    return createNode(this.#t, input, opts);
  }

  /** Provider-only: the account's drives. */
  async listDrives(opts?: CallOptions): Promise<DriveInfo[]> {
    return (await this.#t.records({ method: 'GET', path: '/drives/info', retry: 'safe' }, opts)).map(driveInfo);
  }

  /** Provider-only: the server launched with this token, if any. */
  async findNodeByToken(token: string, opts?: CallOptions): Promise<Node | undefined> {
    const record = await findServerByToken(this.#t, token, opts);
    return record === undefined ? undefined : nodeFromServer(record, this.#t.settings.zone.id, this.#t.settings.sizes);
  }

  async startNode(id: string, opts?: CallOptions): Promise<StateChange> {
    await this.#t.command({ method: 'POST', path: `/servers/${this.#id(id)}/start`, retry: 'safe' }, opts);
    return { nodeId: id, previous: 'stopped', current: 'running' };
  }

  /** A graceful stop sends ACPI shutdown (the guest decides when); `force` powers off at once. */
  async stopNode(id: string, opts?: StopOptions): Promise<StateChange> {
    const verb = opts?.force === true ? 'stop' : 'shutdown';
    await this.#t.command({ method: 'POST', path: `/servers/${this.#id(id)}/${verb}`, retry: 'safe' }, opts);
    return { nodeId: id, previous: 'running', current: opts?.force === true ? 'stopped' : 'stopping' };
  }

  /**
   * `GET /servers/{uuid}/console`: the serial console as one record (`server`, `console`). The call is the sandbox's
   * (docs/sandbox-clouds.md); a platform without it answers 404, which reaches the caller as NotFoundError.
   */
  async consoleOutput(id: string, opts?: CallOptions): Promise<string | undefined> {
    const [record] = await this.#t.records(
      { method: 'GET', path: `/servers/${this.#id(id)}/console`, retry: 'safe' },
      opts,
    );
    const text = record?.['console'];
    return text === undefined || text === '' ? undefined : text;
  }

  async rebootNode(id: string, opts?: CallOptions): Promise<void> {
    await this.#t.command({ method: 'POST', path: `/servers/${this.#id(id)}/reset`, retry: 'safe' }, opts);
  }

  /** Destroys the server, then the drives the driver created for it (matched by launch token, never others). */
  async destroyNode(id: string, opts?: CallOptions): Promise<StateChange> {
    const path = `/servers/${this.#id(id)}`;
    const [record] = await this.#t.records({ method: 'GET', path: `${path}/info`, retry: 'safe' }, opts);
    if (record === undefined)
      throw new NotFoundError(`ElasticHosts has no server ${id}.`, {
        provider: 'elastichosts',
        operation: 'destroyNode',
      });
    const previous = nodeFromServer(record, this.#t.settings.zone.id, this.#t.settings.sizes).state;
    if (stopBeforeDestroy(this.#t.settings.dialect) && record['status'] === 'active') {
      await this.#t.command({ method: 'POST', path: `${path}/stop`, retry: 'safe' }, opts);
    }
    await this.#t.command({ method: 'POST', path: `${path}/destroy`, retry: 'safe' }, opts);
    const token = record[META.token];
    if (token !== undefined) {
      for (const driveId of new Set(Object.values(serverDrives(record))))
        await this.#destroyOwnDrive(driveId, token, opts);
    }
    return { nodeId: id, previous, current: 'terminated' };
  }

  async importKeyPair(name: string, publicKey: string): Promise<KeyPair> {
    const key = parsePublicKey(publicKey, 'elastichosts');
    return { name, fingerprint: key.sha256, extra: { inline: true, type: key.type } };
  }

  // Drives stay claimed for a moment after their server goes; a few short waits cover that.
  async #destroyOwnDrive(driveId: string, token: string, opts?: CallOptions): Promise<void> {
    const sleep = this.#t.settings.sleep ?? abortableSleep;
    for (let attempt = 0; ; attempt++) {
      try {
        const [record] = await this.#t.records(
          { method: 'GET', path: `/drives/${this.#id(driveId)}/info`, retry: 'safe' },
          opts,
        );
        if (record === undefined || driveInfo(record).token !== token) return;
        await this.#t.command({ method: 'POST', path: `/drives/${this.#id(driveId)}/destroy`, retry: 'safe' }, opts);
        return;
      } catch (err) {
        if (err instanceof ProviderError && err.code === 'STEWARD_PROVIDER_NOT_FOUND') return;
        const busy = err instanceof ProviderError && err.providerCode === 'busy';
        if (!busy || attempt >= 5) throw err;
        await sleep(this.#t.settings.imagingPollMs, opts?.signal);
      }
    }
  }

  // Ids go into URL paths; anything but an id is refused before it can change the path.
  #id(id: string): string {
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(id))
      throw new NotFoundError(`"${id.slice(0, 64)}" is not an ElasticHosts id.`, { provider: 'elastichosts' });
    return id;
  }
}

import {
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  GetConsoleOutputCommand,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type InstanceStateChange,
} from '@aws-sdk/client-ec2';
import type { ComputeDriver } from '../driver.js';
import { MalformedResponseError, NotFoundError } from '../errors.js';
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
import { Ec2Transport } from './client.js';
import type { Ec2Settings } from './config.js';
import { instanceFilters } from './filters.js';
import { importKeyPair } from './key-pairs.js';
import { launchInstance } from './launch.js';
import {
  imageFromEc2,
  keyPairFromEc2,
  locationFromRegion,
  locationFromZone,
  nodesFromReservations,
  sizeFromInstanceType,
  stateChangeOf,
} from './mapper.js';
import { collectPages } from './paginate.js';

/** Amazon EC2 in one region, through the official AWS SDK. */
export class Ec2Driver implements ComputeDriver {
  readonly provider = 'ec2' as const;
  readonly capabilities: DriverCapabilities = {
    keyPairs: 'stored',
    idempotency: 'native',
    paginatedListing: true,
    terminatedNodesVisible: true,
    forceStop: true,
    locations: 'availability-zones',
  };
  readonly region: string;
  readonly #t: Ec2Transport;

  constructor(settings: Ec2Settings) {
    this.region = settings.region;
    this.#t = new Ec2Transport(settings);
  }

  async validateCredentials(opts?: CallOptions): Promise<CredentialCheck> {
    const who = await this.#t.callerIdentity(opts);
    await this.#t.ec2('DescribeRegions', opts, (c, o) =>
      c.send(new DescribeRegionsCommand({ RegionNames: [this.region] }), o),
    );
    if (who.Account === undefined || who.Arn === undefined) {
      throw new MalformedResponseError(
        'sts:GetCallerIdentity answered without an account.',
        { provider: 'ec2', operation: 'sts:GetCallerIdentity' },
        '',
      );
    }
    return { accountId: who.Account, principal: who.Arn };
  }

  /** Provider-only: every region the account can use. */
  async listRegions(opts?: CallOptions): Promise<Location[]> {
    const out = await this.#t.ec2('DescribeRegions', opts, (c, o) => c.send(new DescribeRegionsCommand({}), o));
    return (out.Regions ?? []).map(locationFromRegion);
  }

  async listLocations(opts?: CallOptions): Promise<Location[]> {
    const out = await this.#t.ec2('DescribeAvailabilityZones', opts, (c, o) =>
      c.send(new DescribeAvailabilityZonesCommand({}), o),
    );
    return (out.AvailabilityZones ?? []).map(locationFromZone);
  }

  async listSizes(opts?: CallOptions): Promise<Size[]> {
    const types = await collectPages('DescribeInstanceTypes', async (token) => {
      const command = new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken: token });
      const out = await this.#t.ec2('DescribeInstanceTypes', opts, (c, o) => c.send(command, o));
      return { items: out.InstanceTypes ?? [], next: out.NextToken };
    });
    return types.map(sizeFromInstanceType);
  }

  async listImages(filter?: ListImagesFilter, opts?: CallOptions): Promise<Image[]> {
    const ids = filter?.ids === undefined ? undefined : [...filter.ids];
    const owners = [...(filter?.owners ?? (ids === undefined ? this.#t.settings.imageOwners : []))];
    const images = await collectPages('DescribeImages', async (token) => {
      const command = new DescribeImagesCommand({
        ImageIds: ids,
        Owners: owners.length === 0 ? undefined : owners,
        Filters: filter?.name === undefined ? undefined : [{ Name: 'name', Values: [filter.name] }],
        // EC2 refuses MaxResults together with ImageIds.
        ...(ids === undefined ? { MaxResults: this.#t.settings.pageSize, NextToken: token } : {}),
      });
      const out = await this.#t.ec2('DescribeImages', opts, (c, o) => c.send(command, o));
      return { items: out.Images ?? [], next: out.NextToken };
    });
    return images.map(imageFromEc2);
  }

  async listNodes(filter?: ListNodesFilter, opts?: CallOptions): Promise<Node[]> {
    const filters = instanceFilters(filter);
    if (filters.some((f) => f.Values?.length === 0)) return [];
    // Mapping inside the request lets a refused answer carry its body (the transport kept it).
    return collectPages('DescribeInstances', (token) =>
      this.#t.ec2('DescribeInstances', opts, async (c, o) => {
        const command = new DescribeInstancesCommand({
          Filters: filters.length === 0 ? undefined : filters,
          MaxResults: this.#t.settings.pageSize,
          NextToken: token,
        });
        const out = await c.send(command, o);
        return { items: nodesFromReservations(out.Reservations), next: out.NextToken };
      }),
    );
  }

  async getNode(id: string, opts?: CallOptions): Promise<Node> {
    const nodes = await this.#t.ec2('DescribeInstances', opts, async (c, o) =>
      nodesFromReservations((await c.send(new DescribeInstancesCommand({ InstanceIds: [id] }), o)).Reservations),
    );
    const node = nodes.find((n) => n.id === id);
    if (node === undefined)
      throw new NotFoundError(`EC2 has no instance ${id} in ${this.region}.`, {
        provider: 'ec2',
        operation: 'DescribeInstances',
      });
    return node;
  }

  createNode(input: CreateNodeInput, opts?: CallOptions): Promise<Node> {
    return launchInstance(this.#t, input, opts);
  }

  async startNode(id: string, opts?: CallOptions): Promise<StateChange> {
    const out = await this.#t.ec2('StartInstances', opts, (c, o) =>
      c.send(new StartInstancesCommand({ InstanceIds: [id] }), o),
    );
    return this.#change(id, out.StartingInstances, 'StartInstances');
  }

  async stopNode(id: string, opts?: StopOptions): Promise<StateChange> {
    const command = new StopInstancesCommand({ InstanceIds: [id], Force: opts?.force === true ? true : undefined });
    const out = await this.#t.ec2('StopInstances', opts, (c, o) => c.send(command, o));
    return this.#change(id, out.StoppingInstances, 'StopInstances');
  }

  async rebootNode(id: string, opts?: CallOptions): Promise<void> {
    await this.#t.ec2('RebootInstances', opts, (c, o) => c.send(new RebootInstancesCommand({ InstanceIds: [id] }), o));
  }

  /** EC2 keeps the last 64 KiB of serial output, base64 in the answer; it appears a little after the instance runs. */
  async consoleOutput(id: string, opts?: CallOptions): Promise<string | undefined> {
    const out = await this.#t.ec2('GetConsoleOutput', opts, (c, o) =>
      c.send(new GetConsoleOutputCommand({ InstanceId: id }), o),
    );
    if (out.Output === undefined || out.Output === '') return undefined;
    return Buffer.from(out.Output, 'base64').toString('utf8');
  }

  async destroyNode(id: string, opts?: CallOptions): Promise<StateChange> {
    const out = await this.#t.ec2('TerminateInstances', opts, (c, o) =>
      c.send(new TerminateInstancesCommand({ InstanceIds: [id] }), o),
    );
    const change = this.#change(id, out.TerminatingInstances, 'TerminateInstances');
    // Older answers name the new state `shutdownState`, which the SDK model does not read; a terminate can only
    // have left the instance shutting down (or already terminated).
    if (change.current !== 'unknown') return change;
    return { ...change, current: change.previous === 'terminated' ? 'terminated' : 'stopping' };
  }

  importKeyPair(name: string, publicKey: string, opts?: CallOptions): Promise<KeyPair> {
    return importKeyPair(this.#t, name, publicKey, opts);
  }

  /** Provider-only: the key pairs stored in this region (all, or those named). */
  async listKeyPairs(names?: readonly string[], opts?: CallOptions): Promise<KeyPair[]> {
    const command = new DescribeKeyPairsCommand({ KeyNames: names === undefined ? undefined : [...names] });
    const out = await this.#t.ec2('DescribeKeyPairs', opts, (c, o) => c.send(command, o));
    return (out.KeyPairs ?? []).map(keyPairFromEc2);
  }

  #change(id: string, changes: readonly InstanceStateChange[] | undefined, operation: string): StateChange {
    const change = changes?.find((c) => c.InstanceId === id);
    if (change === undefined) {
      throw new MalformedResponseError(
        `${operation} answered without instance ${id}.`,
        { provider: 'ec2', operation },
        '',
      );
    }
    return stateChangeOf(change);
  }
}

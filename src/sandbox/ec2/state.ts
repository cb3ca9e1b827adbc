import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { InstanceHost } from '../common/ports.js';
import { appendConsole, bootConsole } from '../common/console.js';
import { zonesOf } from './catalog.js';

export type Ec2StateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Record<Ec2StateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export const hexId = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

export interface SandboxInstance {
  readonly id: string;
  readonly region: string;
  readonly reservationId: string;
  readonly ownerId: string;
  readonly imageId: string;
  instanceType: string;
  readonly architecture: string;
  readonly keyName: string | undefined;
  readonly zone: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly privateIp: string;
  readonly launchTime: Date;
  readonly clientToken: string | undefined;
  readonly launchIndex: number;
  securityGroups: readonly { readonly id: string; readonly name: string }[];
  readonly tags: Map<string, string>;
  state: Ec2StateName;
  /** A state change under way: the instance becomes `state` at `atMs`. */
  next: { readonly state: Ec2StateName; readonly atMs: number } | undefined;
  reason: string;
  /** When the instance reached `terminated` (it disappears a while later). */
  terminatedAtMs: number | undefined;
  stateReason: { readonly code: string; readonly message: string } | undefined;
  host: InstanceHost | undefined;
  /** The root EBS volume, created with the instance and deleted when it terminates. */
  readonly rootVolume: RootVolume;
  /** The primary network interface (`eni-…`) and its MAC address. */
  readonly networkInterfaceId: string;
  readonly macAddress: string;
  /** Attributes DescribeInstanceAttribute shows and ModifyInstanceAttribute changes. */
  readonly attributes: InstanceAttributes;
  /** Serial console output so far (what GetConsoleOutput returns). */
  console: string;
  /** A boot whose console lines appear once the instance has had time to print them. */
  pendingBoot: { readonly text: string; readonly atMs: number } | undefined;
}

export interface RootVolume {
  readonly id: string;
  readonly sizeGiB: number;
  readonly device: string;
  readonly type: string;
  readonly attachTime: Date;
  readonly tags: Map<string, string>;
}

export interface InstanceAttributes {
  disableApiTermination: boolean;
  disableApiStop: boolean;
  shutdownBehavior: 'stop' | 'terminate';
  /** Base64, as RunInstances carried it. */
  userData: string | undefined;
  sourceDestCheck: boolean;
  ebsOptimized: boolean;
  /** T-family CPU credits. */
  cpuCredits: 'standard' | 'unlimited' | undefined;
}

export interface KeyPairRecord {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly type: 'rsa' | 'ed25519';
  readonly created: Date;
  /** The public key line, handed to instance hosts. */
  readonly publicKey: string;
  readonly tags: Map<string, string>;
}

export interface Permission {
  readonly protocol: string;
  readonly fromPort: number | undefined;
  readonly toPort: number | undefined;
  readonly cidrs: readonly { readonly cidr: string; readonly description: string | undefined }[];
}

export interface SecurityGroupRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly vpcId: string;
  readonly ownerId: string;
  readonly ingress: Permission[];
  readonly egress: Permission[];
  readonly tags: Map<string, string>;
}

/** One region of the sandbox account: its default VPC, instances, key pairs and security groups. */
export class RegionState {
  readonly vpcId = hexId('vpc');
  readonly subnets: ReadonlyMap<string, string>;
  /** Tags of the default VPC and of each default subnet (by subnet id). */
  readonly vpcTags = new Map<string, string>();
  readonly subnetTags = new Map<string, Map<string, string>>();
  /** Instances in launch order (DescribeInstances pages over this order). */
  readonly instances = new Map<string, SandboxInstance>();
  readonly keyPairs = new Map<string, KeyPairRecord>();
  readonly groups = new Map<string, SecurityGroupRecord>();
  /** RunInstances ClientToken → the reservation it made and a digest of the request. */
  readonly clientTokens = new Map<string, { readonly reservationId: string; readonly digest: string }>();
  #nextHost = 10;

  constructor(
    readonly name: string,
    ownerId: string,
  ) {
    this.subnets = new Map(zonesOf(name).map((z) => [z.name, hexId('subnet')]));
    for (const id of this.subnets.values()) this.subnetTags.set(id, new Map());
    const group: SecurityGroupRecord = {
      id: hexId('sg'),
      name: 'default',
      description: 'default VPC security group',
      vpcId: this.vpcId,
      ownerId,
      ingress: [],
      egress: [
        {
          protocol: '-1',
          fromPort: undefined,
          toPort: undefined,
          cidrs: [{ cidr: '0.0.0.0/0', description: undefined }],
        },
      ],
      tags: new Map(),
    };
    this.groups.set(group.id, group);
  }

  /** The default VPC's block; each zone's default subnet is one /20 of it, in zone order. */
  readonly vpcCidr = '172.31.0.0/16';

  subnetCidr(zone: string): string {
    return `172.31.${16 * Math.max(0, [...this.subnets.keys()].indexOf(zone))}.0/20`;
  }

  /** The next private address in the zone's default subnet. */
  nextPrivateIp(zone: string): string {
    const n = this.#nextHost++;
    const base = 16 * Math.max(0, [...this.subnets.keys()].indexOf(zone));
    return `172.31.${base + (Math.floor(n / 250) % 16)}.${(n % 250) + 4}`;
  }

  groupByName(name: string): SecurityGroupRecord | undefined {
    return [...this.groups.values()].find((g) => g.name === name);
  }
}

export interface WorldOptions {
  readonly clock: Clock;
  /** How long pending/stopping/shutting-down last. */
  readonly transitionMs: number;
  /** How long terminated instances stay visible. */
  readonly terminatedRetentionMs: number;
  readonly accountId: string;
}

/** Every region's state, and the clock-driven state machine of instances. */
export class Ec2World {
  readonly #regions = new Map<string, RegionState>();

  constructor(readonly options: WorldOptions) {}

  region(name: string): RegionState {
    let r = this.#regions.get(name);
    if (r === undefined) {
      r = new RegionState(name, this.options.accountId);
      this.#regions.set(name, r);
    }
    return r;
  }

  /** Brings instances up to date with the clock (they are only ever read through here). */
  settle(region: RegionState): void {
    const now = this.options.clock.nowMs();
    for (const inst of region.instances.values()) {
      if (inst.pendingBoot !== undefined && inst.pendingBoot.atMs <= now) {
        inst.console = appendConsole(inst.console, inst.pendingBoot.text);
        inst.pendingBoot = undefined;
      }
      if (inst.next !== undefined && inst.next.atMs <= now) {
        inst.state = inst.next.state;
        if (inst.state === 'terminated') inst.terminatedAtMs = inst.next.atMs;
        inst.next = undefined;
      }
      if (inst.terminatedAtMs !== undefined && inst.terminatedAtMs + this.options.terminatedRetentionMs <= now) {
        region.instances.delete(inst.id);
      }
    }
  }

  /** A boot's console lines, shown once the boot has had the transition time to print them. */
  boot(inst: SandboxInstance): void {
    if (inst.host === undefined) return;
    const text = bootConsole({
      hostname: hostnameOf(inst),
      hostKeys: inst.host.hostKeys,
      bootedAt: this.options.clock.now(),
    });
    if (inst.pendingBoot !== undefined) inst.console = appendConsole(inst.console, inst.pendingBoot.text);
    inst.pendingBoot = { text, atMs: this.options.clock.nowMs() + this.options.transitionMs };
  }

  /** Starts a transition: `via` now, `to` after the transition time. */
  move(inst: SandboxInstance, via: Ec2StateName, to: Ec2StateName): void {
    inst.state = via;
    inst.next = { state: to, atMs: this.options.clock.nowMs() + this.options.transitionMs };
  }
}

/** EC2's `reason` text for user-initiated changes. */
export function userInitiated(clock: Clock): string {
  return `User initiated (${clock.iso().slice(0, 19).replace('T', ' ')} GMT)`;
}

/** The host name an instance gives itself, from its private address (`ip-172-31-0-14`). */
export const hostnameOf = (inst: { readonly privateIp: string }): string => `ip-${inst.privateIp.replace(/\./g, '-')}`;

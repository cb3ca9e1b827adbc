/** What the sandbox EC2 offers: a few real region names, their zones, images and instance types. */

export interface RegionInfo {
  readonly name: string;
  /** Short form used in zone ids (`use1-az1`). */
  readonly short: string;
}

export const REGIONS: readonly RegionInfo[] = [
  { name: 'us-east-1', short: 'use1' },
  { name: 'us-west-2', short: 'usw2' },
  { name: 'eu-west-1', short: 'euw1' },
  { name: 'eu-central-1', short: 'euc1' },
  { name: 'ap-southeast-2', short: 'apse2' },
];

export interface ZoneInfo {
  readonly name: string;
  readonly id: string;
  readonly region: string;
}

export function zonesOf(region: string): ZoneInfo[] {
  const info = REGIONS.find((r) => r.name === region);
  if (info === undefined) return [];
  return ['a', 'b', 'c'].map((letter, i) => ({ name: `${region}${letter}`, id: `${info.short}-az${i + 1}`, region }));
}

export interface ImageInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly architecture: 'x86_64' | 'arm64';
  readonly ownerId: string;
  readonly ownerAlias: string;
  readonly created: string;
}

/** Owner of the sandbox's public images; shown with the alias `amazon` so default owner filters find them. */
export const IMAGE_OWNER = '000000000001';

// Every image boots the same sandbox SSH host; they differ in name so image choice can be exercised.
const image = (
  id: string,
  name: string,
  description: string,
  architecture: ImageInfo['architecture'],
  created: string,
): ImageInfo => ({ id, name, description, architecture, ownerId: IMAGE_OWNER, ownerAlias: 'amazon', created });

export const IMAGES: readonly ImageInfo[] = [
  image(
    'ami-0a5a4db0c0de00001',
    'sandbox-debian-12-amd64',
    'Debian 12 (sandbox)',
    'x86_64',
    '2025-06-01T00:00:00.000Z',
  ),
  image(
    'ami-0a5a4db0c0de00002',
    'sandbox-debian-12-arm64',
    'Debian 12 arm64 (sandbox)',
    'arm64',
    '2025-06-01T00:00:00.000Z',
  ),
  image(
    'ami-0a5a4db0c0de00003',
    'sandbox-ubuntu-24.04-amd64',
    'Ubuntu 24.04 LTS (sandbox)',
    'x86_64',
    '2025-07-01T00:00:00.000Z',
  ),
];

export interface InstanceTypeInfo {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly architectures: readonly ('x86_64' | 'arm64' | 'i386')[];
  readonly currentGeneration: boolean;
  readonly freeTier: boolean;
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  {
    name: 'm1.small',
    vcpus: 1,
    memoryMiB: 1740,
    architectures: ['i386', 'x86_64'],
    currentGeneration: false,
    freeTier: false,
  },
  {
    name: 't2.micro',
    vcpus: 1,
    memoryMiB: 1024,
    architectures: ['i386', 'x86_64'],
    currentGeneration: true,
    freeTier: true,
  },
  { name: 't3.micro', vcpus: 2, memoryMiB: 1024, architectures: ['x86_64'], currentGeneration: true, freeTier: true },
  { name: 't3.small', vcpus: 2, memoryMiB: 2048, architectures: ['x86_64'], currentGeneration: true, freeTier: false },
  { name: 't3.medium', vcpus: 2, memoryMiB: 4096, architectures: ['x86_64'], currentGeneration: true, freeTier: false },
  { name: 't4g.micro', vcpus: 2, memoryMiB: 1024, architectures: ['arm64'], currentGeneration: true, freeTier: true },
  { name: 'm5.large', vcpus: 2, memoryMiB: 8192, architectures: ['x86_64'], currentGeneration: true, freeTier: false },
  { name: 'c5.xlarge', vcpus: 4, memoryMiB: 8192, architectures: ['x86_64'], currentGeneration: true, freeTier: false },
];

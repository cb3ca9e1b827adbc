/** The sandbox's standard drives. Every disk image boots the same sandbox SSH host; names differ so choice is exercised. */
export interface StandardDrive {
  readonly id: string;
  readonly name: string;
  readonly media: 'disk' | 'cdrom';
  /** Compressed size in bytes (what `size` shows for a gzip image). */
  readonly size: number;
  readonly rawsize: number;
}

const GiB = 1024 ** 3;

export const STANDARD_DRIVES: readonly StandardDrive[] = [
  {
    id: '5a9d0b1e-0000-4000-8000-00000000d012',
    name: 'Debian 12 (sandbox)',
    media: 'disk',
    size: 310 * 1024 ** 2,
    rawsize: 2 * GiB,
  },
  {
    id: '5a9d0b1e-0000-4000-8000-0000000b2404',
    name: 'Ubuntu 24.04 LTS (sandbox)',
    media: 'disk',
    size: 420 * 1024 ** 2,
    rawsize: 3 * GiB,
  },
  {
    id: '5a9d0b1e-0000-4000-8000-00000000c012',
    name: 'Debian 12 netinst CD (sandbox)',
    media: 'cdrom',
    size: 650 * 1024 ** 2,
    rawsize: 650 * 1024 ** 2,
  },
];

/** Readers value meaning "everyone". */
export const EVERYONE = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

import type { Size } from '../types.js';

/** ElasticStack has no size catalogue: CPU (MHz), memory and disk are free numbers. These are our presets. */
export interface ElasticSize {
  readonly id: string;
  readonly name: string;
  readonly cpuMHz: number;
  readonly memMiB: number;
  readonly diskGiB: number;
}

export const DEFAULT_SIZES: readonly ElasticSize[] = [
  { id: 'small', name: 'Small (2 GHz, 1 GiB, 20 GiB disk)', cpuMHz: 2000, memMiB: 1024, diskGiB: 20 },
  { id: 'medium', name: 'Medium (4 GHz, 2 GiB, 40 GiB disk)', cpuMHz: 4000, memMiB: 2048, diskGiB: 40 },
  { id: 'large', name: 'Large (8 GHz, 4 GiB, 80 GiB disk)', cpuMHz: 8000, memMiB: 4096, diskGiB: 80 },
  { id: 'xlarge', name: 'Extra large (16 GHz, 8 GiB, 160 GiB disk)', cpuMHz: 16000, memMiB: 8192, diskGiB: 160 },
];

// Any other combination can be asked for by id: cpu2000-mem1024-disk20.
const CUSTOM = /^cpu(\d{3,5})-mem(\d{3,6})-disk(\d{1,5})$/;

/** The size for an id: a preset, or a custom `cpu<MHz>-mem<MiB>-disk<GiB>` within the platform's limits. */
export function resolveSize(id: string, sizes: readonly ElasticSize[]): ElasticSize | undefined {
  const preset = sizes.find((s) => s.id === id);
  if (preset !== undefined) return preset;
  const m = CUSTOM.exec(id);
  if (m === null) return undefined;
  const [cpuMHz, memMiB, diskGiB] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (cpuMHz < 500 || cpuMHz > 20000 || memMiB < 256 || memMiB > 65536 || diskGiB < 1 || diskGiB > 2048)
    return undefined;
  return { id, name: id, cpuMHz, memMiB, diskGiB };
}

/** The id a running server's CPU and memory correspond to (a preset if one matches). */
export function sizeIdFor(cpuMHz: number, memMiB: number, sizes: readonly ElasticSize[]): string {
  return sizes.find((s) => s.cpuMHz === cpuMHz && s.memMiB === memMiB)?.id ?? `cpu${cpuMHz}-mem${memMiB}`;
}

export function toSize(s: ElasticSize): Size {
  return {
    id: s.id,
    name: s.name,
    vcpus: undefined,
    ramMiB: s.memMiB,
    diskGiB: s.diskGiB,
    extra: { cpuMHz: s.cpuMHz },
  };
}

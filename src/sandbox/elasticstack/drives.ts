import { STANDARD_DRIVES } from './library.js';
import { busy, ElasticFault, missing, usage, type ElasticWorld } from './state.js';
import type { Row } from './wire.js';

const SETTABLE = /^(name|size|claim:type|readers|tags|avoid|encryption:cipher|tier|user:.+)$/;
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Drive sizes in bytes, or with a K/M/G/T suffix as some clients send them. */
export function parseSize(value: string | undefined): number {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(value?.trim() ?? '');
  if (m === null) throw usage(`size "${value ?? ''}" must be a number of bytes (K, M, G or T suffixes allowed)`);
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
  if (bytes < 1024 ** 2 || bytes > 4 * 1024 ** 4) throw usage('size must be between 1M and 4T');
  return bytes;
}

function applySettings(target: Map<string, string>, input: Row): void {
  for (const [k, v] of input) {
    if (k === 'name' || k === 'size') continue;
    if (!SETTABLE.test(k)) throw usage(`${k} is not a drive setting`);
    if (k === 'claim:type' && v !== 'exclusive' && v !== 'shared')
      throw usage('claim:type must be exclusive or shared');
    target.set(k, v);
  }
}

export function createDrive(world: ElasticWorld, input: Row): string {
  const name = input.get('name');
  if (name === undefined || name.trim() === '') throw usage('name is required');
  const size = parseSize(input.get('size'));
  const id = world.newId();
  const settings = new Map<string, string>();
  applySettings(settings, input);
  world.drives.set(id, { id, name, size, settings, imaging: undefined, claims: new Set() });
  return id;
}

export function setDrive(world: ElasticWorld, id: string, input: Row): void {
  const drive = world.drive(id);
  applySettings(drive.settings, input);
  const name = input.get('name');
  if (name !== undefined) drive.name = name;
  if (input.has('size')) {
    if (drive.claims.size > 0) throw busy(`Drive ${id} is in use and cannot be resized`);
    drive.size = parseSize(input.get('size'));
  }
}

export function destroyDrive(world: ElasticWorld, id: string): void {
  const drive = world.drive(id);
  if (drive.claims.size > 0) throw busy(`Drive ${id} is in use by a server`);
  if (world.imagingProgress(drive) !== undefined) throw busy(`Drive ${id} is being imaged`);
  world.drives.delete(id);
}

/** `/drives/{dest}/image/{source}[/gzip|gunzip]`: copies asynchronously; `imaging` shows progress. */
export function imageDrive(
  world: ElasticWorld,
  destId: string,
  sourceId: string,
  conversion: string | undefined,
): void {
  if (conversion !== undefined && conversion !== 'gzip' && conversion !== 'gunzip')
    throw missing(`Command image/${sourceId}/${conversion}`);
  const dest = world.drive(destId);
  const standard = STANDARD_DRIVES.find((d) => d.id === sourceId);
  const own = world.drives.get(sourceId);
  if (standard === undefined && own === undefined) throw missing(`Drive ${sourceId}`);
  if (conversion === 'gunzip' && standard !== undefined && standard.format !== 'gzip')
    throw usage(`Drive ${sourceId} is a ${standard.media} image, not gzip; image it without /gunzip`);
  if (dest.claims.size > 0) throw busy(`Drive ${destId} is in use by a server`);
  if (world.imagingProgress(dest) !== undefined) throw busy(`Drive ${destId} is already being imaged`);
  const needed = standard?.rawsize ?? own?.size ?? 0;
  if (dest.size < needed)
    throw new ElasticFault(507, 'full', `Drive ${destId} is smaller than the ${needed} bytes of ${sourceId}`);
  dest.imaging = { startMs: world.options.clock.nowMs(), source: sourceId };
}

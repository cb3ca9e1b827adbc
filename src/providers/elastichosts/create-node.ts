import { NotFoundError, ProviderUnavailableError, RequestRejectedError, UnsupportedOperationError } from '../errors.js';
import { abortableSleep } from '../rate-limit.js';
import { parsePublicKey } from '../ssh-key.js';
import type { CallOptions, CreateNodeInput, Node } from '../types.js';
import { standardDrivesPath } from './dialect.js';
import { driveInfo, imageFromStandardDrive, META, nodeFromServer, type DriveInfo } from './mapper.js';
import { resolveSize } from './sizes.js';
import type { ElasticTransport } from './transport.js';
import type { ElasticRecord } from './wire.js';

const TOKEN = /^[\x21-\x7e]{1,64}$/;
const TAG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const GiB = 1024 ** 3;

function reject(message: string): never {
  throw new RequestRejectedError(message, { provider: 'elastichosts', operation: 'createNode' });
}

function unavailable(message: string): never {
  throw new ProviderUnavailableError(message, { provider: 'elastichosts', operation: 'createNode' });
}

/** The server launched earlier with this token, if any (the platform has no idempotency of its own). */
export async function findServerByToken(
  t: ElasticTransport,
  token: string,
  opts?: CallOptions,
): Promise<ElasticRecord | undefined> {
  const servers = await t.records({ method: 'GET', path: '/servers/info', retry: 'safe' }, opts);
  return servers.find((s) => s[META.token] === token);
}

async function findDriveByToken(
  t: ElasticTransport,
  token: string,
  opts?: CallOptions,
): Promise<DriveInfo | undefined> {
  const drives = await t.records({ method: 'GET', path: '/drives/info', retry: 'safe' }, opts);
  return drives.map(driveInfo).find((d) => d.token === token && d.claimed.length === 0);
}

async function waitForImaging(t: ElasticTransport, driveId: string, opts?: CallOptions): Promise<void> {
  const { clock, imagingPollMs, imagingTimeoutMs } = t.settings;
  const sleep = t.settings.sleep ?? abortableSleep;
  const deadline = clock.nowMs() + imagingTimeoutMs;
  for (;;) {
    const [record] = await t.records({ method: 'GET', path: `/drives/${driveId}/info`, retry: 'safe' }, opts);
    const imaging = record === undefined ? undefined : driveInfo(record).imaging;
    if (record !== undefined && imaging === undefined) return;
    if (clock.nowMs() >= deadline) {
      unavailable(
        `Drive ${driveId} was still imaging (${imaging ?? 'unknown'}) after ${Math.round(imagingTimeoutMs / 1000)} s.`,
      );
    }
    await sleep(imagingPollMs, opts?.signal);
  }
}

/**
 * Launch: a drive imaged from a standard drive, then a persistent server booting from it with the SSH key in
 * its metadata. Idempotent by lookup: the token is stored on the server and the drive, so a repeat returns the
 * server, and a repeat after a half-finished attempt reuses the unattached drive instead of leaking another.
 */
export async function createNode(t: ElasticTransport, input: CreateNodeInput, opts?: CallOptions): Promise<Node> {
  const { settings } = t;
  if (!TOKEN.test(input.idempotencyToken)) reject('The idempotency token must be 1–64 printable ASCII characters.');
  if (input.name.trim() === '' || /[\r\n]/.test(input.name) || input.name.length > 128)
    reject('The server name must be 1–128 characters on one line.');
  const size =
    resolveSize(input.sizeId, settings.sizes) ??
    reject(`Unknown size "${input.sizeId.slice(0, 40)}"; use a listed size or cpu<MHz>-mem<MiB>-disk<GiB>.`);
  if (input.locationId !== undefined && input.locationId !== settings.zone.id) {
    reject(
      `This driver serves zone ${settings.zone.id}, not ${input.locationId.slice(0, 40)}; use a driver for that zone.`,
    );
  }
  if (input.userData !== undefined) {
    throw new UnsupportedOperationError('ElasticStack servers take no user data.', {
      provider: 'elastichosts',
      operation: 'createNode',
    });
  }
  const key = parsePublicKey(input.sshPublicKey, 'elastichosts');
  const tags = Object.entries(input.tags ?? {});
  for (const [k] of tags)
    if (!TAG_KEY.test(k)) reject(`The tag key "${k.slice(0, 40)}" must be letters, digits, _ . or -.`);

  const existing = await findServerByToken(t, input.idempotencyToken, opts);
  if (existing !== undefined) return nodeFromServer(existing, settings.zone.id, settings.sizes);

  const library = await t.records({ method: 'GET', path: standardDrivesPath(settings.dialect), retry: 'safe' }, opts);
  const source = library.find((d) => d['drive'] === input.imageId);
  const image = source === undefined ? undefined : imageFromStandardDrive(source);
  if (source === undefined || image === undefined) {
    throw new NotFoundError(`ElasticHosts has no standard disk image ${input.imageId}.`, {
      provider: 'elastichosts',
      operation: 'createNode',
    });
  }
  const needed = Math.max(size.diskGiB * GiB, Number(image.extra['sizeBytes'] ?? 0));

  let drive = await findDriveByToken(t, input.idempotencyToken, opts);
  if (drive === undefined) {
    const [created] = await t.records(
      {
        method: 'POST',
        path: '/drives/create',
        retry: 'throttle-only',
        body: {
          name: `${input.name} boot`,
          size: String(needed),
          [META.token]: input.idempotencyToken,
          [META.image]: input.imageId,
        },
      },
      opts,
    );
    drive = created === undefined ? undefined : driveInfo(created);
    if (drive === undefined || drive.id === '') unavailable('ElasticHosts created a drive but did not say which.');
  }
  const gunzip = source['format'] === 'gzip' ? '/gunzip' : '';
  await t.command({ method: 'POST', path: `/drives/${drive.id}/image/${input.imageId}${gunzip}`, retry: 'safe' }, opts);
  await waitForImaging(t, drive.id, opts);

  const server: Record<string, string> = {
    name: input.name,
    cpu: String(size.cpuMHz),
    mem: String(size.memMiB),
    smp: 'auto',
    persistent: 'true',
    boot: 'ide:0:0',
    'ide:0:0': drive.id,
    'ide:0:0:media': 'disk',
    'nic:0:model': 'e1000',
    'nic:0:dhcp': 'auto',
    [META.sshKeys]: `${key.line}${key.comment === '' ? '' : ` ${key.comment}`}`,
    [META.token]: input.idempotencyToken,
    [META.image]: input.imageId,
    [META.created]: settings.clock.iso(),
  };
  for (const [k, v] of tags) server[`user:${k}`] = v.replace(/[\r\n]+/g, ' ');
  const [created] = await t.records(
    { method: 'POST', path: '/servers/create', body: server, retry: 'throttle-only' },
    opts,
  );
  if (created === undefined) unavailable('ElasticHosts created a server but did not describe it.');
  return nodeFromServer(created, settings.zone.id, settings.sizes);
}

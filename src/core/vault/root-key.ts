import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RootKeySource } from '../../kernel/config.js';
import { AppError } from '../../kernel/errors.js';
import { ensurePrivateDir } from '../../kernel/files.js';
import { formatRootKeyRing, parseRootKeyRing, type RootKeyRing } from '../../crypto/keys.js';

export type RingLoad =
  { readonly status: 'loaded'; readonly ring: RootKeyRing } | { readonly status: 'missing'; readonly where: string };

/** Reads the root key ring from where the configuration says; a missing file is "missing", not an error. */
export function loadRootKeyRing(source: RootKeySource): RingLoad {
  if (source.kind === 'value')
    return { status: 'loaded', ring: parseRootKeyRing(source.value.reveal(), source.origin) };
  if (!existsSync(source.path)) return { status: 'missing', where: source.path };
  return { status: 'loaded', ring: parseRootKeyRing(readFileSync(source.path, 'utf8'), source.path) };
}

/**
 * Writes the ring to its file with mode 0600, atomically: a temporary file is written and flushed, then renamed
 * over the old one and the folder flushed, so a crash leaves either the old ring or the new one, never half.
 */
export function writeRootKeyRing(path: string, ring: RootKeyRing): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, formatRootKeyRing(ring));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

export function requireWritableRing(source: RootKeySource): string {
  if (source.kind !== 'file') {
    throw new AppError(
      'STEWARD_CONFIG_INVALID',
      `The root key comes from ${source.origin}, which Steward cannot rewrite. To rotate it, put the ring in a file and point STEWARD_ROOT_KEY_FILE at it.`,
    );
  }
  return source.path;
}

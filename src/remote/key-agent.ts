/**
 * An SSH agent served from this process on a private UNIX socket, holding one key in memory. Tools that run the
 * system `ssh` (restic's SFTP backend) authenticate through it with `SSH_AUTH_SOCK`, so the private key is never
 * written to a file or passed on a command line. The socket lives in a 0700 folder and is removed on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { AppError } from '../kernel/errors.js';
import type { Secret } from '../kernel/secret.js';

const { utils } = ssh2;

// The few messages of the agent protocol (draft-miller-ssh-agent) a client needs to log in with one key.
const FAILURE = 5;
const REQUEST_IDENTITIES = 11;
const IDENTITIES_ANSWER = 12;
const SIGN_REQUEST = 13;
const SIGN_RESPONSE = 14;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (b: Buffer | string) => {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([u32(buf.length), buf]);
};
const frame = (type: number, body: Buffer = Buffer.alloc(0)) =>
  Buffer.concat([u32(body.length + 1), Buffer.from([type]), body]);

export interface KeyAgent {
  /** The socket path, for `SSH_AUTH_SOCK` or ssh's `IdentityAgent`. */
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Answers one request: the key's identity, or a signature by it; anything else (extensions too) is refused. */
function answer(key: ParsedKey, msg: Buffer): Buffer {
  const type = msg[0];
  if (type === REQUEST_IDENTITIES)
    return frame(IDENTITIES_ANSWER, Buffer.concat([u32(1), str(key.getPublicSSH()), str('steward')]));
  if (type !== SIGN_REQUEST) return frame(FAILURE);
  let p = 1;
  const take = () => {
    const len = msg.readUInt32BE(p);
    const out = msg.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    return out;
  };
  const blob = take();
  const data = take();
  // Only our own key signs (there is no other here); RSA hash flags do not apply to ed25519.
  if (!blob.equals(key.getPublicSSH())) return frame(FAILURE);
  const signature = key.sign(data);
  if (!(signature instanceof Buffer) || signature.length === 0) return frame(FAILURE);
  return frame(SIGN_RESPONSE, str(Buffer.concat([str(key.type), str(signature)])));
}

/** Starts an agent for `privateKey` (OpenSSH format) under `parentDir`. */
export async function startKeyAgent(privateKey: Secret<string>, parentDir: string): Promise<KeyAgent> {
  const parsed = utils.parseKey(privateKey.reveal());
  if (parsed instanceof Error || Array.isArray(parsed))
    throw new AppError('STEWARD_INVALID_INPUT', 'The SSH key for this target could not be read.');
  const key: ParsedKey = parsed;
  const dir = mkdtempSync(join(parentDir, 'agent-'));
  const socketPath = join(dir, 'sock');
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const len = pending.readUInt32BE(0);
        if (len > 256 * 1024) return socket.destroy();
        if (pending.length < 4 + len) break;
        const msg = pending.subarray(4, 4 + len);
        pending = pending.subarray(4 + len);
        try {
          socket.write(answer(key, msg));
        } catch {
          socket.write(frame(FAILURE));
        }
      }
    });
    const drop = () => {
      sockets.delete(socket);
      socket.destroy();
    };
    socket.on('error', drop);
    socket.on('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

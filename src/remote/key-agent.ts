/**
 * An SSH agent served from this process on a private UNIX socket, holding one key in memory. Tools that run the
 * system `ssh` (restic's SFTP backend) authenticate through it with `SSH_AUTH_SOCK`, so the private key is never
 * written to a file or passed on a command line. The socket lives in a 0700 folder and is removed on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import ssh2, { type AgentInboundRequest, type ParsedKey } from 'ssh2';
import { AppError } from '../kernel/errors.js';
import type { Secret } from '../kernel/secret.js';

const { AgentProtocol, utils } = ssh2;

export interface KeyAgent {
  /** The socket path, for `SSH_AUTH_SOCK`. */
  readonly socketPath: string;
  close(): Promise<void>;
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
    const protocol = new AgentProtocol(false);
    protocol.on('identities', (req: AgentInboundRequest) => protocol.getIdentitiesReply(req, [key]));
    protocol.on('sign', (req: AgentInboundRequest, pub: ParsedKey, data: Buffer, flags: { hash?: string }) => {
      // Only our own key signs, and only what the client asked for (no other identities exist here).
      if (!pub.getPublicSSH().equals(key.getPublicSSH())) return protocol.failureReply(req);
      const signature = key.sign(data, flags?.hash);
      if (signature instanceof Error) return protocol.failureReply(req);
      protocol.signReply(req, signature);
    });
    socket.pipe(protocol).pipe(socket);
    const drop = () => {
      sockets.delete(socket);
      socket.destroy();
    };
    socket.on('error', drop);
    socket.on('close', drop);
    protocol.on('error', drop);
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

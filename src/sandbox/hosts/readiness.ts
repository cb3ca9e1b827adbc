import { connect } from 'node:net';
import { sleep } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';

/** Resolves with the first line the server sends, or undefined if it refuses, closes or stays silent. */
function readBanner(address: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let data = '';
    const done = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\n');
      if (end >= 0) done(data.slice(0, end).replace(/\r$/, ''));
    });
  });
}

export interface WaitForSshOptions {
  readonly timeoutMs: number;
  /** Checked between attempts: a reason here (the host's process died, say) ends the wait at once. */
  readonly failure?: () => string | undefined;
  /**
   * A cheap local sign that sshd is listening (its pid file, written once its sockets are bound). Until it
   * holds, only this is polled, every few ms; connecting that often would cost far more.
   */
  readonly listening?: () => boolean;
  /** Appended to the error: the host's sshd log, usually. */
  readonly diagnostics?: () => string;
}

/** Waits until `address:port` accepts a connection and sends an SSH banner; that is what "ready" means here. */
export async function waitForSsh(address: string, port: number, opts: WaitForSshOptions): Promise<string> {
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    const reason = opts.failure?.();
    if (reason === undefined && (opts.listening?.() ?? true)) {
      const banner = await readBanner(address, port, Math.min(2000, Math.max(100, until - Date.now())));
      if (banner?.startsWith('SSH-')) return banner;
    }
    if (reason !== undefined || Date.now() >= until) {
      const why = reason ?? `no SSH banner from ${address}:${port} within ${opts.timeoutMs} ms`;
      const log = opts.diagnostics?.().trim();
      throw new AppError(
        'STEWARD_TESTHOSTS_START_FAILED',
        `Test host did not come up: ${why}.${log ? `\nsshd log:\n${log}` : ''}`,
        {
          address,
          port,
        },
      );
    }
    await sleep(5);
  }
}

/**
 * A real S3-compatible server for the tests: moto's server mode (`python3 -m moto.server`), which speaks the S3
 * REST API with SigV4, including the aws-chunked uploads restic's S3 client sends over plain http. It starts with
 * signatures unchecked (any key opens it); `requireSignatures()` switches moto's IAM check on, after which only
 * access keys moto's IAM knows are accepted: a key it never issued is refused as InvalidAccessKeyId.
 *
 * moto is not packaged by Debian bookworm; it is part of the machine image's Python (`python3` on PATH). Where it
 * is missing, start() fails with how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { until } from './wait.js';

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** From now on every request must be signed by a key moto's IAM issued (none are, so every key is refused). */
  requireSignatures(): Promise<void>;
  close(): Promise<void>;
}

const PYTHON = 'python3';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startS3Server(): Promise<S3Server> {
  const probe = spawnSync(PYTHON, ['-c', 'import sys, moto.server, flask, flask_cors; print(sys.executable)'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0)
    throw new Error(
      `The S3 test server (moto) is missing: \`${PYTHON} -c 'import moto.server'\` failed (${(probe.stderr || String(probe.error)).trim().split('\n').pop()}). ` +
        "Install it into the python3 on PATH: pip install 'moto[server]==5.2.1'.",
    );
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const python = probe.stdout.trim();
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', PYTHONDONTWRITEBYTECODE: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await until(
      'the S3 test server to answer',
      async () => {
        if (child.exitCode !== null) throw Object.assign(new Error(`moto exited: ${stderr}`), { final: true });
        return (await fetch(`${endpoint}/moto-api/data.json`).catch(() => undefined))?.ok || undefined;
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    endpoint,
    async requireSignatures() {
      const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
      if (!res.ok) throw new Error(`moto refused to switch signatures on: ${res.status} ${await res.text()}`);
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

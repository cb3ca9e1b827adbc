import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = `${ROOT}src/cli/main.ts`;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the `steward` CLI from source (through tsx) in a child process. */
export function spawnCli(args: string[], env: Record<string, string>, stdin?: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  else child.stdin!.end();
  return child;
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  const child = spawnCli(args, env, stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The CLI pointed at a test Steward over HTTP with an API token, in a home folder of its own. */
export interface CliSession {
  readonly home: string;
  /** Runs one command; `env` adds to (or overrides) the session's environment. */
  run(args: string[], stdin?: string, env?: Record<string, string>): Promise<CliResult>;
  /** Removes the home folder. */
  close(): void;
}

/** Makes `app` listen on a free port of 127.0.0.1 and returns a CLI session that talks to it with `token`. */
export async function cliSession(
  app: { listen(options: { host: string; port: number }): Promise<string> },
  token: string,
): Promise<CliSession> {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const home = mkdtempSync(join(tmpdir(), 'steward-cli-home-'));
  const base = { HOME: home, STEWARD_URL: url, STEWARD_TOKEN: token };
  return {
    home,
    run: (args, stdin, env = {}) => runCli(args, { ...base, ...env }, stdin),
    close: () => rmSync(home, { recursive: true, force: true }),
  };
}

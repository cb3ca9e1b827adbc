import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError, ERROR_CODES, type ErrorCode } from '../kernel/errors.js';
import type { Env } from './runtime.js';

/** Where `steward login` keeps the API URL and token: a 0600 file in the user's config folder. */
export function cliConfigPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || '.', '.config');
  return join(base, 'steward', 'cli.json');
}

export interface CliLogin {
  readonly url: string;
  readonly token: string;
}

export function saveLogin(env: Env, login: CliLogin): string {
  const path = cliConfigPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** STEWARD_URL and STEWARD_TOKEN (for scripts) win over the saved login. */
export function loadLogin(env: Env): CliLogin {
  if (env.STEWARD_TOKEN) return { url: env.STEWARD_URL || 'http://127.0.0.1:8080', token: env.STEWARD_TOKEN };
  const path = cliConfigPath(env);
  if (!existsSync(path))
    throw new AppError(
      'STEWARD_UNAUTHENTICATED',
      'Not logged in: run `steward login --url <Steward URL> --email <you>` first.',
    );
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CliLogin>;
  if (!parsed.url || !parsed.token)
    throw new AppError('STEWARD_UNAUTHENTICATED', `${path} is incomplete; run \`steward login\` again.`);
  return { url: parsed.url, token: parsed.token };
}

/** A small client for the HTTP API: JSON in and out, Steward's error body turned back into an AppError. */
export function apiClient(base: string, auth: { token?: string; cookie?: string; csrf?: string } = {}) {
  const root = base.replace(/\/+$/, '');
  return async function call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; data: T; headers: Headers }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.csrf) headers['x-csrf-token'] = auth.csrf;
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
      });
    } catch (err) {
      throw new AppError('STEWARD_PROVIDER_UNAVAILABLE', `Cannot reach Steward at ${root}: ${(err as Error).message}.`);
    }
    const text = await res.text();
    const data = text ? (JSON.parse(text) as T) : (undefined as T);
    if (!res.ok) {
      const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      const code = e?.code && e.code in ERROR_CODES ? (e.code as ErrorCode) : 'STEWARD_INTERNAL';
      throw new AppError(code, e?.message ?? `Steward answered ${res.status}.`);
    }
    return { status: res.status, data, headers: res.headers };
  };
}

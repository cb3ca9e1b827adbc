/** Application evidence: `docker ps` rows, package.json files, node process working directories, PHP and WordPress versions. */
import { toInt } from './util.js';

export interface DockerContainer {
  readonly id: string;
  readonly image: string;
  readonly name: string;
  readonly status: string;
  readonly ports: string;
}

/** `docker ps --format '{{.ID}}\t{{.Image}}\t{{.Names}}\t{{.Status}}\t{{.Ports}}'`. */
export function parseDockerPs(lines: readonly string[]): DockerContainer[] {
  const out: DockerContainer[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    if (f.length < 4 || !/^[0-9a-f]{12,64}$/.test(f[0] ?? '')) continue;
    out.push({
      id: (f[0] ?? '').slice(0, 12),
      image: f[1] ?? '',
      name: f[2] ?? '',
      status: f[3] ?? '',
      ports: f[4] ?? '',
    });
  }
  return out;
}

export interface PackageJsonInfo {
  readonly name: string | null;
  readonly version: string | null;
  /** Frameworks worth naming, from dependencies. */
  readonly frameworks: string[];
  readonly hasStartScript: boolean;
}

const FRAMEWORKS = [
  'express',
  'next',
  'nuxt',
  'fastify',
  '@nestjs/core',
  'koa',
  'hapi',
  '@hapi/hapi',
  'react-scripts',
  'strapi',
  '@strapi/strapi',
  'ghost',
  'meteor',
  'sails',
  'remix',
  '@remix-run/node',
  'astro',
  'svelte',
  '@sveltejs/kit',
  'vite',
];

/** The few fields worth keeping from a package.json; anything that is not JSON gives null. */
export function parsePackageJson(content: string | null): PackageJsonInfo | null {
  if (!content) return null;
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const o = data as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v.length <= 214 ? v : null);
  const deps = {
    ...(isRecord(o.dependencies) ? o.dependencies : {}),
    ...(isRecord(o.devDependencies) ? o.devDependencies : {}),
  };
  const scripts = isRecord(o.scripts) ? o.scripts : {};
  return {
    name: str(o.name),
    version: str(o.version),
    frameworks: FRAMEWORKS.filter((f) => Object.prototype.hasOwnProperty.call(deps, f)),
    hasStartScript: typeof scripts.start === 'string' || typeof o.main === 'string',
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `1234 /srv/app` lines from the script's scan of node processes. */
export function parseNodeProcesses(lines: readonly string[]): { pid: number; cwd: string }[] {
  const out: { pid: number; cwd: string }[] = [];
  for (const line of lines) {
    const m = /^(\d+) (\/.*)$/.exec(line);
    const pid = toInt(m?.[1]);
    if (pid !== null && m?.[2]) out.push({ pid, cwd: m[2] });
  }
  return out;
}

/** `PHP 8.2.7 (cli) (built: ...)` → `8.2.7`. */
export function parsePhpVersion(lines: readonly string[]): string | null {
  return /^PHP (\d+\.\d+(?:\.\d+)?)/.exec(lines[0] ?? '')?.[1] ?? null;
}

/** `/etc/php/8.2`, `/etc/php81`, `/etc/opt/remi/php74` → `8.2`, `8.1`, `7.4`. */
export function phpVersionFromDir(dir: string): string | null {
  const base = dir.replace(/\/+$/, '').replace(/^.*\//, '');
  const m = /^(?:php)?(\d)\.?(\d+)$/.exec(base);
  return m ? `${m[1]}.${m[2]}` : null;
}

/** `$wp_version = '6.4.2';` → `6.4.2`. */
export function parseWpVersion(lines: readonly string[]): string | null {
  return /\$wp_version\s*=\s*['"]([^'"]+)['"]/.exec(lines[0] ?? '')?.[1] ?? null;
}

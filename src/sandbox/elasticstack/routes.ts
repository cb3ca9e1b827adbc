import type { InstanceHosts } from '../common/ports.js';
import { createDrive, destroyDrive, imageDrive, setDrive } from './drives.js';
import { STANDARD_DRIVES } from './library.js';
import { driveRow, serverRow, standardRow, type Dialect } from './render.js';
import { createServer, serverCommand, serverConsole, setServer } from './servers.js';
import { ElasticFault, missing, type ElasticWorld } from './state.js';
import type { Row } from './wire.js';

export interface RouteContext {
  readonly world: ElasticWorld;
  readonly hosts: InstanceHosts;
  readonly dialect: Dialect;
  readonly user: string;
}

/** What a command answers: one object, several, a list of ids, or nothing (200 or 204). */
export type Answer =
  | { readonly kind: 'one'; readonly row: Row }
  | { readonly kind: 'many'; readonly rows: readonly Row[] }
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'none'; readonly status: 200 | 204 };

/** Commands that change state; reads accept GET and POST (the official shell tool POSTs everything). */
const WRITES = /^\/(servers|drives)\/(create(\/stopped)?|[^/]+\/(set|start|stop|shutdown|reset|destroy|image\/.+))$/;

const one = (row: Row): Answer => ({ kind: 'one', row });
const none: Answer = { kind: 'none', status: 204 };

async function servers(ctx: RouteContext, parts: readonly string[], input: Row): Promise<Answer | undefined> {
  const { world, hosts, dialect: d, user } = ctx;
  const [idOrVerb, verb] = parts;
  if (parts.length === 1 && idOrVerb === 'list') return { kind: 'ids', ids: world.allServers().map((s) => s.id) };
  if (parts.length === 1 && idOrVerb === 'info')
    return { kind: 'many', rows: world.allServers().map((s) => serverRow(s, d, user)) };
  if (idOrVerb === 'create' && (parts.length === 1 || (parts.length === 2 && verb === 'stopped'))) {
    return one(serverRow(await createServer(world, hosts, input, verb === undefined), d, user));
  }
  if (idOrVerb === undefined || verb === undefined || parts.length !== 2) return undefined;
  if (verb === 'info') return one(serverRow(world.server(idOrVerb), d, user));
  if (verb === 'set') return one(serverRow(setServer(world, idOrVerb, input), d, user));
  if (verb === 'console')
    return one(
      new Map([
        ['server', idOrVerb],
        ['console', serverConsole(world, idOrVerb)],
      ]),
    );
  await serverCommand(world, hosts, d, idOrVerb, verb);
  // CloudSigma's API answered start with 200 where ElasticHosts answered 204.
  return verb === 'start' && d === 'cloudsigma-1.0' ? { kind: 'none', status: 200 } : none;
}

function drives(ctx: RouteContext, parts: readonly string[], input: Row): Answer | undefined {
  const { world, dialect: d, user } = ctx;
  const [idOrVerb, verb, source, conversion] = parts;
  const library =
    d === 'cloudsigma-1.0' ? ['standard', 'info', 'standard', 'list'] : ['info', 'standard', 'list', 'standard'];
  if (parts.length === 1 && idOrVerb === 'list') return { kind: 'ids', ids: [...world.drives.keys()] };
  if (parts.length === 1 && idOrVerb === 'info')
    return { kind: 'many', rows: [...world.drives.values()].map((x) => driveRow(x, world, d, user)) };
  if (parts.length === 1 && idOrVerb === 'create')
    return one(driveRow(world.drive(createDrive(world, input)), world, d, user));
  if (parts.length === 2 && idOrVerb === library[0] && verb === library[1])
    return { kind: 'many', rows: STANDARD_DRIVES.map((s) => standardRow(s, d)) };
  if (parts.length === 2 && idOrVerb === library[2] && verb === library[3])
    return { kind: 'ids', ids: STANDARD_DRIVES.map((s) => s.id) };
  if (idOrVerb === undefined) return undefined;
  if (parts.length === 2 && verb === 'info') {
    const standard = STANDARD_DRIVES.find((s) => s.id === idOrVerb);
    return one(standard === undefined ? driveRow(world.drive(idOrVerb), world, d, user) : standardRow(standard, d));
  }
  if (parts.length === 2 && verb === 'set') {
    setDrive(world, idOrVerb, input);
    return one(driveRow(world.drive(idOrVerb), world, d, user));
  }
  if (parts.length === 2 && verb === 'destroy') {
    destroyDrive(world, idOrVerb);
    return none;
  }
  if ((parts.length === 3 || parts.length === 4) && verb === 'image' && source !== undefined) {
    imageDrive(world, idOrVerb, source, conversion);
    return none;
  }
  return undefined;
}

/** Runs one API command; throws `ElasticFault` for anything the platform would refuse. */
export async function route(ctx: RouteContext, method: string, path: string, input: Row): Promise<Answer> {
  if (method !== 'POST' && WRITES.test(path))
    throw new ElasticFault(405, 'method', 'GET used on command expecting POST');
  const [kind, ...rest] = path.split('/').filter((x) => x !== '');
  const answer =
    kind === 'servers' ? await servers(ctx, rest, input) : kind === 'drives' ? drives(ctx, rest, input) : undefined;
  if (answer === undefined) throw missing(`Command ${method} ${path}`);
  return answer;
}

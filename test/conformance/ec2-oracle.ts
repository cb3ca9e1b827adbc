import { XMLParser } from 'fast-xml-parser';
import type { NodeState } from '../../src/providers/types.js';

/**
 * What a recorded EC2 answer says, read here independently of the SDK and the driver's mapper (with a plain
 * XML parser), so the two can be compared.
 */
type X = Record<string, unknown>;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'item',
});

export function parseXml(xml: string): { root: string; body: X } {
  const doc = parser.parse(xml) as X;
  const root = Object.keys(doc).find((k) => k !== '?xml') ?? '';
  return { root, body: (doc[root] ?? {}) as X };
}

const obj = (v: unknown): X => (typeof v === 'object' && v !== null ? (v as X) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const itemsOf = (v: unknown): X[] => (Array.isArray(obj(v)['item']) ? (obj(v)['item'] as X[]) : []);

const STATES: Record<string, NodeState> = {
  pending: 'pending',
  running: 'running',
  'shutting-down': 'stopping',
  stopping: 'stopping',
  stopped: 'stopped',
  terminated: 'terminated',
};
export const normalState = (name: string | undefined): NodeState =>
  name === undefined ? 'unknown' : (STATES[name] ?? 'unknown');

export interface OracleInstance {
  readonly id: string;
  readonly state: NodeState;
  readonly name: string;
  readonly publicIps: string[];
  readonly privateIps: string[];
  readonly sizeId: string | undefined;
  readonly imageId: string | undefined;
  readonly locationId: string | undefined;
  readonly keyName: string | undefined;
}

function instance(i: X): OracleInstance {
  const tags = Object.fromEntries(itemsOf(i['tagSet']).map((t) => [String(t['key']), str(t['value']) ?? '']));
  const nics = itemsOf(i['networkInterfaceSet']);
  const addresses = nics.flatMap((n) => itemsOf(n['privateIpAddressesSet']));
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
  const id = String(i['instanceId']);
  return {
    id,
    state: normalState(str(obj(i['instanceState'])['name'])),
    name: tags['Name'] ?? id,
    publicIps: uniq([
      str(i['ipAddress']),
      ...nics.map((n) => str(obj(n['association'])['publicIp'])),
      ...addresses.map((a) => str(obj(a['association'])['publicIp'])),
    ]),
    privateIps: uniq([str(i['privateIpAddress']), ...addresses.map((a) => str(a['privateIpAddress']))]),
    sizeId: str(i['instanceType']),
    imageId: str(i['imageId']),
    locationId: str(obj(i['placement'])['availabilityZone']),
    keyName: str(i['keyName']),
  };
}

/** Instances in a DescribeInstances answer (under reservationSet). */
export function oracleInstances(body: X): OracleInstance[] {
  return itemsOf(body['reservationSet']).flatMap((r) => itemsOf(r['instancesSet']).map(instance));
}

/** Instances in a RunInstances answer (one reservation: instancesSet at the top). */
export function oracleLaunched(body: X): OracleInstance[] {
  return itemsOf(body['instancesSet']).map(instance);
}

export function oracleStateChanges(
  body: X,
): { id: string; previous: NodeState; current: NodeState | undefined; legacy: boolean }[] {
  return itemsOf(body['instancesSet']).map((i) => ({
    id: String(i['instanceId']),
    previous: normalState(str(obj(i['previousState'])['name'])),
    current:
      str(obj(i['currentState'])['name']) === undefined ? undefined : normalState(str(obj(i['currentState'])['name'])),
    legacy: i['shutdownState'] !== undefined,
  }));
}

export const oracleImages = (body: X) =>
  itemsOf(body['imagesSet']).map((i) => ({ id: String(i['imageId']), name: str(i['name']) ?? String(i['imageId']) }));
export const oracleKeyPairs = (body: X) =>
  itemsOf(body['keySet']).map((k) => ({
    name: String(k['keyName']),
    fingerprint: String(k['keyFingerprint'] ?? '').trim(),
  }));
export const oracleRegions = (body: X) =>
  itemsOf(body['regionInfo']).map((r) => ({ id: String(r['regionName']), endpoint: str(r['regionEndpoint']) }));
export const oracleZones = (body: X) =>
  itemsOf(body['availabilityZoneInfo']).map((z) => ({ id: String(z['zoneName']), region: str(z['regionName']) }));
export const oracleGroups = (body: X) =>
  itemsOf(body['securityGroupInfo']).map((g) => ({ id: str(g['groupId']), name: String(g['groupName']) }));
export const oracleError = (body: X) => {
  const err = itemsOrOne(obj(body['Errors'])['Error'])[0] ?? {};
  return { code: String(err['Code']), message: String(err['Message'] ?? '').trim() };
};

function itemsOrOne(v: unknown): X[] {
  return Array.isArray(v) ? (v as X[]) : v === undefined ? [] : [obj(v)];
}

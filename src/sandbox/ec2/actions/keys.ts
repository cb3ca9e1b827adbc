import { createHash, createPublicKey } from 'node:crypto';
import { Ec2Fault } from '../faults.js';
import { filtersOf } from '../params.js';
import { checkFilterNames, matchesFilters, tagField } from '../query.js';
import { keyPairXml } from '../render.js';
import { hexId, type KeyPairRecord } from '../state.js';
import { el, items } from '../xml.js';
import type { Ec2Action } from './context.js';

const badFormat = (): Ec2Fault =>
  new Ec2Fault('InvalidKeyPair.Format', 'Key is not in valid OpenSSH public key format');

/** Reads an OpenSSH public key line and computes the fingerprint EC2 shows for imported keys. */
export function readImportedKey(material: string): { type: 'rsa' | 'ed25519'; line: string; fingerprint: string } {
  const [type = '', data = ''] = material.trim().split(/\s+/);
  if (type !== 'ssh-rsa' && type !== 'ssh-ed25519') throw badFormat();
  const blob = Buffer.from(data, 'base64');
  const fields: Buffer[] = [];
  for (let at = 0; at + 4 <= blob.length;) {
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) throw badFormat();
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields[0]?.toString('latin1') !== type) throw badFormat();
  if (type === 'ssh-ed25519') {
    if (fields[1]?.length !== 32) throw badFormat();
    return {
      type: 'ed25519',
      line: `${type} ${data}`,
      fingerprint: createHash('sha256').update(blob).digest('base64'),
    };
  }
  const [, e, n] = fields;
  if (e === undefined || n === undefined || n.length < 128) throw badFormat();
  const strip = (b: Buffer): string => b.subarray(b.findIndex((x) => x !== 0)).toString('base64url');
  const der = createPublicKey({ key: { kty: 'RSA', n: strip(n), e: strip(e) }, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
  const fingerprint = createHash('md5').update(der).digest('hex').match(/../g)?.join(':') ?? '';
  return { type: 'rsa', line: `${type} ${data}`, fingerprint };
}

const KEY_NAME = /^[\x20-\x7e]{1,255}$/;

export const importKeyPair: Ec2Action = ({ p, region, clock }) => {
  const name = p.required('KeyName');
  if (!KEY_NAME.test(name))
    throw new Ec2Fault('InvalidParameterValue', `Value (${name}) for parameter KeyName is invalid.`);
  const material = Buffer.from(p.required('PublicKeyMaterial'), 'base64').toString('utf8');
  const key = readImportedKey(material);
  if (region.keyPairs.has(name))
    throw new Ec2Fault('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
  const tags = new Map(
    p
      .structs('TagSpecification')
      .flatMap((s) => s.structs('Tag').map((t) => [t.str('Key') ?? '', t.str('Value') ?? ''] as const)),
  );
  const record: KeyPairRecord = {
    id: hexId('key'),
    name,
    fingerprint: key.fingerprint,
    type: key.type,
    created: clock.now(),
    publicKey: key.line,
    tags,
  };
  region.keyPairs.set(name, record);
  return (
    el('keyFingerprint', record.fingerprint) +
    el('keyName', name) +
    el('keyPairId', record.id) +
    items('tagSet', [...tags], ([k, v]) => el('key', k) + el('value', v))
  );
};

export const describeKeyPairs: Ec2Action = ({ p, region }) => {
  const names = p.list('KeyName');
  const ids = p.list('KeyPairId');
  const missing = names.filter((n) => !region.keyPairs.has(n));
  if (missing.length > 0) throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${missing[0]}' does not exist`);
  const all = [...region.keyPairs.values()];
  const missingIds = ids.filter((id) => !all.some((k) => k.id === id));
  if (missingIds.length > 0)
    throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${missingIds[0]}' does not exist`);
  const filters = filtersOf(p);
  const fields =
    (k: KeyPairRecord) =>
    (name: string): readonly string[] | undefined =>
      ({ 'key-name': [k.name], 'key-pair-id': [k.id], fingerprint: [k.fingerprint], 'key-type': [k.type] })[name] ??
      tagField(k.tags, name);
  const probe: KeyPairRecord = {
    id: '',
    name: '',
    fingerprint: '',
    type: 'rsa',
    created: new Date(0),
    publicKey: '',
    tags: new Map(),
  };
  checkFilterNames(filters, fields(probe));
  const chosen = all.filter(
    (k) =>
      (names.length === 0 || names.includes(k.name)) &&
      (ids.length === 0 || ids.includes(k.id)) &&
      matchesFilters(filters, fields(k)),
  );
  return items('keySet', chosen, keyPairXml);
};

export const deleteKeyPair: Ec2Action = ({ p, region }) => {
  const name = p.str('KeyName');
  const id = p.str('KeyPairId');
  if (name === undefined && id === undefined)
    throw new Ec2Fault('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  for (const k of region.keyPairs.values()) if (k.name === name || k.id === id) region.keyPairs.delete(k.name);
  return el('return', true);
};

import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type DetectionInput } from '../detection.types.js';
import { OUTBOUND_ATTACK_PEERS, outboundAttack } from './outbound-attack.js';

const input = (peers: string[]): DetectionInput => ({
  nowMs: 0,
  before: null,
  after: null,
  auth: { window: [], fresh: [] },
  knownLogins: null,
  ownAddresses: new Set(),
  ownKeys: new Set(),
  processes: [],
  poolConnections: [],
  disks: [],
  outboundConnections: peers.map((peer) => ({ peer, process: 'sshscan' })),
  thresholds: DEFAULT_THRESHOLDS,
});

describe('outbound attack', () => {
  it('reports a server connecting to many addresses on a scanned port', () => {
    const peers = Array.from({ length: OUTBOUND_ATTACK_PEERS }, (_, i) => `198.51.100.${i + 1}:22`);
    const [f] = outboundAttack(input(peers));
    expect(f).toMatchObject({ rule: 'outbound_attack', key: 'port:22', severity: 'critical' });
    expect(f!.evidence).toMatchObject({ port: 22, addresses: OUTBOUND_ATTACK_PEERS, processes: ['sshscan'] });
  });
  it('stays silent for a few hosts, or many connections to one host', () => {
    expect(outboundAttack(input(['198.51.100.1:22', '198.51.100.2:22', '[2001:db8::1]:3389']))).toEqual([]);
    expect(outboundAttack(input(Array.from({ length: 50 }, () => '198.51.100.1:22')))).toEqual([]);
    expect(outboundAttack(input([]))).toEqual([]);
  });
});

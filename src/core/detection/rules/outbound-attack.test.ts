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
  it("leaves out Steward's own logins to the organisation's servers when Steward runs on this one", () => {
    // Steward on 203.0.113.5 (as this server sees it) logs in to 25 servers; this server is one of them.
    const servers = Array.from({ length: 25 }, (_, i) => `198.51.100.${i + 1}:22`);
    const own = (local: string, peers: string[]): DetectionInput => ({
      ...input([]),
      ownAddresses: new Set(['203.0.113.5']),
      stewardPeers: new Set([...servers, '2001:db8::7:2222']),
      outboundConnections: peers.map((peer, i) => ({ local: `${local}:${40000 + i}`, peer, process: 'node' })),
    });
    expect(outboundAttack(own('203.0.113.5', servers))).toEqual([]);
    // The same seen through an IPv6 socket.
    const mapped = own('[::ffff:203.0.113.5]', [...servers.map((p) => `[::ffff:${p.replace(':', ']:')}`)]);
    expect(outboundAttack(mapped)).toEqual([]);
    // From another address of this server, or to addresses that are not the organisation's servers: counted.
    expect(outboundAttack(own('10.0.0.5', servers))).toHaveLength(1);
    const strangers = Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}:22`);
    const [f] = outboundAttack(own('203.0.113.5', [...servers, ...strangers]));
    expect(f!.evidence).toMatchObject({ addresses: 20 });
    // The same listing judged again (monitoring hands it over unchanged) with other peers or addresses.
    const listing = own('203.0.113.5', servers);
    expect(outboundAttack(listing)).toEqual([]);
    expect(outboundAttack({ ...listing, stewardPeers: new Set() })).toHaveLength(1);
    expect(outboundAttack({ ...listing, ownAddresses: new Set(['10.0.0.5']) })).toHaveLength(1);
  });
});

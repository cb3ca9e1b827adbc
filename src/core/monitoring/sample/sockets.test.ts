import { describe, expect, it } from 'vitest';
import { mayListBare, nameSockets, namesOf, SOCKET_NAMES_TTL_MS } from './sockets.js';
import type { RawSample } from './types.js';

type Sockets = Pick<RawSample, 'listening' | 'poolConnections' | 'outboundConnections' | 'socketsNamed'>;
const sample = (s: Partial<Sockets>): RawSample =>
  ({ listening: [], poolConnections: [], outboundConnections: [], socketsNamed: true, ...s }) as RawSample;

const ssh = { proto: 'tcp' as const, address: '0.0.0.0', port: 22 };
const toPool = { local: '10.0.0.5:40000', peer: '198.51.100.7:3333' };
const out = { local: '10.0.0.5:40002', peer: '203.0.113.9:22' };

describe('naming a bare socket listing from the last named one', () => {
  const named = sample({
    listening: [{ ...ssh, process: 'sshd', pid: 10 }],
    poolConnections: [{ ...toPool, process: 'xmrig', pid: 77 }],
    outboundConnections: [{ ...out, process: 'ssh', pid: 80 }],
  });
  const names = namesOf(named, 1_000);

  it('gives each known socket and connection the process it had', () => {
    const bare = sample({
      socketsNamed: false,
      listening: [{ ...ssh, process: null, pid: null }],
      poolConnections: [{ ...toPool, process: null, pid: null }],
      outboundConnections: [{ ...out, process: null, pid: null }],
    });
    expect(nameSockets(bare, names)).toEqual({
      listening: named.listening,
      poolConnections: named.poolConnections,
      outboundConnections: named.outboundConnections,
    });
  });

  it('names nothing when a listener or a connection is new: the sample asks again with processes', () => {
    const newPort = sample({ listening: [{ ...ssh, port: 2222, process: null, pid: null }] });
    expect(nameSockets(newPort, names)).toBeNull();
    const newPeer = sample({ outboundConnections: [{ ...out, peer: '203.0.113.10:22', process: null, pid: null }] });
    expect(nameSockets(newPeer, names)).toBeNull();
    const newPool = sample({ poolConnections: [{ ...toPool, local: '10.0.0.5:40001', process: null, pid: null }] });
    expect(nameSockets(newPool, names)).toBeNull();
  });

  it('names a listing handed over unchanged once per set of names', () => {
    const bare = sample({
      socketsNamed: false,
      listening: [{ ...ssh, process: null, pid: null }],
      outboundConnections: [{ ...out, process: null, pid: null }],
    });
    const first = nameSockets(bare, names);
    expect(nameSockets(bare, names)).toBe(first);
    // Newer names (another process on the port now) name it again.
    const renamed = namesOf(sample({ ...named, listening: [{ ...ssh, process: 'dropbear', pid: 11 }] }), 2_000);
    expect(nameSockets(bare, renamed)?.listening).toEqual([{ ...ssh, process: 'dropbear', pid: 11 }]);
    // Other connections beside the same listeners (the same list) are not taken for the ones named before.
    expect(nameSockets(bare, names)).toEqual(first);
    const other = sample({
      ...bare,
      outboundConnections: [{ ...out, peer: '203.0.113.10:22', process: null, pid: null }],
    });
    expect(other.listening).toBe(bare.listening);
    expect(nameSockets(other, names)).toBeNull();
  });

  it('keeps the names it had when a newer listing teaches the same, and a bare listing stays named as it was', () => {
    const bare = sample({ socketsNamed: false, listening: [{ ...ssh, process: null, pid: null }] });
    const first = nameSockets(bare, names);
    const again = namesOf(sample({ ...named, listening: [{ ...ssh, process: 'sshd', pid: 10 }] }), 61_000, names);
    expect(again.atMs).toBe(61_000);
    expect(again.names).toBe(names.names);
    expect(nameSockets(bare, again)).toBe(first);
    // Anything different (a pid, a process, one socket more or less) makes new names.
    const moved = namesOf(sample({ ...named, listening: [{ ...ssh, process: 'sshd', pid: 12 }] }), 62_000, names);
    expect(moved.names).not.toBe(names.names);
    expect(moved.names.get('tcp 0.0.0.0 22')).toEqual({ process: 'sshd', pid: 12 });
    const fewer = namesOf(sample({ ...named, poolConnections: [] }), 62_000, names);
    expect(fewer.names).not.toBe(names.names);
    expect(fewer.names.size).toBe(names.names.size - 1);
  });

  it('asks for a bare listing only while the names are fresh', () => {
    expect(mayListBare(undefined, 1_000)).toBe(false);
    expect(mayListBare(names, 1_000 + SOCKET_NAMES_TTL_MS - 1)).toBe(true);
    expect(mayListBare(names, 1_000 + SOCKET_NAMES_TTL_MS)).toBe(false);
  });
});

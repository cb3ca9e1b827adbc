import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/framed-output.js';
import { diffFacts } from './diff.js';
import { summariseDiff } from './diff-summary.js';
import type { Facts } from './facts.js';
import { parseDiscoveryOutput } from './parse.js';

const before = parseDiscoveryOutput(fixture('debian12/script-run.txt'), 'FixtureBoundary0123456789', {
  now: new Date('2027-01-01T00:00:00Z'),
}).facts;

/** The same server after an intrusion and some routine change. */
function changed(f: Facts): Facts {
  const users = [
    ...f.users,
    {
      name: 'toor',
      uid: 0,
      gid: 0,
      gecos: '',
      home: '/root',
      shell: '/bin/bash',
      loginShell: true,
      password: 'set' as const,
    },
  ];
  const key = {
    user: 'root',
    file: '/root/.ssh/authorized_keys',
    type: 'ssh-ed25519',
    bits: 256,
    fingerprint: 'SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1',
    comment: 'x@evil',
    options: [],
  };
  return {
    ...f,
    users,
    admins: { ...f.admins, uid0: ['root', 'toor'], effective: [...f.admins.effective, 'toor'].sort() },
    ports: [...f.ports, { proto: 'tcp', address: '0.0.0.0', port: 4444, process: 'nc', pid: 999 }],
    sshKeys: { ...f.sshKeys, authorized: [...f.sshKeys.authorized, key] },
    packages: f.packages
      .filter((p) => p.name !== 'rsync')
      .map((p) => (p.name === 'openssh-server' ? { ...p, version: '1:9.2p1-2+deb12u9' } : p)),
    services: f.services.map((s) => (s.name === 'postgresql' ? { ...s, state: 'stopped' as const } : s)),
    serviceConfig: {
      ...f.serviceConfig,
      sshd: f.serviceConfig.sshd && { ...f.serviceConfig.sshd, permitRootLogin: 'yes' },
    },
  };
}

describe('diffFacts', () => {
  it('finds nothing between a run and itself', () => {
    expect(diffFacts(before, before)).toEqual([]);
    expect(summariseDiff([]).text).toBe('No changes.');
  });

  it('names each change by its identity, in a stable order, flagging what needs attention', () => {
    const after = changed(before);
    const changes = diffFacts(before, after);
    const openssh = before.packages.find((p) => p.name === 'openssh-server');
    expect(changes.map((c) => [c.category, c.action, c.id, c.attention])).toEqual([
      ['uid0', 'added', 'toor', true],
      ['admins', 'added', 'toor', true],
      ['users', 'added', 'toor', true],
      ['authorized_keys', 'added', 'root SHA256:NewKeyNewKeyNewKeyNewKeyNewKeyNewKeyNewKey1', true],
      ['ports', 'added', 'tcp 0.0.0.0:4444', true],
      ['ssh_config', 'changed', 'PermitRootLogin', true],
      ['packages', 'changed', `openssh-server (${openssh?.arch})`, false],
      ['packages', 'removed', `rsync (${before.packages.find((p) => p.name === 'rsync')?.arch})`, false],
      ['services', 'changed', 'postgresql', false],
    ]);
    expect(changes.find((c) => c.category === 'packages' && c.action === 'changed')).toMatchObject({
      before: openssh?.version,
      after: '1:9.2p1-2+deb12u9',
    });
    expect(changes.find((c) => c.category === 'ports')?.summary).toBe('Listening port tcp 0.0.0.0:4444 appeared.');
    expect(changes.find((c) => c.category === 'ssh_config')?.summary).toBe(
      'sshd PermitRootLogin changed: without-password → yes.',
    );
  });

  it('does not depend on the order items were listed in', () => {
    const after = changed(before);
    const shuffled: Facts = {
      ...after,
      packages: [...after.packages].reverse(),
      ports: [...after.ports].reverse(),
      users: [...after.users].reverse(),
    };
    expect(diffFacts(before, shuffled)).toEqual(diffFacts(before, after));
  });

  it('reads a renewed certificate as one change at its path', () => {
    const cert = before.certificates[0];
    if (!cert) throw new Error('fixture has a certificate');
    const renewed = { ...cert, fingerprint256: 'AA:BB', notAfter: '2030-01-01T00:00:00.000Z' };
    const changes = diffFacts(before, { ...before, certificates: [renewed, ...before.certificates.slice(1)] });
    expect(changes).toEqual([
      expect.objectContaining({
        category: 'certificates',
        action: 'changed',
        id: cert.paths[0],
        after: `${cert.subject}, expires 2030-01-01`,
      }),
    ]);
  });

  it('flags a database account that became a superuser and a host key that changed', () => {
    const dbAdmins = before.dbAdmins.map((d) =>
      d.name === 'mariadb.sys' ? { ...d, superuser: true, detail: 'SUPER' } : d,
    );
    const host = before.sshKeys.host.map((k, i) => (i === 0 ? { ...k, fingerprint: 'SHA256:other' } : k));
    const changes = diffFacts(before, { ...before, dbAdmins, sshKeys: { ...before.sshKeys, host } });
    expect(changes.map((c) => [c.category, c.action, c.attention])).toEqual([
      ['host_keys', 'changed', true],
      ['db_admins', 'changed', true],
    ]);
  });
});

describe('summariseDiff', () => {
  it('counts by category and says how many need attention', () => {
    const s = summariseDiff(diffFacts(before, changed(before)));
    expect(s.total).toBe(9);
    expect(s.attention).toBe(6);
    expect(s.byCategory.find((c) => c.category === 'packages')).toEqual({
      category: 'packages',
      added: 0,
      removed: 1,
      changed: 1,
    });
    expect(s.text).toBe(
      '9 changes, 6 need attention: uid-0 accounts +1; administrators +1; users +1; authorized keys +1; listening ports +1; sshd settings ~1; packages −1 ~1; services ~1',
    );
  });
});

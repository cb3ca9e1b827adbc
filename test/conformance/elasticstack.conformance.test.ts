import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../../src/kernel/secret.js';
import type { ElasticDialect } from '../../src/providers/elastichosts/dialect.js';
import { createElasticHostsDriver, type ElasticHostsDriver } from '../../src/providers/elastichosts/index.js';
import {
  multi,
  parseIdList,
  parseJsonRecords,
  parseTextRecords,
  serializeRecord,
  type WireFormat,
} from '../../src/providers/elastichosts/wire.js';
import { fixtureFiles, fixturesRoot, readFixture, replay, type ReplayServer } from './fixtures.js';

/**
 * Every recorded ElasticStack answer (and the recorded request bodies) through the driver's parser: answers are
 * served from a loopback server and read by the driver itself; expected values were read from each file.
 */
const root = fixturesRoot();
const files = fixtureFiles(root, 'elastichosts');

/** The blocks of a text/plain answer, read with nothing but line matching (independent of the parser). */
function blocks(text: string): { drive?: string; kind?: string }[] {
  return text
    .split(/\n\s*\n/)
    .filter((b) => b.trim() !== '')
    .map((b) => ({
      drive: /^drive (\S+)/m.exec(b)?.[1],
      kind: /^(?:media|type) (\S+)/m.exec(b)?.[1],
    }));
}

describe('ElasticStack fixtures through the driver', () => {
  let server: ReplayServer;
  let path = '';
  let body = '';
  let json = false;

  beforeAll(async () => {
    server = await replay((req) =>
      req.path === path ? { status: 200, body, contentType: json ? 'application/json' : 'text/plain' } : undefined,
    );
  });
  afterAll(async () => server?.close());

  /** A driver that will find `file` at `at`. */
  function serving(file: string, at: string, dialect: ElasticDialect = '2.0'): ElasticHostsDriver {
    path = at;
    body = readFixture(root, 'elastichosts', file);
    json = file.endsWith('.json');
    const format: WireFormat = json ? 'json' : 'text';
    return createElasticHostsDriver({
      baseUrl: server.url,
      dialect,
      format,
      maxAttempts: 1,
      credentials: { user: 'uuid', secretKey: secret('apikey') },
    });
  }

  const checked = new Set<string>();
  const fixture = (file: string, test: () => Promise<void> | void) => {
    checked.add(file);
    it(file, test);
  };

  fixture('libcloud-elastichosts/servers_info.json', async () => {
    const [node, ...rest] = await serving('libcloud-elastichosts/servers_info.json', '/servers/info').listNodes();
    expect(rest).toEqual([]);
    expect(node).toMatchObject({
      id: 'b605ca90-c3e6-4cee-85f8-a8ebdf8f9903',
      name: 'test api node',
      state: 'running',
      publicIps: ['1.2.3.4', '1.2.3.5'],
      privateIps: [],
      sizeId: 'small',
    });
    expect(node?.extra).toMatchObject({
      cpuMHz: 2000,
      memMiB: 1024,
      cores: 1,
      started: new Date(1280723696_000),
      blockedPorts: ['tcp/21', 'tcp/22', 'tcp/23', 'tcp/25'],
      drives: { 'ide:0:0': 'b6049e7a-aa1b-47f9-b21d-cdf2354e28d3' },
    });
    expect(JSON.stringify(node)).not.toContain('testvncpass');
  });

  fixture('libcloud-elastichosts/offline_servers_info.json', async () => {
    const [node] = await serving('libcloud-elastichosts/offline_servers_info.json', '/servers/info').listNodes();
    expect(node).toMatchObject({ id: 'b605ca90-c3e6-4cee-85f8-a8ebdf8f9903', state: 'stopped', publicIps: [] });
    expect(node?.extra['started']).toBeUndefined();
    expect(JSON.stringify(node)).not.toContain('testvncpass');
  });

  fixture('libcloud-elastichosts/servers_create.json', async () => {
    // The 1.0 style: the leases replace the `nic:0:dhcp` value (here as a JSON array).
    const node = await serving(
      'libcloud-elastichosts/servers_create.json',
      '/servers/b605ca90-c3e6-4cee-85f8-a8ebdf8f9903/info',
    ).getNode('b605ca90-c3e6-4cee-85f8-a8ebdf8f9903');
    expect(node).toMatchObject({
      state: 'running',
      publicIps: ['1.2.3.4', '1.2.3.5'],
      extra: { vncIp: '216.151.208.174' },
    });
  });

  for (const file of ['libcloud-elastichosts/drives_create.json', 'libcloud-elastichosts/drives_info.json']) {
    fixture(file, async () => {
      expect(await serving(file, '/drives/info').listDrives()).toEqual([
        {
          id: '0012e24a-6eae-4279-9912-3432f698cec8',
          name: 'test drive',
          sizeBytes: 10737418240,
          imaging: undefined,
          claimed: [],
          token: undefined,
        },
      ]);
    });
  }

  for (const file of ['jclouds-elasticstack/servers.txt', 'jclouds-elasticstack/server2.txt']) {
    // The same two servers in the 1.0 and 2.0 spellings must read the same.
    fixture(file, async () => {
      const nodes = await serving(file, '/servers/info').listNodes();
      expect(
        nodes.map((n) => ({ id: n.id, name: n.name, state: n.state, publicIps: n.publicIps, sizeId: n.sizeId })),
      ).toEqual([
        {
          id: 'f8bee9cd-8e4b-4a05-8593-1314e3bfe49b',
          name: 'jo',
          state: 'running',
          publicIps: ['46.20.114.124'],
          sizeId: 'small',
        },
        { id: '0f962616-2071-4173-be79-7dd084271edf', name: 'Demo', state: 'stopped', publicIps: [], sizeId: 'small' },
      ]);
      expect(nodes[0]?.extra).toMatchObject({ persistent: true, cores: 1 });
      expect(nodes[1]?.extra['cores']).toBeUndefined();
      expect(JSON.stringify(nodes)).not.toMatch(/HfHzVmLT|HWbjvrg2/);
    });
  }

  for (const file of ['jclouds-elasticstack/new_server.txt', 'jclouds-elasticstack/new_server2.txt']) {
    fixture(file, async () => {
      const node = await serving(file, '/servers/bd98615a-6f74-4d63-ad1e-b13338b9356a/info').getNode(
        'bd98615a-6f74-4d63-ad1e-b13338b9356a',
      );
      expect(node).toMatchObject({
        name: 'adriancole.test',
        state: 'running',
        publicIps: [],
        sizeId: 'cpu1000-mem512',
        extra: { vncIp: '83.222.249.221', started: new Date(1292695612_000) },
      });
      expect(JSON.stringify(node)).not.toContain('XXXXXXXX');
    });
  }

  fixture('jclouds-elasticstack/drive.txt', async () => {
    const [drive] = await serving('jclouds-elasticstack/drive.txt', '/drives/info').listDrives();
    expect(drive).toMatchObject({
      id: 'b8171d28-755a-4271-b891-7998871a160e',
      name: 'Ubuntu 10.10 Server Edition Linux 64bit Preinstalled System',
      sizeBytes: 8589934592,
      imaging: undefined,
    });
    expect(drive?.claimed).toHaveLength(5);
    expect(drive?.claimed[4]).toBe(
      '000663ee-9fb6-4461-90f6-01327a4aff07:guest:f83b519f-feab-42cf-859c-f61495681ada:ide:0:1',
    );
  });

  fixture('jclouds-elasticstack/standard_drive.txt', async () => {
    expect(await serving('jclouds-elasticstack/standard_drive.txt', '/drives/info/standard').listImages()).toEqual([
      {
        id: '11b84345-7169-4279-8038-18d6ba1a7712',
        name: 'Windows Web Server 2008 R2',
        extra: { format: 'gzip', sizeBytes: 11811160064, compressedBytes: 4743757824, os: undefined, bits: undefined },
      },
    ]);
  });

  fixture('jclouds-elasticstack/standard_drives.txt', async () => {
    const images = await serving('jclouds-elasticstack/standard_drives.txt', '/drives/info/standard').listImages();
    const disks = blocks(body)
      .filter((b) => b.kind === 'disk')
      .map((b) => b.drive);
    expect(disks).toHaveLength(12);
    expect(images.map((i) => i.id)).toEqual(disks);
    expect(images.map((i) => i.name)).toContain('Ubuntu 14.04 LTS (Trusty Tahr)');
  });

  fixture('libcloud-cloudsigma-v1/drives_standard_info.txt', async () => {
    const images = await serving(
      'libcloud-cloudsigma-v1/drives_standard_info.txt',
      '/drives/standard/info',
      'cloudsigma-1.0',
    ).listImages();
    const disks = blocks(body)
      .filter((b) => b.kind === 'disk')
      .map((b) => b.drive);
    expect(disks).toHaveLength(10);
    expect(images.map((i) => i.id)).toEqual(disks);
    expect(images.every((i) => i.extra['os'] !== undefined)).toBe(true);
  });

  for (const [file, count, first] of [
    ['jclouds-elasticstack/uuids.txt', 3, '7e8ab721-81c9-4cb9-a651-4cafbfe1501c'],
    ['jclouds-elasticstack/standard_drives_uuids.txt', 36, undefined],
  ] as const) {
    fixture(file, () => {
      const ids = parseIdList(readFixture(root, 'elastichosts', file));
      expect(ids).toHaveLength(count);
      if (first !== undefined) expect(ids[0]).toBe(first);
      expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    });
  }

  for (const file of [
    'jclouds-elasticstack/create_server.txt',
    'jclouds-elasticstack/create_drive.txt',
    'jclouds-elasticstack/drive_data.txt',
  ]) {
    // Recorded request bodies: what the driver would send reads back the same.
    fixture(file, () => {
      const [record] = parseTextRecords(readFixture(root, 'elastichosts', file));
      expect(record?.['name']).toMatch(/^(TestServer|Ubuntu 10.10 Server Edition Linux 64bit Preinstalled System)$/);
      expect(parseTextRecords(serializeRecord(record ?? {}, 'text'))).toEqual([record]);
      if (file.endsWith('create_server.txt'))
        expect(record).toMatchObject({
          cpu: '2000',
          mem: '1024',
          'ide:0:0': '08c92dd5-70a0-4f51-83d2-835919d254df',
          'vnc:ip': 'auto',
        });
      else expect(multi(record ?? {}, 'tags')).toEqual(['tag1', 'tag2']);
    });
  }

  fixture('jclouds-elasticstack/serverlove-z1-man_preinstalled_images.json', () => {
    // Not an API answer but jclouds' list of ServerLove images; the JSON reader still takes it.
    const records = parseJsonRecords(
      readFixture(root, 'elastichosts', 'jclouds-elasticstack/serverlove-z1-man_preinstalled_images.json'),
    );
    expect(records).toHaveLength(10);
    expect(records[0]).toMatchObject({
      uuid: '88ed067f-d2b8-42ce-a25f-5297818a3b6f',
      description: 'CentOS Linux 5.7',
      size: '3',
    });
  });

  for (const file of ['libcloud-cloudsigma-v1/servers_info.txt', 'libcloud-cloudsigma-v1/servers_create.txt']) {
    fixture(file, async () => {
      const [node] = await serving(file, '/servers/info', 'cloudsigma-1.0').listNodes();
      expect(node).toMatchObject({
        id: '62fe7cde-4fb9-4c63-bd8c-e757930066a0',
        name: 'cloudsigma node',
        state: 'running',
        publicIps: ['1.2.3.4'],
        privateIps: ['1.2.3.5'],
        sizeId: 'cpu1100-mem640',
      });
      expect(JSON.stringify(node)).not.toContain('testpass');
    });
  }

  fixture('libcloud-cloudsigma-v1/servers_set.txt', async () => {
    const node = await serving(
      'libcloud-cloudsigma-v1/servers_set.txt',
      '/servers/62fe7cde-4fb9-4c63-bd8c-e757930066a0/info',
      'cloudsigma-1.0',
    ).getNode('62fe7cde-4fb9-4c63-bd8c-e757930066a0');
    expect(node.extra['cores']).toBe(2);
  });

  fixture('libcloud-cloudsigma-v1/drives_info.txt', async () => {
    const drives = await serving(
      'libcloud-cloudsigma-v1/drives_info.txt',
      '/drives/info',
      'cloudsigma-1.0',
    ).listDrives();
    expect(drives.map((d) => [d.id, d.sizeBytes])).toEqual([
      ['3d18db4b-f9bd-4313-b034-12ae181efa88', 53687091200],
      ['3d18db4b-f9bd-4313-b034-12ae181efa99', 103687091200],
    ]);
  });

  fixture('libcloud-cloudsigma-v1/drives_single_info.txt', async () => {
    const [drive] = await serving(
      'libcloud-cloudsigma-v1/drives_single_info.txt',
      '/drives/info',
      'cloudsigma-1.0',
    ).listDrives();
    expect(drive).toMatchObject({
      id: 'd18119ce_7afa_474a_9242_e0384b160220',
      name: 'test node',
      sizeBytes: 53687091200,
    });
  });

  fixture('libcloud-cloudsigma-v1/drives_clone.txt', async () => {
    const [drive] = await serving(
      'libcloud-cloudsigma-v1/drives_clone.txt',
      '/drives/info',
      'cloudsigma-1.0',
    ).listDrives();
    expect(drive).toMatchObject({ id: 'a814def5-1789-49a0-bf88-7abe7bb1682a', sizeBytes: 21474836480 });
  });

  fixture('libcloud-cloudsigma-v1/resources_ip_list.txt', () => {
    const [record] = parseTextRecords(
      readFixture(root, 'elastichosts', 'libcloud-cloudsigma-v1/resources_ip_list.txt'),
    );
    expect(multi(record ?? {}, 'ip')).toEqual(['1.2.3.4', '1.2.3.5', '1.2.3.6']);
  });

  fixture('libcloud-cloudsigma-v1/resources_ip_create.txt', () => {
    const records = parseTextRecords(
      readFixture(root, 'elastichosts', 'libcloud-cloudsigma-v1/resources_ip_create.txt'),
    );
    expect(records.map((r) => [r['resource'], r['type'], r['gateway']])).toEqual([
      ['1.2.3.4', 'ip', '91.203.56.1'],
      ['1.2.3.5', 'ip', '91.203.56.1'],
    ]);
  });

  it('covers every recorded file', () => {
    expect(files.filter((f) => !checked.has(f))).toEqual([]);
  });
});

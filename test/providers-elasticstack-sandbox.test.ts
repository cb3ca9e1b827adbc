import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { parseIdList, parseTextRecords } from '../src/providers/elastichosts/wire.js';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../testkit/providers/fake-hosts.js';
import { ed25519PublicKey } from '../testkit/providers/ssh-keys.js';

const DEBIAN = 'ce85ef47-9794-4ed7-a8bd-af902ec0eddc';

describe('ElasticStack sandbox over raw HTTP', () => {
  let c: SandboxClouds;
  const clock = new FakeClock(Date.now());
  const hosts = new FakeInstanceHosts();
  let auth: string;

  interface Sent {
    status: number;
    headers: Headers;
    text: string;
  }
  const call = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Sent> => {
    const res = await fetch(new URL(path.replace(/^\//, ''), c.elastic.url), {
      method,
      headers: { authorization: auth, ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const record = (s: Sent): Record<string, string> => parseTextRecords(s.text)[0] ?? {};

  beforeAll(async () => {
    c = await startSandboxClouds({ hosts, clock, imagingMs: 10_000, transitionMs: 2_000 });
    auth = `Basic ${Buffer.from(`${c.elastic.user}:${c.elastic.secretKey}`).toString('base64')}`;
  });
  afterAll(async () => c?.close());

  it('requires basic auth with the user UUID and secret key', async () => {
    const res = await fetch(new URL('servers/list', c.elastic.url));
    expect(res.status).toBe(401);
    expect(res.headers.get('x-elastic-error')).toBe('auth');
    expect(res.headers.get('www-authenticate')).toContain('Basic');
    const wrong = await call('GET', '/servers/list', undefined, {
      authorization: `Basic ${Buffer.from(`${c.elastic.user}:nope`).toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
  });

  it('creates a drive, images it from the library with visible progress, and guards it while busy', async () => {
    const created = await call('POST', '/drives/create', 'name boot\nsize 4G\nuser:role web\n', {
      'content-type': 'text/plain',
    });
    expect(created.status).toBe(200);
    const drive = record(created);
    expect(drive).toMatchObject({
      name: 'boot',
      size: String(4 * 1024 ** 3),
      status: 'active',
      'user:role': 'web',
      'claim:type': 'exclusive',
    });
    expect((await call('POST', `/drives/${drive['drive']}/image/${DEBIAN}/gunzip`)).status).toBe(204);
    const imaging = async () => record(await call('GET', `/drives/${drive['drive']}/info`))['imaging'];
    expect(await imaging()).toBe('queued');
    clock.advance(5_000);
    expect(await imaging()).toBe('50%');
    const early = await call(
      'POST',
      '/servers/create',
      `name early\ncpu 1000\nmem 512\nide:0:0 ${drive['drive']}\nboot ide:0:0\n`,
    );
    expect([early.status, early.headers.get('x-elastic-error')]).toEqual([409, 'busy']);
    clock.advance(5_000);
    expect(await imaging()).toBeUndefined();
    const tooSmall = record(await call('POST', '/drives/create', 'name tiny\nsize 10M\n'));
    const full = await call('POST', `/drives/${tooSmall['drive']}/image/${DEBIAN}/gunzip`);
    expect([full.status, full.headers.get('x-elastic-error')]).toEqual([507, 'full']);
  });

  it('runs a server lifecycle on a real host, in both dialects and both formats', async () => {
    const key = ed25519PublicKey();
    const drive = record(await call('POST', '/drives/create', 'name os\nsize 3G\n'));
    await call('POST', `/drives/${drive['drive']}/image/${DEBIAN}/gunzip`);
    clock.advance(10_000);
    const body = JSON.stringify({
      name: 'api node',
      cpu: 2000,
      mem: 1024,
      persistent: 'true',
      'ide:0:0': drive['drive'],
      boot: 'ide:0:0',
      'nic:0:model': 'virtio',
      'nic:0:dhcp': 'auto',
      vnc: 'auto',
      'vnc:password': 'secret1',
      'user:ssh_authorized_keys': key.publicKey,
    });
    const created = await call('POST', '/servers/create', body, {
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(created.status).toBe(200);
    const server = JSON.parse(created.text) as Record<string, unknown>;
    const id = String(server['server']);
    const address = hosts.records.get(id)?.host.address;
    expect(server).toMatchObject({
      status: 'active',
      cpu: 2000,
      'nic:0:dhcp': 'auto',
      'nic:0:dhcp:ip': [address],
      password: 'secret1',
    });
    expect(hosts.records.get(id)?.authorizedKeys).toEqual([key.publicKey]);
    expect(record(await call('GET', `/drives/${drive['drive']}/info`))['claimed']).toContain(`:guest:${id}:ide:0:0`);

    c.elastic.sandbox.dialect = '1.0';
    expect(record(await call('GET', `/servers/${id}/info`))).toMatchObject({
      'nic:0:dhcp': address,
      'vnc:password': 'secret1',
    });
    c.elastic.sandbox.dialect = '2.0';

    // The official shell tool POSTs even its reads.
    expect(parseIdList((await call('POST', '/servers/list', '')).text)).toContain(id);
    expect((await call('GET', `/servers/${id}/stop`)).headers.get('x-elastic-error')).toBe('method');
    expect((await call('POST', `/drives/${drive['drive']}/destroy`)).status).toBe(409);
    expect((await call('POST', `/servers/${id}/set`, 'mem 2048\n')).status).toBe(409);

    expect((await call('POST', `/servers/${id}/shutdown`)).status).toBe(204);
    expect(record(await call('GET', `/servers/${id}/info`))['status']).toBe('active');
    clock.advance(2_000);
    expect(record(await call('GET', `/servers/${id}/info`))['status']).toBe('stopped');
    expect(record(await call('POST', `/servers/${id}/set`, 'mem 2048\n'))['mem']).toBe('2048');
    expect((await call('POST', `/servers/${id}/start`)).status).toBe(204);
    expect((await call('POST', `/servers/${id}/reset`)).status).toBe(204);
    expect((await call('POST', `/servers/${id}/destroy`)).status).toBe(204);
    expect(hosts.records.get(id)?.history).toEqual(['create', 'stop', 'start', 'stop', 'start', 'destroy']);
    const gone = await call('GET', `/servers/${id}/info`);
    expect([gone.status, gone.headers.get('x-elastic-error')]).toEqual([404, 'missing']);
    expect((await call('POST', `/drives/${drive['drive']}/destroy`)).status).toBe(204);
  });

  it('destroys non-persistent servers when they stop, as the platform does', async () => {
    const created = record(await call('POST', '/servers/create', 'name temp\ncpu 1000\nmem 512\n'));
    expect(created['persistent']).toBe('false');
    expect((await call('POST', `/servers/${created['server']}/stop`)).status).toBe(204);
    expect((await call('GET', `/servers/${created['server']}/info`)).status).toBe(404);
    expect(hosts.records.get(created['server'] ?? '')?.destroyed).toBe(true);
  });

  it('refuses bad input with usage errors', async () => {
    for (const body of [
      'cpu 1000\nmem 512\n',
      'name x\ncpu 99\nmem 512\n',
      'name x\ncpu 1000\nmem 512\nnic:0:model rtl9999\n',
      'name x\ncpu 1000\nmem 512\nserver 1234\n',
    ]) {
      const res = await call('POST', '/servers/create', body);
      expect([res.status, res.headers.get('x-elastic-error')]).toEqual([400, 'usage']);
    }
    const badJson = await call('POST', '/drives/create', '{', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect((await call('POST', '/drives/create', 'name x\nsize lots\n')).status).toBe(400);
    expect((await call('GET', '/nothing/here')).status).toBe(404);
  });

  it('serves the standard library where each dialect expects it', async () => {
    const eh = parseTextRecords((await call('GET', '/drives/info/standard')).text);
    const media = (list: Record<string, string>[], key: string) => list.map((d) => d[key]);
    expect(media(eh, 'media').filter((m) => m === 'disk')).toHaveLength(20);
    expect(media(eh, 'media').filter((m) => m === 'cdrom')).toHaveLength(24);
    // The drives clients hard-code, under their own ids and names (Libcloud's, and the 2014 library jclouds reads).
    expect(eh.find((d) => d['drive'] === '980cf63c-f21e-4382-997b-6541d5809629')).toMatchObject({
      name: 'Debian Linux 5.0',
      format: 'gzip',
      rawsize: String(1024 ** 3),
    });
    expect(eh.find((d) => d['drive'] === '9dfbbe29-5352-415a-9f7c-70ec7409b684')).toMatchObject({
      name: 'Ubuntu 14.04 LTS Server Install CD',
      media: 'cdrom',
    });
    expect(eh.find((d) => d['drive'] === '9dfbbe29-5352-415a-9f7c-70ec7409b684')).not.toHaveProperty('format');
    c.elastic.sandbox.dialect = 'cloudsigma-1.0';
    try {
      expect((await call('GET', '/drives/info/standard')).status).toBe(404);
      const cs = parseTextRecords((await call('GET', '/drives/standard/info')).text);
      expect(media(cs, 'type')).toEqual(media(eh, 'media'));
      const s = record(await call('POST', '/servers/create', 'name cs\ncpu 1000\nmem 512\npersistent true\n'));
      expect((await call('POST', `/servers/${s['server']}/destroy`)).status).toBe(409);
      expect((await call('POST', `/servers/${s['server']}/stop`)).status).toBe(204);
      expect((await call('POST', `/servers/${s['server']}/start`)).status).toBe(200);
    } finally {
      c.elastic.sandbox.dialect = '2.0';
    }
  });

  it('switches faults through the admin API', async () => {
    const admin = (body: object) =>
      fetch(new URL('_sandbox/faults', c.elastic.url), {
        method: 'POST',
        headers: { 'x-sandbox-admin-token': c.adminToken },
        body: JSON.stringify(body),
      });
    await admin({ throttle: { count: 1 }, serverErrors: { count: 1 } });
    const throttled = await call('GET', '/servers/list');
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '1']);
    const failed = await call('GET', '/servers/list');
    expect([failed.status, failed.headers.get('x-elastic-error')]).toEqual([500, 'system']);
    await admin({ badCredentials: { count: 1 } });
    expect((await call('GET', '/servers/list')).status).toBe(401);
    expect((await call('GET', '/servers/list')).status).toBe(200);
  });
});

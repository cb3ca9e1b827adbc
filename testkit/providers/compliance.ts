import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/kernel/clock.js';
import type { ComputeDriver } from '../../src/providers/driver.js';
import {
  InsecureEndpointError,
  InvalidCredentialsError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../src/providers/errors.js';
import type { CallOptions, Node, NodeState, ProviderCall } from '../../src/providers/types.js';
import { waitForNodeState } from '../../src/providers/wait.js';
import type { FaultSettings } from '../../src/sandbox/clouds.js';
import type { FakeInstanceHosts } from './fake-hosts.js';
import { ed25519PublicKey } from './ssh-keys.js';

export interface DriverOverrides {
  readonly secret?: string;
  readonly endpoint?: string;
  readonly requestTimeoutMs?: number;
}

/** A driver wired to its sandbox cloud, and the levers the suite pulls. */
export interface ComplianceHarness {
  /** Built with good credentials and `maxAttempts` attempts per request. */
  readonly driver: ComputeDriver;
  /** Another driver for the same account: a wrong secret, another endpoint, or a short request timeout. */
  makeDriver(overrides: DriverOverrides): Promise<ComputeDriver>;
  readonly faults: { set(settings: FaultSettings): void; reset(): void };
  /** API requests the sandbox has answered so far. */
  requestCount(): number;
  readonly hosts: FakeInstanceHosts;
  readonly launch: { readonly sizeId: string; readonly imageId: string; readonly locationId?: string };
  readonly unknownNodeId: string;
  readonly maxAttempts: number;
  /** Values that must never appear in an error (secrets of both good and bad credentials). */
  readonly secrets: readonly string[];
  /** The sandbox's clock, and a sleep that moves it (state changes happen as the suite waits). */
  readonly clock: Clock;
  sleep(ms: number): Promise<void>;
  close(): Promise<void>;
}

function recorder(): CallOptions & { calls: ProviderCall[] } {
  const calls: ProviderCall[] = [];
  return { calls, onCall: (c) => void calls.push(c) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

function expectNoSecrets(err: unknown, secrets: readonly string[]): void {
  const views = [
    String((err as Error).message),
    JSON.stringify(err),
    inspect(err, { depth: 8, showHidden: true }),
    String((err as Error).stack),
  ];
  for (const s of secrets) for (const view of views) expect(view).not.toContain(s);
}

/** A loopback server that answers every request with a redirect to `target`. */
async function redirector(target: string): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(307, { location: new URL(req.url ?? '/', target).toString() });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * The contract every ComputeDriver meets against its sandbox cloud, through the real SDK/HTTP stack. Tests run
 * in order and share one sandbox: a node is created early and taken through its lifecycle.
 */
export function describeComputeDriverCompliance(
  name: string,
  makeDriverAndSandbox: () => Promise<ComplianceHarness>,
): void {
  describe(`${name}: ComputeDriver compliance`, () => {
    let h: ComplianceHarness;
    let node: Node;
    const key = ed25519PublicKey('owner@org');
    const waitFor = (id: string, states: readonly NodeState[]): Promise<Node> =>
      waitForNodeState(h.driver, id, states, {
        clock: h.clock,
        sleep: (ms) => h.sleep(ms),
        intervalMs: 250,
        timeoutMs: 120_000,
      });

    beforeAll(async () => {
      h = await makeDriverAndSandbox();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('refuses plain http to anything but loopback, before sending a byte', async () => {
      for (const endpoint of [
        'http://compute.example.com/',
        'http://10.0.0.5:8080/',
        'http://127.0.0.1.nip.io/',
        'http://[::ffff:7f00:1]/',
      ]) {
        const err = await rejection(h.makeDriver({ endpoint }));
        expect(err).toBeInstanceOf(InsecureEndpointError);
        expect((err as ProviderError).code).toBe('STEWARD_INSECURE_ENDPOINT');
      }
      await expect(h.makeDriver({ endpoint: 'https://compute.example.com/' })).resolves.toBeDefined();
    });

    it('does not follow redirects', async () => {
      const r = await redirector('http://127.0.0.1:9/');
      try {
        const driver = await h.makeDriver({ endpoint: r.url });
        const before = h.requestCount();
        const err = await rejection(driver.listImages());
        expect(err).toBeInstanceOf(ProviderError);
        expect(r.hits()).toBeGreaterThan(0);
        expect(h.requestCount()).toBe(before);
      } finally {
        await r.close();
      }
    });

    it('validates good credentials and reports every request it sends', async () => {
      const rec = recorder();
      const check = await h.driver.validateCredentials(rec);
      expect(check.accountId).not.toBe('');
      expect(rec.calls.length).toBeGreaterThan(0);
      for (const c of rec.calls) expect(c).toMatchObject({ provider: h.driver.provider, region: h.driver.region });
    });

    it('rejects bad credentials with InvalidCredentials that reveals no secret', async () => {
      const bad = await h.makeDriver({ secret: 'wrong-secret-Zx81Qa' });
      const err = await rejection(bad.validateCredentials());
      expect(err).toBeInstanceOf(InvalidCredentialsError);
      expect((err as ProviderError).code).toBe('STEWARD_PROVIDER_INVALID_CREDENTIALS');
      expectNoSecrets(err, [...h.secrets, 'wrong-secret-Zx81Qa']);
    });

    it('reports credentials revoked mid-way as InvalidCredentials', async () => {
      h.faults.set({ badCredentials: true });
      try {
        const err = await rejection(h.driver.listImages());
        expect(err).toBeInstanceOf(InvalidCredentialsError);
        expectNoSecrets(err, h.secrets);
      } finally {
        h.faults.reset();
      }
    });

    it('stops before sending when onCall throws', async () => {
      const before = h.requestCount();
      const refusal = new Error('ledger unavailable');
      const err = await rejection(
        h.driver.listImages(undefined, {
          onCall: () => {
            throw refusal;
          },
        }),
      );
      expect(err).toBe(refusal);
      expect(h.requestCount()).toBe(before);
    });

    it('lists locations, sizes and images', async () => {
      const locations = await h.driver.listLocations();
      expect(locations.length).toBeGreaterThan(0);
      if (h.launch.locationId !== undefined) expect(locations.map((l) => l.id)).toContain(h.launch.locationId);
      const sizes = await h.driver.listSizes();
      expect(sizes.map((s) => s.id)).toContain(h.launch.sizeId);
      for (const s of sizes) expect(s.ramMiB).toBeGreaterThan(0);
      const images = await h.driver.listImages();
      expect(images.map((i) => i.id)).toContain(h.launch.imageId);
      const one = await h.driver.listImages({ ids: [h.launch.imageId] });
      expect(one.map((i) => i.id)).toEqual([h.launch.imageId]);
    });

    it('imports a key pair, and importing the same key again reuses it', async () => {
      const first = await h.driver.importKeyPair('owner-key', key.publicKey);
      expect(first.name).toBe('owner-key');
      expect(first.fingerprint).not.toBe('');
      const again = await h.driver.importKeyPair('owner-key', key.publicKey);
      expect(again.fingerprint).toBe(first.fingerprint);
      await expect(h.driver.importKeyPair('bad-key', 'ssh-ed25519 not-base64!')).rejects.toBeInstanceOf(ProviderError);
    });

    it('creates a node idempotently with the SSH key injected', async () => {
      const input = {
        name: 'compliance-1',
        ...h.launch,
        idempotencyToken: `tok-${Date.now()}`,
        sshPublicKey: key.publicKey,
        tags: { purpose: 'compliance' },
      };
      node = await h.driver.createNode(input);
      expect(node.id).not.toBe('');
      expect(node.name).toBe('compliance-1');
      expect(['pending', 'running']).toContain(node.state);
      const again = await h.driver.createNode(input);
      expect(again.id).toBe(node.id);
      const host = h.hosts.records.get(node.id);
      expect(host?.authorizedKeys.map((k) => k.split(' ').slice(0, 2).join(' '))).toContain(
        key.publicKey.split(' ').slice(0, 2).join(' '),
      );
      const running = await waitFor(node.id, ['running']);
      expect(running.publicIps).toContain(host?.host.address);
    });

    it('gets the node', async () => {
      const got = await h.driver.getNode(node.id);
      expect(got).toMatchObject({
        id: node.id,
        name: 'compliance-1',
        state: 'running',
        sizeId: h.launch.sizeId,
        imageId: h.launch.imageId,
      });
      expect(got.created).toBeInstanceOf(Date);
    });

    it('lists nodes across pages and by filter', async () => {
      for (let i = 2; i <= 6; i++) {
        await h.driver.createNode({
          name: `compliance-${i}`,
          ...h.launch,
          idempotencyToken: `page-${i}-${Date.now()}`,
          sshPublicKey: key.publicKey,
        });
      }
      const rec = recorder();
      const all = await h.driver.listNodes(undefined, rec);
      expect(all.filter((n) => n.name.startsWith('compliance-')).length).toBeGreaterThanOrEqual(6);
      if (h.driver.capabilities.paginatedListing) expect(rec.calls.length).toBeGreaterThanOrEqual(2);
      const mine = await h.driver.listNodes({ ids: [node.id] });
      expect(mine.map((n) => n.id)).toEqual([node.id]);
      const tagged = await h.driver.listNodes({ tags: { purpose: 'compliance' } });
      expect(tagged.map((n) => n.id)).toEqual([node.id]);
    });

    it('stops, starts and reboots the node', async () => {
      const stopping = await h.driver.stopNode(node.id);
      expect(stopping.nodeId).toBe(node.id);
      expect(['stopping', 'stopped']).toContain(stopping.current);
      await waitFor(node.id, ['stopped']);
      expect(h.hosts.records.get(node.id)?.running).toBe(false);
      const starting = await h.driver.startNode(node.id);
      expect(['pending', 'running']).toContain(starting.current);
      await waitFor(node.id, ['running']);
      await h.driver.rebootNode(node.id);
      expect((await waitFor(node.id, ['running'])).id).toBe(node.id);
      expect(h.hosts.records.get(node.id)?.running).toBe(true);
    });

    it('reads the console, where the node printed the host key it presents', async () => {
      const text = await h.driver.consoleOutput(node.id);
      const hostKey = h.hosts.records.get(node.id)?.host.hostKeys[0];
      expect(hostKey).toBeDefined();
      const block = text
        ?.split('-----BEGIN SSH HOST KEY KEYS-----')
        .at(-1)
        ?.split('-----END SSH HOST KEY KEYS-----')[0];
      const lines = block?.split(/\r?\n/).filter((l) => l !== '') ?? [];
      expect(lines).toHaveLength(1);
      expect(lines[0]?.startsWith(`${hostKey?.publicKey} root@`)).toBe(true);
      await expect(h.driver.consoleOutput(h.unknownNodeId)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('answers NotFound for an unknown node', async () => {
      await expect(h.driver.getNode(h.unknownNodeId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(h.driver.startNode(h.unknownNodeId)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('retries through a short throttling storm', async () => {
      h.faults.set({ throttle: { count: h.maxAttempts - 1 } });
      const rec = recorder();
      await expect(h.driver.listImages(undefined, rec)).resolves.not.toHaveLength(0);
      expect(rec.calls).toHaveLength(h.maxAttempts);
    });

    it('gives up on a long throttling storm with RateLimited', async () => {
      h.faults.set({ throttle: { count: 1000 } });
      try {
        const rec = recorder();
        const err = await rejection(h.driver.listImages(undefined, rec));
        expect(err).toBeInstanceOf(RateLimitedError);
        expect(rec.calls).toHaveLength(h.maxAttempts);
      } finally {
        h.faults.reset();
      }
    });

    it('retries through a short burst of server errors', async () => {
      h.faults.set({ serverErrors: { count: h.maxAttempts - 1, status: 503 } });
      const rec = recorder();
      await expect(h.driver.listImages(undefined, rec)).resolves.not.toHaveLength(0);
      expect(rec.calls).toHaveLength(h.maxAttempts);
    });

    it('gives up on a storm of server errors with ProviderUnavailable', async () => {
      h.faults.set({ serverErrors: { count: 1000 } });
      try {
        const rec = recorder();
        const err = await rejection(h.driver.listImages(undefined, rec));
        expect(err).toBeInstanceOf(ProviderUnavailableError);
        expect(rec.calls).toHaveLength(h.maxAttempts);
      } finally {
        h.faults.reset();
      }
    });

    it('gives up on answers slower than its timeout with ProviderUnavailable', async () => {
      const impatient = await h.makeDriver({ requestTimeoutMs: 200 });
      h.faults.set({ slow: { delayMs: 1_500, count: h.maxAttempts } });
      try {
        const rec = recorder();
        const err = await rejection(impatient.listImages(undefined, rec));
        expect(err).toBeInstanceOf(ProviderUnavailableError);
        expect(rec.calls).toHaveLength(h.maxAttempts);
      } finally {
        h.faults.reset();
      }
    });

    it('destroys the node and its host', async () => {
      const change = await h.driver.destroyNode(node.id);
      expect(change.nodeId).toBe(node.id);
      expect(['stopping', 'terminated']).toContain(change.current);
      expect(h.hosts.records.get(node.id)?.destroyed).toBe(true);
      if (h.driver.capabilities.terminatedNodesVisible) {
        expect((await waitFor(node.id, ['terminated'])).state).toBe('terminated');
      } else {
        await expect(h.driver.getNode(node.id)).rejects.toBeInstanceOf(NotFoundError);
      }
    });
  });
}

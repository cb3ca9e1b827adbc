import type { InstanceHost, InstanceHosts } from '../../src/sandbox/clouds.js';
import { ed25519PublicKey } from './ssh-keys.js';

export interface FakeHostRecord {
  readonly instanceId: string;
  readonly authorizedKeys: readonly string[];
  readonly hostname: string;
  readonly host: InstanceHost;
  running: boolean;
  destroyed: boolean;
  /** Calls in order: create, stop, start, destroy. */
  readonly history: string[];
}

/**
 * InstanceHosts without real hosts: records what the sandbox asked for, hands out loopback addresses nobody
 * listens on, and can be told to fail. For tests of the clouds themselves; SSH logins need the real hosts.
 */
export class FakeInstanceHosts implements InstanceHosts {
  readonly records = new Map<string, FakeHostRecord>();
  #next = 1;
  #failCreates = 0;

  /** The next `count` create calls fail, as a host that cannot boot would. */
  failNextCreates(count: number): void {
    this.#failCreates = count;
  }

  async create(instanceId: string, spec: { authorizedKeys: string[]; hostname: string }): Promise<InstanceHost> {
    if (this.#failCreates > 0) {
      this.#failCreates--;
      throw new Error('fake host failed to start');
    }
    const n = this.#next++;
    const key = ed25519PublicKey(`root@${spec.hostname}`);
    const host: InstanceHost = {
      address: `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`,
      port: 22,
      hostKeys: [
        { type: 'ssh-ed25519', publicKey: key.publicKey.split(' ').slice(0, 2).join(' '), sha256: key.sha256 },
      ],
    };
    this.records.set(instanceId, {
      instanceId,
      authorizedKeys: [...spec.authorizedKeys],
      hostname: spec.hostname,
      host,
      running: true,
      destroyed: false,
      history: ['create'],
    });
    return host;
  }

  async stop(instanceId: string): Promise<void> {
    const r = this.#get(instanceId);
    r.running = false;
    r.history.push('stop');
  }

  async start(instanceId: string): Promise<void> {
    const r = this.#get(instanceId);
    r.running = true;
    r.history.push('start');
  }

  async destroy(instanceId: string): Promise<void> {
    const r = this.#get(instanceId);
    r.running = false;
    r.destroyed = true;
    r.history.push('destroy');
  }

  #get(instanceId: string): FakeHostRecord {
    const r = this.records.get(instanceId);
    if (r === undefined || r.destroyed) throw new Error(`fake host ${instanceId} does not exist`);
    return r;
  }
}

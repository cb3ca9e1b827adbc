import { AppError } from '../kernel/errors.js';
import type { InstanceHost, InstanceHosts } from './common/ports.js';
import type { HostLauncher, TestHost } from './hosts/index.js';

/** Host names inside the sandbox: what an instance may be called (its own name can be anything). */
const HOSTNAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Makes sandbox cloud instances real SSH hosts: each instance is an isolated OpenSSH host from `launcher`,
 * with the launch's public keys authorised for root. Stopping an instance stops its host (keeping its disk),
 * terminating destroys it.
 */
export function launcherInstanceHosts(launcher: HostLauncher): InstanceHosts & { close(): Promise<void> } {
  const hosts = new Map<string, TestHost>();
  const get = (id: string): TestHost => {
    const host = hosts.get(id);
    if (!host) throw new AppError('STEWARD_NOT_FOUND', `No sandbox host for instance ${id}.`);
    return host;
  };
  return {
    async create(instanceId, spec): Promise<InstanceHost> {
      const name = HOSTNAME.test(spec.hostname)
        ? spec.hostname
        : instanceId
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')
            .slice(0, 63);
      const host = await launcher.launch({ name, users: [{ name: 'root', authorizedKeys: spec.authorizedKeys }] });
      hosts.set(instanceId, host);
      return {
        address: host.address,
        port: host.port,
        hostKeys: host.hostKeys.map((k) => ({ type: k.type, publicKey: k.publicKey, sha256: k.sha256 })),
      };
    },
    async stop(instanceId) {
      await get(instanceId).stop();
    },
    async start(instanceId) {
      await get(instanceId).start();
    },
    async destroy(instanceId) {
      const host = hosts.get(instanceId);
      hosts.delete(instanceId);
      await host?.destroy();
    },
    async close() {
      hosts.clear();
      await launcher.destroyAll();
    },
  };
}

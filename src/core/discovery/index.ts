/**
 * Self-discovery: a server is discovered as soon as it is ready (the `serverReady` hook), then on the
 * organisation's schedules; each snapshot runs the `snapshotTaken` hook.
 */
import type { Hooks } from '../hooks.js';
import { createDiscoveryService, type DiscoveryDeps } from './discovery.service.js';

/** What the discovery service needs, with the whole hooks registry (the module registers on `serverReady`). */
export type DiscoveryModuleDeps = Omit<DiscoveryDeps, 'hooks'> & { readonly hooks: Hooks };

export function registerDiscovery(deps: DiscoveryModuleDeps) {
  const discovery = createDiscoveryService({ ...deps, logger: deps.logger.child({ module: 'discovery' }) });
  // A server that just became ready is discovered at once, under the instruction that added it.
  deps.hooks.on(
    'serverReady',
    async (server, instruction) =>
      void (await discovery.discover(server.org_id, { serverIds: [server.id] }, instruction, {})),
  );
  return discovery;
}

export { DISCOVERED_SECRETS_SEALED } from './discovery.store.js';

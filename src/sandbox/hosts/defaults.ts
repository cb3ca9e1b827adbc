/** Per-host folders, state files and address leases. /run empties at boot, as do the hosts it describes. */
export const DEFAULT_RUN_DIR = '/run/steward-testhosts';

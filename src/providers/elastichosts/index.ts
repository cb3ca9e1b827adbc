import { resolveElasticConfig, type ElasticHostsDriverConfig } from './config.js';
import { ElasticHostsDriver } from './driver.js';

export type { ElasticHostsCredentials, ElasticHostsDriverConfig } from './config.js';
export type { ElasticDialect } from './dialect.js';
export type { DriveInfo } from './mapper.js';
export type { ElasticSize } from './sizes.js';
export type { ElasticZone } from './zones.js';
export { DEFAULT_SIZES } from './sizes.js';
export { ELASTICHOSTS_ZONES } from './zones.js';
export { ElasticHostsDriver } from './driver.js';

/** Checks the configuration and builds the driver; nothing is sent until a method is called. */
export function createElasticHostsDriver(config: ElasticHostsDriverConfig): ElasticHostsDriver {
  return new ElasticHostsDriver(resolveElasticConfig(config));
}

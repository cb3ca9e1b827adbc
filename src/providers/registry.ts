import type { Ec2Driver } from './ec2/driver.js';
import type { Ec2DriverConfig } from './ec2/config.js';
import type { ElasticHostsDriver } from './elastichosts/driver.js';
import type { ElasticHostsDriverConfig } from './elastichosts/config.js';
import type { ProviderName } from './types.js';

/** Driver configuration per provider. */
export interface DriverConfigs {
  ec2: Ec2DriverConfig;
  elastichosts: ElasticHostsDriverConfig;
}

/** The concrete driver per provider (ComputeDriver plus provider-only operations). */
export interface Drivers {
  ec2: Ec2Driver;
  elastichosts: ElasticHostsDriver;
}

// A driver module (and with it the AWS SDK) is loaded the first time a driver of that kind is asked for.
const LOADERS: { [P in ProviderName]: () => Promise<(config: DriverConfigs[P]) => Drivers[P]> } = {
  ec2: async () => (await import('./ec2/index.js')).createEc2Driver,
  elastichosts: async () => (await import('./elastichosts/index.js')).createElasticHostsDriver,
};

export const PROVIDERS: readonly ProviderName[] = ['ec2', 'elastichosts'];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}

/**
 * A driver for one account. Construction checks the configuration (endpoint policy included) but sends nothing.
 */
export async function getDriver<P extends ProviderName>(provider: P, config: DriverConfigs[P]): Promise<Drivers[P]> {
  const create = await LOADERS[provider]();
  return create(config);
}

import { resolveEc2Config, type Ec2DriverConfig } from './config.js';
import { Ec2Driver } from './driver.js';

export type { AwsAccessKey, Ec2Credentials, Ec2DriverConfig } from './config.js';
export { Ec2Driver } from './driver.js';
export { IDEMPOTENCY_TAG } from './launch.js';

/** Checks the configuration and builds the driver; nothing is sent until a method is called. */
export function createEc2Driver(config: Ec2DriverConfig): Ec2Driver {
  return new Ec2Driver(resolveEc2Config(config));
}

/** The providers layer: one ComputeDriver interface, normalised errors, and a lazy registry of drivers. */
export type { ComputeDriver } from './driver.js';
export type * from './types.js';
export * from './errors.js';
export { checkEndpoint, isLoopbackHost } from './endpoint.js';
export { TokenBucketLimiter, type RateLimiter, type TokenBucketOptions } from './rate-limit.js';
export type { RetryPolicy } from './retry.js';
export type { PublicKey } from './ssh-key.js';
export { waitForNodeState, type WaitOptions } from './wait.js';
export { getDriver, type DriverConfigs, type Drivers } from './registry.js';
export type { Ec2Credentials, Ec2DriverConfig, AwsAccessKey } from './ec2/config.js';
export type { ElasticHostsDriverConfig, ElasticHostsCredentials } from './elastichosts/config.js';

/** The public face of the SSH layer; code outside src/remote imports from here. */
export { createSshExecutor, type CreateSshExecutorOptions } from './executor.js';
export type {
  ExecOptions,
  ExecResult,
  ExecutorMetrics,
  RemoteExecutor,
  RemoteSession,
  ShellHandle,
  ShellOptions,
  SshExecutorOptions,
  StreamOptions,
  TargetRef,
} from './executor.types.js';
export type { SshAuth, SshTarget } from './target.js';
export type { HostKeyPolicy, PresentedHostKey } from './host-key.js';
export { describeHostKey, parseOpenSshPublicKey, sha256Fingerprint } from './host-key.js';
export { ExecError, HostKeyChangedError } from './errors.js';
export { generateEd25519KeyPair, type GeneratedKeyPair } from './keys.js';
export { quoteArg, sensitive, toShellCommand, type Argv, type ArgvItem } from './argv.js';
export {
  assertValidHostname,
  assertValidRemotePath,
  assertValidUnixUser,
  isValidHostname,
  isValidRemotePath,
  isValidUnixUser,
} from './validators.js';
export {
  runSteps,
  type RunStepsOptions,
  type Step,
  type StepOutcome,
  type StepRunResult,
  type StepStatus,
} from './steps.js';
export type { StdinInput } from './run-command.js';
export type { ResidentAnswer, ResidentHandle, ResidentOptions, ResidentRequestOptions } from './resident.js';
export { startKeyAgent, type KeyAgent } from './key-agent.js';

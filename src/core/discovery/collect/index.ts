/**
 * Self-discovery, the pure half: the script that gathers facts in one SSH session, the parser that turns its
 * output into `Facts` plus found secrets, application recognition and the diff between two runs. Nothing
 * here talks to a server, a database or the network.
 */
export {
  discoveryScript,
  INCREMENTAL_SECTIONS,
  newDiscoveryBoundary,
  type DiscoveryScriptOptions,
  type SectionName,
} from './script.js';
export { APP_SECRET_FORMATS, parseDiscoveryOutput, type ParseOptions } from './parse.js';
export type { RecognitionInput } from './recognise.js';
export { diffFacts, type ChangeCategory, type FactChange } from './diff.js';
export { summariseDiff, type DiffSummary } from './diff-summary.js';
export { redactArgs } from './scrub.js';
export { FACTS_SCHEMA_VERSION } from './facts.js';
export type * from './facts.js';

/**
 * Suspicious-activity detection: rules over what sampling and discovery saw, findings grouped into incidents,
 * mail to the monitoring recipients, and (with the access module) a grant for the operator's security team.
 * Registered by the monitoring module, which feeds it.
 */
import { createDetectionService, type DetectionDeps } from './detection.service.js';

export function registerDetection(deps: DetectionDeps) {
  return createDetectionService(deps);
}

export type { DetectionService } from './detection.service.js';
export type { SuspiciousActivityGrants } from './recorder.js';

// Plain reads core hands to modules built before monitoring: the abuse review (trust) and grants (access).
export { createAbuseFindings } from './abuse.js';
export { createIncidentFacts } from './incident-facts.js';
export { bareAddress } from './rules/outbound-attack.js';

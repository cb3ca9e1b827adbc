import type { Db } from '../../db/database.js';
import { detectionStore } from './detection.store.js';

/**
 * An incident's state and servers, for the access module (a suspicious-activity grant must name an open incident
 * that covers its servers): read-only, no authorisation (the caller checks its own). A plain read, so core builds
 * it before access, while detection itself is built later with monitoring.
 */
export function createIncidentFacts(deps: { db: Db }) {
  return async (orgId: string, id: string) => {
    const row = await detectionStore.incident(deps.db, orgId, id);
    if (!row) return undefined;
    const findings = await detectionStore.findingsOfIncidents(deps.db, [id]);
    const serverIds = [...new Set(findings.map((f) => f.server_id).filter((s): s is string => s !== null))];
    return { status: row.status, serverIds };
  };
}

/**
 * The port through which discovery, monitoring, tasks and provisioning ask whether an organisation is suspended
 * (its automation stopped). The trust module provides it; the modules only ever ask.
 */
/** Whether organisations are suspended (the trust module's standing check); absent means none ever is. */
export interface AutomationStanding {
  suspension(orgId: string): Promise<{ reason: string } | undefined>;
  suspendedAmong(orgIds: readonly string[]): Promise<Set<string>>;
  requireActive(orgId: string, what: string): Promise<void>;
}

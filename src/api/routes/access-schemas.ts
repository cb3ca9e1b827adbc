import { z } from 'zod';
import { GRANT_ACTIONS, GRANT_REASONS, GRANT_STATES, TIMELINE_KINDS } from '../../core/access/index.js';
import { idOf } from '../schemas.js';

/** Schemas shared by the customer's and the staff's access routes. */

export const GrantAction = z.enum(GRANT_ACTIONS);
export const Grant = z
  .object({
    id: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    reason: z.enum(GRANT_REASONS),
    justification: z.string(),
    supportRequestId: z.string().nullable(),
    incidentId: z.string().nullable(),
    scope: z.object({ serverIds: z.array(z.string()), accountIds: z.array(z.string()), actions: z.array(GrantAction) }),
    state: z.enum(GRANT_STATES),
    staff: z.object({ id: z.string(), name: z.string() }).nullable(),
    requestedBy: z.object({ type: z.string(), id: z.string().nullable() }),
    approval: z.enum(['none', 'second_staff', 'customer']),
    approvedBy: z.string().nullable(),
    durationMinutes: z.number(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    requestExpiresAt: z.string(),
    endedAt: z.string().nullable(),
    endReason: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Grant' });

export const SupportRequest = z
  .object({
    id: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    kind: z.enum(['support', 'initial_setup', 'appeal']),
    subject: z.string(),
    status: z.enum(['open', 'closed']),
    openedBy: z.string(),
    staff: z.object({ id: z.string(), name: z.string() }).nullable(),
    serverIds: z.array(z.string()),
    durationMinutes: z.number(),
    grantId: z.string().nullable(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
    messages: z
      .array(
        z.object({
          id: z.string(),
          author: z.object({ id: z.string(), kind: z.string(), name: z.string() }),
          body: z.string(),
          at: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'SupportRequest' });

export const TerminalSession = z
  .object({
    id: z.string(),
    serverId: z.string(),
    user: z.object({ id: z.string(), kind: z.string() }),
    grantId: z.string().nullable(),
    status: z.enum(['live', 'ended', 'incomplete']),
    endReason: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    cols: z.number(),
    rows: z.number(),
    bytes: z.number(),
  })
  .meta({ id: 'TerminalSession' });

export const TimelineEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.enum(TIMELINE_KINDS),
    event: z.string(),
    staff: z.object({ id: z.string(), name: z.string() }).nullable(),
    grant: z.object({ id: z.string(), reason: z.string() }).nullable(),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    result: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEntry' });

/** Free text kept loose at the schema so the service can say exactly what is wrong (docs/decisions/0008-access.md). */
export const looseText = (max: number) => z.string().max(max);
export const SupportParams = z.strictObject({ supportId: idOf('sup') });
export const GrantParams = z.strictObject({ grantId: idOf('grant') });
export const totpCode = z.string().max(16).describe('A fresh one-time code from your authenticator app (step-up)');

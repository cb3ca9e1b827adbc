/**
 * Why Steward is doing something with a customer's credential: a person asked (their request), a standing
 * schedule the customer set, a staff grant the customer can see, or Steward's own upkeep. Every provider call
 * and SSH login is recorded in the credential-use ledger with one of these.
 */
export type Instruction =
  | { readonly type: 'user_action'; readonly id: string | null; readonly actorId: string }
  | { readonly type: 'schedule'; readonly id: string; readonly actorId: string | null }
  | { readonly type: 'staff_grant'; readonly id: string; readonly actorId: string }
  | { readonly type: 'system'; readonly id: string | null; readonly actorId: null };

export const userInstruction = (actorId: string, requestId?: string): Instruction => ({
  type: 'user_action',
  id: requestId ?? null,
  actorId,
});

/** Instructions travel in job payloads as these three fields (ids and words only). */
export function instructionPayload(i: Instruction): {
  instructionType: string;
  instructionId: string | null;
  instructionActor: string | null;
} {
  return { instructionType: i.type, instructionId: i.id, instructionActor: i.actorId };
}

export function instructionFromPayload(p: Readonly<Record<string, unknown>>): Instruction {
  const type = p.instructionType;
  const id = typeof p.instructionId === 'string' ? p.instructionId : null;
  const actorId = typeof p.instructionActor === 'string' ? p.instructionActor : null;
  if (type === 'user_action' && actorId) return { type, id, actorId };
  if (type === 'schedule' && id) return { type, id, actorId };
  if (type === 'staff_grant' && id && actorId) return { type, id, actorId };
  return { type: 'system', id, actorId: null };
}

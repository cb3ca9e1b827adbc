import type { Grant, GrantAction, GrantState } from '../../api/types';
import type { Tone } from '../../components/Badge';

/** How grants and their parts are named in the console. */
export const ACTION_LABELS: Record<GrantAction, string> = {
  terminal: 'Web terminal (recorded)',
  tasks: 'Run commands and tasks',
  read_facts_logs: 'Read facts and logs',
  reveal_secrets: 'Reveal stored secrets',
  provider_actions: 'Start, stop or reboot instances',
  restore_backups: 'Restore backups onto servers',
};

export const ALL_ACTIONS = Object.keys(ACTION_LABELS) as GrantAction[];

export const REASON_LABELS: Record<Grant['reason'], string> = {
  initial_setup: 'Initial setup',
  support_request: 'Support request',
  suspicious_activity: 'Suspicious activity',
};

export const STATE_LOOK: Record<GrantState, { label: string; tone: Tone }> = {
  requested: { label: 'Waiting for staff', tone: 'info' },
  approved: { label: 'Approved', tone: 'info' },
  active: { label: 'Active', tone: 'warn' },
  expired: { label: 'Expired', tone: 'neutral' },
  revoked: { label: 'Revoked', tone: 'neutral' },
  denied: { label: 'Denied', tone: 'neutral' },
};

export const OPEN_STATES: readonly GrantState[] = ['requested', 'approved', 'active'];

export const DURATIONS = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: 240, label: '4 hours' },
  { minutes: 480, label: '8 hours' },
  { minutes: 1440, label: '24 hours' },
] as const;

/** "42 minutes left", from the grant's end; empty while it has not started. */
export function remaining(endsAt: string | null, now: number): string {
  if (!endsAt) return '';
  const ms = Date.parse(endsAt) - now;
  if (ms <= 0) return 'ending now';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h left` : `${hours} h ${rest} min left`;
}

/** The name a person types to confirm a destructive action on a grant: its id, which appears on the page. */
export const grantName = (grant: Pick<Grant, 'id'>) => grant.id;

/** A grant's state in words, saying when it waits for the customer rather than for staff. */
export function stateLook(
  grant: Pick<Grant, 'state' | 'approval' | 'staff'>,
  viewer: 'customer' | 'staff' = 'customer',
): { label: string; tone: Tone } {
  if (grant.state === 'requested' && grant.approval === 'customer' && grant.staff)
    return viewer === 'customer'
      ? { label: 'Waiting for your approval', tone: 'warn' }
      : { label: 'Waiting for the customer’s approval', tone: 'info' };
  if (grant.state === 'requested' && grant.approval === 'second_staff' && grant.staff)
    return { label: 'Waiting for a second staff member', tone: 'info' };
  return STATE_LOOK[grant.state];
}

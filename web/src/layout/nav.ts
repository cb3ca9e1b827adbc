/**
 * The console's areas: the sidebar lists them and the router gives each a page. An area marked `coming`
 * belongs to a capability whose API has not landed yet; it is listed with a "Soon" mark and its page says
 * what it will do, with no data. When the API lands, drop `coming` here and add the page in app/router.tsx
 * under the same path (see docs/decisions/0005-console.md, "Adding a page").
 */
export interface Area {
  readonly path: string;
  readonly label: string;
  readonly coming?: { readonly summary: string; readonly promise: string };
  readonly ownersOnly?: boolean;
}

export interface AreaGroup {
  /** Empty for the ungrouped first entry. */
  readonly label: string;
  readonly areas: readonly Area[];
}

export const ORG_AREAS: readonly AreaGroup[] = [
  { label: '', areas: [{ path: '', label: 'Overview' }] },
  {
    label: 'Infrastructure',
    areas: [
      { path: 'servers', label: 'Servers' },
      { path: 'tasks', label: 'Tasks' },
      { path: 'instances', label: 'Cloud instances' },
      { path: 'providers', label: 'Cloud accounts' },
      { path: 'monitoring', label: 'Monitoring' },
      { path: 'logs', label: 'Logs' },
      { path: 'jobs', label: 'Jobs' },
    ],
  },
  {
    label: 'Security',
    areas: [
      { path: 'alerts', label: 'Alerts' },
      { path: 'incidents', label: 'Incidents' },
      { path: 'credential-uses', label: 'Credential use' },
      { path: 'credentials', label: 'Credentials' },
      { path: 'grants', label: 'Access grants' },
      { path: 'support', label: 'Support requests' },
      { path: 'activity', label: 'Staff activity' },
      { path: 'audit', label: 'Audit log' },
    ],
  },
  {
    label: 'People',
    areas: [
      { path: 'members', label: 'Members' },
      { path: 'invitations', label: 'Invitations', ownersOnly: true },
      { path: 'billing', label: 'Billing' },
    ],
  },
];

export const comingAreas = (): Area[] => ORG_AREAS.flatMap((g) => g.areas).filter((a) => a.coming);

export type StaffRole = 'admin' | 'security' | 'support' | 'marketing';

export interface StaffArea extends Area {
  /** Roles that may open it; empty for every staff member. */
  readonly roles: readonly StaffRole[];
}

/** The staff area's pages, by the roles that may open them. */
export const STAFF_AREAS: readonly StaffArea[] = [
  { path: '', label: 'Staff overview', roles: [] },
  { path: 'queue', label: 'Work queue', roles: ['support', 'security', 'admin'] },
  { path: 'grants', label: 'My grants', roles: ['support', 'security', 'admin'] },
  { path: 'jobs', label: 'All jobs', roles: ['admin'] },
  { path: 'audit', label: 'Audit across organisations', roles: ['admin', 'security'] },
  { path: 'outbox', label: 'Outbox', roles: ['admin'] },
  { path: 'people', label: 'People of an organisation', roles: ['admin', 'security', 'support', 'marketing'] },
  { path: 'review', label: 'Internal review', roles: ['admin', 'security'] },
  { path: 'privacy-ops', label: 'Privacy operations', roles: ['admin', 'marketing'] },
  { path: 'abuse', label: 'Fraud and abuse review', roles: ['admin', 'security'] },
  { path: 'billing', label: 'Billing', roles: ['admin'] },
  { path: 'undertaking', label: 'Confidentiality undertaking', roles: [] },
];

export const staffComingAreas = (): StaffArea[] => STAFF_AREAS.filter((a) => a.coming);

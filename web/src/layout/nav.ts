/** The console's areas. Those marked `coming` belong to capabilities whose API has not landed yet. */
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
  { label: 'People', areas: [{ path: 'members', label: 'Members' }, { path: 'invitations', label: 'Invitations', ownersOnly: true }] },
  {
    label: 'Infrastructure',
    areas: [
      { path: 'servers', label: 'Servers', coming: { summary: 'Every server on EC2, ElasticHosts-style clouds and SSH hosts in one list, with status, health and what discovery found on it.', promise: 'Launch and import wizards, tasks with live output and a web terminal come with it.' } },
      { path: 'providers', label: 'Provider accounts', coming: { summary: 'Connect your cloud accounts. Their keys are validated when you enter them, sealed in the vault, and shown only as hints.', promise: 'Every use of a key will be listed with the instruction that caused it.' } },
      { path: 'monitoring', label: 'Monitoring', coming: { summary: 'CPU, memory, disk, network and load charts, threshold alerts and suspicious-activity incidents.', promise: 'A finding notifies you at once.' } },
      { path: 'jobs', label: 'Jobs' },
    ],
  },
  {
    label: 'Security',
    areas: [
      { path: 'credentials', label: 'Credentials' },
      { path: 'grants', label: 'Access grants', coming: { summary: 'Every time the operator’s staff may reach your servers: the reason, the scope, the time limit and its state.', promise: 'You can revoke a grant, and replay what staff did under it.' } },
      { path: 'support', label: 'Support requests', coming: { summary: 'Ask for initial setup or for help. A request opens a time-limited grant you can see and end.', promise: 'Staff reach nothing without one.' } },
      { path: 'audit', label: 'Audit log' },
    ],
  },
];

export const comingAreas = (): Area[] => ORG_AREAS.flatMap((g) => g.areas).filter((a) => a.coming);

export const PRIVACY_AREA: Area = {
  path: 'privacy',
  label: 'Privacy centre',
  coming: { summary: 'Your consents by purpose, an export of everything Steward holds about you, and deleting your account.', promise: 'Changes to the privacy policy will be shown here until you acknowledge them.' },
};

/**
 * The sections of a server's page. Those marked `coming` arrive with capabilities still to land (the web
 * terminal with staff access, charts with monitoring): listed so the page's shape is known, not linked.
 * When one lands, drop `coming` and add its route under `servers/:serverId` in app/router.tsx.
 */
export interface ServerTab {
  readonly path: string;
  readonly label: string;
  readonly coming?: boolean;
}

export const SERVER_TABS: readonly ServerTab[] = [
  { path: '', label: 'Overview' },
  { path: 'facts', label: 'Facts' },
  { path: 'changes', label: 'Changes' },
  { path: 'found-credentials', label: 'Found credentials' },
  { path: 'tasks', label: 'Tasks' },
  { path: 'terminal', label: 'Terminal' },
  { path: 'metrics', label: 'Metrics' },
  { path: 'backups', label: 'Backups' },
  { path: 'settings', label: 'Settings' },
];

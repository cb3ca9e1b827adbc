/** A short account of a diff: counts per category and one line of text for a notification or a list view. */
import { CHANGE_CATEGORIES, type ChangeCategory, type FactChange } from './diff.js';

export interface DiffSummary {
  readonly total: number;
  /** Changes with `attention: true`. */
  readonly attention: number;
  readonly byCategory: readonly {
    readonly category: ChangeCategory;
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
  }[];
  /** E.g. `5 changes, 2 need attention: uid-0 accounts +1; listening ports +1; packages ~3`. */
  readonly text: string;
}

const LABELS: Record<ChangeCategory, string> = {
  identity: 'identity',
  os: 'operating system',
  uid0: 'uid-0 accounts',
  admins: 'administrators',
  sudo_grants: 'sudo/doas grants',
  admin_groups: 'admin group members',
  users: 'users',
  authorized_keys: 'authorized keys',
  host_keys: 'host keys',
  ports: 'listening ports',
  db_admins: 'database accounts',
  ssh_config: 'sshd settings',
  packages: 'packages',
  applications: 'applications',
  services: 'services',
  containers: 'containers',
  processes: 'programs',
  certificates: 'certificates',
  web_sites: 'web sites',
  service_config: 'service settings',
  config_files: 'configuration files',
  app_files: 'application installs',
  web_roots: 'web roots',
  data_directories: 'data directories',
};

export function summariseDiff(changes: readonly FactChange[]): DiffSummary {
  const counts = new Map<ChangeCategory, { added: number; removed: number; changed: number }>();
  for (const c of changes) {
    const e = counts.get(c.category) ?? { added: 0, removed: 0, changed: 0 };
    e[c.action]++;
    counts.set(c.category, e);
  }
  const byCategory = CHANGE_CATEGORIES.filter((c) => counts.has(c)).map((category) => ({
    category,
    ...(counts.get(category) ?? { added: 0, removed: 0, changed: 0 }),
  }));
  const attention = changes.filter((c) => c.attention).length;
  if (changes.length === 0) return { total: 0, attention: 0, byCategory, text: 'No changes.' };
  const parts = byCategory.map((c) => {
    const bits = [
      c.added ? `+${c.added}` : '',
      c.removed ? `−${c.removed}` : '',
      c.changed ? `~${c.changed}` : '',
    ].filter(Boolean);
    return `${LABELS[c.category]} ${bits.join(' ')}`;
  });
  const head = `${changes.length} ${changes.length === 1 ? 'change' : 'changes'}${attention > 0 ? `, ${attention} ${attention === 1 ? 'needs' : 'need'} attention` : ''}`;
  return { total: changes.length, attention, byCategory, text: `${head}: ${parts.join('; ')}` };
}
